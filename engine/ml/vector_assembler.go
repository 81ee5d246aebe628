package ml

import (
	"fmt"
	"math"
)

// VectorAssembler is Flink ML's VectorAssembler transformer (org.apache.flink.ml.feature.vectorassembler):
// it concatenates the numbers and vectors of inputCols into one vector in outputCol (default "output").
// inputSizes gives each input's size and must be set, one per input column. handleInvalid (default "error")
// says what a null, NaN or wrongly sized input does: "error" fails, "skip" drops the row, "keep" assembles
// NaN for a null input and takes sizes as they come. The output is dense when more than 2/3 of its elements
// are stored, sparse otherwise (Flink ML's RATIO 1.5).
type VectorAssembler struct{ params *Params }

// InputSizes is VectorAssembler's "inputSizes", default null; every size must be positive.
var InputSizes = NewParam("inputSizes", "Sizes of the input elements to be assembled.", IntArrayKind, nil,
	ParamValidator{Describe: "a list of positive sizes", Check: func(v any) bool {
		if v == nil {
			return true
		}
		for _, s := range v.([]int) {
			if s <= 0 {
				return false
			}
		}
		return true
	}})

const vectorAssemblerClass = "org.apache.flink.ml.feature.vectorassembler.VectorAssembler"

// NewVectorAssembler returns a VectorAssembler with Flink ML's defaults.
func NewVectorAssembler() *VectorAssembler {
	return &VectorAssembler{params: newParams(InputCols, OutputCol, HandleInvalid, InputSizes)}
}

func init() {
	RegisterStage(vectorAssemblerClass, func() Stage { return NewVectorAssembler() })
}

// GetParams returns the parameters.
func (a *VectorAssembler) GetParams() *Params { return a.params }

// ClassName is Flink ML's class name.
func (a *VectorAssembler) ClassName() string { return vectorAssemblerClass }

// Save writes the parameters to path.
func (a *VectorAssembler) Save(path string) error { return saveStage(a, path, 0) }

// SetInputCols sets the input columns.
func (a *VectorAssembler) SetInputCols(cols ...string) *VectorAssembler {
	a.params.Set(InputCols, cols)
	return a
}

// GetInputCols returns the input columns.
func (a *VectorAssembler) GetInputCols() []string {
	v, _ := a.params.Get(InputCols).([]string)
	return v
}

// SetInputSizes sets the size of each input.
func (a *VectorAssembler) SetInputSizes(sizes ...int) *VectorAssembler {
	a.params.Set(InputSizes, sizes)
	return a
}

// GetInputSizes returns the input sizes.
func (a *VectorAssembler) GetInputSizes() []int { v, _ := a.params.Get(InputSizes).([]int); return v }

// SetOutputCol sets the output column.
func (a *VectorAssembler) SetOutputCol(v string) *VectorAssembler {
	a.params.Set(OutputCol, v)
	return a
}

// GetOutputCol returns the output column.
func (a *VectorAssembler) GetOutputCol() string { return a.params.getString(OutputCol) }

// SetHandleInvalid sets the invalid-entry strategy: "error", "skip" or "keep".
func (a *VectorAssembler) SetHandleInvalid(v string) *VectorAssembler {
	a.params.Set(HandleInvalid, v)
	return a
}

// GetHandleInvalid returns the invalid-entry strategy.
func (a *VectorAssembler) GetHandleInvalid() string { return a.params.getString(HandleInvalid) }

// Transform appends the assembled vector to every row of one table.
func (a *VectorAssembler) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: VectorAssembler.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	cols, sizes := a.GetInputCols(), a.GetInputSizes()
	if len(cols) == 0 || len(sizes) != len(cols) {
		return nil, fmt.Errorf("%w: VectorAssembler needs inputCols and as many inputSizes, got %d and %d", ErrParam, len(cols), len(sizes))
	}
	out, handle := a.GetOutputCol(), a.GetHandleInvalid()
	keep := handle == "keep"
	t, err := flatMapRows(inputs[0], "VectorAssembler", func(r Row) (Row, bool, error) {
		v, err := assemble(r, cols, sizes, keep)
		if err != nil {
			if handle == "error" {
				return Row{}, false, fmt.Errorf("Vector assembler failed with exception : %w", err)
			}
			return Row{}, false, nil
		}
		return r.With(out, v), true, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

func assemble(r Row, cols []string, sizes []int, keep bool) (Vector, error) {
	var idx []int
	var vals []float64
	n, nnz := 0, 0
	check := func(want, got int) error {
		if !keep && want != got {
			return fmt.Errorf("%w: Input vector/number size does not meet with expected. Expected size: %d, actual size: %d",
				ErrColumnType, want, got)
		}
		return nil
	}
	for i, c := range cols {
		v, err := r.Field(c)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
			if !keep {
				return nil, fmt.Errorf("%w: Input column value is null. Please check the input data or using handleInvalid = 'keep'", ErrColumnType)
			}
			for j := 0; j < sizes[i]; j++ {
				idx, vals = append(idx, n+j), append(vals, math.NaN())
			}
			n += sizes[i]
			nnz += sizes[i]
		case *SparseVector:
			if err := check(sizes[i], x.N); err != nil {
				return nil, err
			}
			for k, j := range x.Indices {
				idx, vals = append(idx, n+j), append(vals, x.Values[k])
			}
			n += x.N
			nnz += len(x.Indices)
		case *DenseVector, []float64:
			vec, _ := AsVector(x)
			if err := check(sizes[i], vec.Size()); err != nil {
				return nil, err
			}
			for j, e := range vec.ToArray() {
				idx, vals = append(idx, n+j), append(vals, e)
			}
			n += vec.Size()
			nnz += vec.Size()
		default:
			f, err := r.Float(c)
			if err != nil {
				return nil, fmt.Errorf("%w: Input type %T has not been supported yet. Only Vector and Number types are supported", ErrColumnType, v)
			}
			if err := check(sizes[i], 1); err != nil {
				return nil, err
			}
			if math.IsNaN(f) && !keep {
				return nil, fmt.Errorf("%w: Encountered NaN while assembling a row with handleInvalid = 'error'. Consider removing NaNs from dataset or using handleInvalid = 'keep' or 'skip'", ErrColumnType)
			}
			idx, vals = append(idx, n), append(vals, f)
			n++
			nnz++
		}
	}
	if float64(nnz)*1.5 > float64(n) {
		d := make([]float64, n)
		for k, j := range idx {
			d[j] = vals[k]
		}
		return &DenseVector{Values: d}, nil
	}
	return &SparseVector{N: n, Indices: idx, Values: vals}, nil
}
