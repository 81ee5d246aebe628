package ml

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Vector is a vector of float64, dense or sparse, Flink ML's org.apache.flink.ml.linalg.Vector. It is
// implemented by *DenseVector and *SparseVector.
type Vector interface {
	// Size is the vector's dimension.
	Size() int
	// Get returns the i-th element (0 for an index a sparse vector does not store).
	Get(i int) float64
	// ToArray returns the elements as a new dense slice.
	ToArray() []float64
	// ToDense returns a dense copy.
	ToDense() *DenseVector
	// ToSparse returns a sparse copy that stores only the non-zero elements.
	ToSparse() *SparseVector
	// Clone returns a deep copy of the same kind.
	Clone() Vector
	// String formats the vector as Flink ML does: "[1.0, 2.0]" dense, "(n, [indices], [values])" sparse.
	String() string
}

// DenseVector stores every element, Flink ML's DenseVector.
type DenseVector struct {
	// Values are the elements.
	Values []float64
}

// SparseVector stores the non-zero elements of a vector of dimension N, Flink ML's SparseVector: Indices are
// strictly increasing and each in [0, N); Values[i] is the element at Indices[i].
type SparseVector struct {
	N       int
	Indices []int
	Values  []float64
}

// Dense returns a dense vector of the given elements, Flink ML's Vectors.dense.
func Dense(values ...float64) *DenseVector {
	return &DenseVector{Values: append([]float64(nil), values...)}
}

// Zeros returns a dense vector of n zeros. It panics if n is negative.
func Zeros(n int) *DenseVector {
	if n < 0 {
		panic(fmt.Sprintf("ml: Zeros: size must not be negative, got %d", n))
	}
	return &DenseVector{Values: make([]float64, n)}
}

// Sparse returns a sparse vector of dimension n, Flink ML's Vectors.sparse: indices need not be sorted (they
// are sorted with their values) but must be distinct and in [0, n), and there must be as many values as
// indices; otherwise it panics naming the argument.
func Sparse(n int, indices []int, values []float64) *SparseVector {
	if n < 0 {
		panic(fmt.Sprintf("ml: Sparse: size must not be negative, got %d", n))
	}
	if len(indices) != len(values) {
		panic(fmt.Sprintf("ml: Sparse: %d indices but %d values", len(indices), len(values)))
	}
	v := &SparseVector{N: n, Indices: append([]int(nil), indices...), Values: append([]float64(nil), values...)}
	sort.Sort(bySparseIndex{v})
	for i, ix := range v.Indices {
		if ix < 0 || ix >= n {
			panic(fmt.Sprintf("ml: Sparse: index %d out of range [0, %d)", ix, n))
		}
		if i > 0 && v.Indices[i-1] == ix {
			panic(fmt.Sprintf("ml: Sparse: index %d given twice", ix))
		}
	}
	return v
}

type bySparseIndex struct{ v *SparseVector }

func (s bySparseIndex) Len() int           { return len(s.v.Indices) }
func (s bySparseIndex) Less(i, j int) bool { return s.v.Indices[i] < s.v.Indices[j] }
func (s bySparseIndex) Swap(i, j int) {
	s.v.Indices[i], s.v.Indices[j] = s.v.Indices[j], s.v.Indices[i]
	s.v.Values[i], s.v.Values[j] = s.v.Values[j], s.v.Values[i]
}

// Size is the number of elements.
func (v *DenseVector) Size() int { return len(v.Values) }

// Get returns element i.
func (v *DenseVector) Get(i int) float64 { return v.Values[i] }

// Set sets element i.
func (v *DenseVector) Set(i int, x float64) { v.Values[i] = x }

// ToArray returns a copy of the elements.
func (v *DenseVector) ToArray() []float64 { return append([]float64(nil), v.Values...) }

// ToDense returns a copy.
func (v *DenseVector) ToDense() *DenseVector { return &DenseVector{Values: v.ToArray()} }

