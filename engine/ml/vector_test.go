package ml_test

import (
	"math"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// Flink ML: DenseVectorTest, SparseVectorTest and BLASTest's cases (dot, axpy, norm, scal, toString).
func TestVectors(t *testing.T) {
	d := ml.Dense(1, 2, 3)
	s := ml.Sparse(3, []int{2, 0}, []float64{4, 1})
	if s.String() != "(3, [0, 2], [1.0, 4.0])" || d.String() != "[1.0, 2.0, 3.0]" {
		t.Errorf("strings %s %s", s, d)
	}
	if got := ml.Dot(d, s); got != 13 {
		t.Errorf("dot dense sparse = %v", got)
	}
	if got := ml.Dot(s, ml.Sparse(3, []int{2}, []float64{2})); got != 8 {
		t.Errorf("dot sparse sparse = %v", got)
	}
	y := ml.Dense(1, 1, 1)
	ml.Axpy(2, s, y)
	if !ml.VectorEquals(y, ml.Dense(3, 1, 9), 0) {
		t.Errorf("axpy = %v", y)
	}
	if ml.Norm2(ml.Dense(3, 4)) != 5 || ml.Asum(ml.Dense(-1, 2)) != 3 || ml.Norm(ml.Dense(-7, 2), math.Inf(1)) != 7 {
		t.Error("norms")
	}
	if got := ml.Norm(ml.Dense(1, 2, 3), 3); math.Abs(got-math.Cbrt(36)) > 1e-12 {
		t.Errorf("norm 3 = %v", got)
	}
	ml.Scal(2, s)
	if s.Get(2) != 8 || s.Get(1) != 0 {
		t.Errorf("scal %v", s)
	}
	if !ml.VectorEquals(s.ToDense().ToSparse(), s, 0) || s.ToDense().String() != "[2.0, 0.0, 8.0]" {
		t.Error("conversions")
	}
	if got := ml.Distance(ml.Manhattan, ml.Dense(0, 0), ml.Dense(3, -4)); got != 7 {
		t.Errorf("manhattan %v", got)
	}
	if got := ml.Distance(ml.Euclidean, ml.Dense(0, 0), ml.Dense(3, -4)); got != 5 {
		t.Errorf("euclidean %v", got)
	}
	if got := ml.Distance(ml.Cosine, ml.Dense(1, 0), ml.Dense(0, 2)); got != 1 {
		t.Errorf("cosine %v", got)
	}
	for name, f := range map[string]func(){
		"duplicate index": func() { ml.Sparse(3, []int{1, 1}, []float64{1, 2}) },
		"index range":     func() { ml.Sparse(3, []int{3}, []float64{1}) },
		"size mismatch":   func() { ml.Dot(ml.Dense(1), ml.Dense(1, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