// ToSparse returns the non-zero elements as a sparse vector.
func (v *DenseVector) ToSparse() *SparseVector {
	s := &SparseVector{N: len(v.Values)}
	for i, x := range v.Values {
		if x != 0 {
			s.Indices = append(s.Indices, i)
			s.Values = append(s.Values, x)
		}
	}
	return s
}

// Clone returns a copy.
func (v *DenseVector) Clone() Vector { return v.ToDense() }

// String formats the vector as Java's Arrays.toString does: [0.0, 0.3].
func (v *DenseVector) String() string { return formatDoubles(v.Values) }

// Size is the dimension N.
func (v *SparseVector) Size() int { return v.N }

// Get returns element i, 0 where nothing is stored. It panics if i is out of range.
func (v *SparseVector) Get(i int) float64 {
	if i < 0 || i >= v.N {
		panic(fmt.Sprintf("ml: SparseVector.Get: index %d out of range [0, %d)", i, v.N))
	}
	k := sort.SearchInts(v.Indices, i)
	if k < len(v.Indices) && v.Indices[k] == i {
		return v.Values[k]
	}
	return 0
}

// ToArray returns the elements as a dense slice.
func (v *SparseVector) ToArray() []float64 {
	out := make([]float64, v.N)
	for k, i := range v.Indices {
		out[i] = v.Values[k]
	}
	return out
}

// ToDense returns a dense copy.
func (v *SparseVector) ToDense() *DenseVector { return &DenseVector{Values: v.ToArray()} }

// ToSparse returns a copy.
func (v *SparseVector) ToSparse() *SparseVector {
	return &SparseVector{N: v.N, Indices: append([]int(nil), v.Indices...), Values: append([]float64(nil), v.Values...)}
}

// Clone returns a copy.
func (v *SparseVector) Clone() Vector { return v.ToSparse() }

// String formats the vector as Flink ML does: (n, [indices], [values]).
func (v *SparseVector) String() string {
	idx := make([]string, len(v.Indices))
	for i, x := range v.Indices {
		idx[i] = strconv.Itoa(x)
	}
	return fmt.Sprintf("(%d, [%s], %s)", v.N, strings.Join(idx, ", "), formatDoubles(v.Values))
}

// formatDoubles formats as Java's Arrays.toString(double[]).
func formatDoubles(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = javaDouble(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// javaDouble formats x as Java's Double.toString does for the common cases: integral values keep ".0",
// very large and small ones use scientific notation.
func javaDouble(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	a := math.Abs(x)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		s := strconv.FormatFloat(x, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "E" + strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "0")
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func checkSize(op string, x, y Vector) {
	if x.Size() != y.Size() {
		panic(fmt.Sprintf("ml: %s: vector sizes differ: %d and %d", op, x.Size(), y.Size()))
	}
}

// Dot returns the dot product of x and y, Flink ML's BLAS.dot. It panics if their sizes differ.
func Dot(x, y Vector) float64 {
	checkSize("Dot", x, y)
	switch a := x.(type) {
	case *DenseVector:
		switch b := y.(type) {
		case *DenseVector:
			return dotDense(a.Values, b.Values)
		case *SparseVector:
			return dotSparseDense(b, a.Values)
		}
	case *SparseVector:
		switch b := y.(type) {
		case *DenseVector:
			return dotSparseDense(a, b.Values)
		case *SparseVector:
			s, i, j := 0.0, 0, 0
			for i < len(a.Indices) && j < len(b.Indices) {
				switch {
				case a.Indices[i] == b.Indices[j]:
					s += a.Values[i] * b.Values[j]
					i++
					j++
				case a.Indices[i] < b.Indices[j]:
					i++
				default:
					j++
				}
			}
			return s
		}
	}
	return dotDense(x.ToArray(), y.ToArray())
}

func dotDense(a, b []float64) float64 {
	s := 0.0
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

func dotSparseDense(a *SparseVector, b []float64) float64 {
	s := 0.0
	for k, i := range a.Indices {
		s += a.Values[k] * b[i]
	}
	return s
}

// Axpy computes y += a*x in place, Flink ML's BLAS.axpy. It panics if the sizes differ.
func Axpy(a float64, x Vector, y *DenseVector) {
	checkSize("Axpy", x, y)
	axpyInto(a, x, y.Values)
}

func axpyInto(a float64, x Vector, y []float64) {
	switch v := x.(type) {
	case *DenseVector:
		for i, xi := range v.Values {
			y[i] += a * xi
		}
	case *SparseVector:
		for k, i := range v.Indices {
			y[i] += a * v.Values[k]
		}
	default:
		for i, xi := range x.ToArray() {
			y[i] += a * xi
		}
	}
}

// Scal computes x *= a in place, Flink ML's BLAS.scal.
func Scal(a float64, x Vector) {
	switch v := x.(type) {
	case *DenseVector:
		for i := range v.Values {
			v.Values[i] *= a
		}
	case *SparseVector:
		for i := range v.Values {
			v.Values[i] *= a
		}
	}
}

// Asum returns the sum of the absolute values of x's elements (its L1 norm), Flink ML's BLAS.asum.
func Asum(x Vector) float64 { return Norm(x, 1) }

// Norm2 returns the Euclidean (L2) norm of x, Flink ML's BLAS.norm2.
func Norm2(x Vector) float64 { return Norm(x, 2) }

// Norm returns the p-norm of x for p >= 1 (math.Inf(1) gives the largest absolute value), Flink ML's
// BLAS.norm. It panics if p is below 1.
func Norm(x Vector, p float64) float64 {
	if !(p >= 1) {
		panic(fmt.Sprintf("ml: Norm: p must be at least 1, got %v", p))
	}
	var vals []float64
	switch v := x.(type) {
	case *DenseVector:
		vals = v.Values
	case *SparseVector:
		vals = v.Values
	default:
		vals = x.ToArray()
	}
	switch {
	case p == 1:
		s := 0.0
		for _, e := range vals {
			s += math.Abs(e)
		}
		return s
	case p == 2:
		s := 0.0
		for _, e := range vals {
			s += e * e
		}
		return math.Sqrt(s)
	case math.IsInf(p, 1):
		m := 0.0
		for _, e := range vals {
			m = math.Max(m, math.Abs(e))
		}
		return m
	}
	s := 0.0
	for _, e := range vals {
		s += math.Pow(math.Abs(e), p)
	}
	return math.Pow(s, 1/p)
}

// Hadamard returns the element-wise product of x and y as a dense vector. It panics if the sizes differ.
func Hadamard(x, y Vector) *DenseVector {
	checkSize("Hadamard", x, y)
	a, b := x.ToArray(), y.ToArray()
	for i := range a {
		a[i] *= b[i]
	}
	return &DenseVector{Values: a}
}

// VectorEquals reports whether x and y have the same size and elements within tol of each other.
func VectorEquals(x, y Vector, tol float64) bool {
	if x.Size() != y.Size() {
		return false
	}
	a, b := x.ToArray(), y.ToArray()
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// AsVector converts a column value to a Vector: a Vector as it is, a []float64 as a dense vector (sharing
// the slice). Anything else is an error wrapping ErrColumnType.
func AsVector(v any) (Vector, error) {
	switch x := v.(type) {
	case *DenseVector:
		return x, nil
	case *SparseVector:
		return x, nil
	case DenseVector:
		return &x, nil
	case SparseVector:
		return &x, nil
	case []float64:
		return &DenseVector{Values: x}, nil
	case nil:
		return nil, fmt.Errorf("%w: got nil, want a vector", ErrColumnType)
	}
	return nil, fmt.Errorf("%w: got %T, want a vector", ErrColumnType, v)
}
