package ml

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/de4e/weir/engine"
)

// StandardScaler is Flink ML's StandardScaler estimator (org.apache.flink.ml.feature.standardscaler): it
// learns each dimension's mean and sample standard deviation (divided by n-1; 0 for a single row) of
// inputCol, and its model subtracts the mean (withMean, default false) and divides by the deviation
// (withStd, default true; a zero deviation scales to 0) into outputCol. inputCol defaults to "input",
// outputCol to "output". Fit is one bounded job: per-subtask sums and squared sums, then one merge.
type StandardScaler struct{ params *Params }

// StandardScalerModel is Flink ML's StandardScalerModel; its data is the mean and std vectors.
type StandardScalerModel struct {
	params    *Params
	mean, std []float64
	env       *engine.Environment
}

// MinMaxScaler is Flink ML's MinMaxScaler estimator (org.apache.flink.ml.feature.minmaxscaler): it learns
// each dimension's minimum and maximum of inputCol, and its model maps them linearly onto [min, max]
// (defaults 0 and 1) into outputCol; a dimension whose minimum and maximum are within 1e-5 maps to
// (min+max)/2. Fit is one bounded job: per-subtask extremes, then one merge.
type MinMaxScaler struct{ params *Params }

// MinMaxScalerModel is Flink ML's MinMaxScalerModel; its data is the minVector and maxVector.
type MinMaxScalerModel struct {
	params   *Params
	min, max []float64
	env      *engine.Environment
}

var (
	// WithMean is StandardScaler's "withMean", default false.
	WithMean = NewParam("withMean", "Whether centers the data with mean before scaling.", BoolKind, false, ParamValidator{})
	// WithStd is StandardScaler's "withStd", default true.
	WithStd = NewParam("withStd", "Whether scales the data with standard deviation.", BoolKind, true, ParamValidator{})
	// Min is MinMaxScaler's "min", default 0.
	Min = NewParam("min", "Lower bound of the output feature range.", DoubleKind, 0.0, NotNull())
	// Max is MinMaxScaler's "max", default 1.
	Max = NewParam("max", "Upper bound of the output feature range.", DoubleKind, 1.0, NotNull())
)

const (
	standardScalerClass      = "org.apache.flink.ml.feature.standardscaler.StandardScaler"
	standardScalerModelClass = "org.apache.flink.ml.feature.standardscaler.StandardScalerModel"
	minMaxScalerClass        = "org.apache.flink.ml.feature.minmaxscaler.MinMaxScaler"
	minMaxScalerModelClass   = "org.apache.flink.ml.feature.minmaxscaler.MinMaxScalerModel"
)

// NewStandardScaler returns a StandardScaler with Flink ML's defaults.
func NewStandardScaler() *StandardScaler {
	return &StandardScaler{params: newParams(InputCol, OutputCol, WithMean, WithStd)}
}

// NewStandardScalerModel returns a model without data.
func NewStandardScalerModel() *StandardScalerModel {
	return &StandardScalerModel{params: newParams(InputCol, OutputCol, WithMean, WithStd)}
}

// NewMinMaxScaler returns a MinMaxScaler with Flink ML's defaults.
func NewMinMaxScaler() *MinMaxScaler {
	return &MinMaxScaler{params: newParams(InputCol, OutputCol, Min, Max)}
}

// NewMinMaxScalerModel returns a model without data.
func NewMinMaxScalerModel() *MinMaxScalerModel {
	return &MinMaxScalerModel{params: newParams(InputCol, OutputCol, Min, Max)}
}

func init() {
	RegisterStage(standardScalerClass, func() Stage { return NewStandardScaler() })
	RegisterStage(standardScalerModelClass, func() Stage { return NewStandardScalerModel() })
	RegisterStage(minMaxScalerClass, func() Stage { return NewMinMaxScaler() })
	RegisterStage(minMaxScalerModelClass, func() Stage { return NewMinMaxScalerModel() })
	engine.RegisterType(vectorStats{})
}

// vectorStats are one block's column statistics.
type vectorStats struct {
	N             int
	Sum, SumSq    []float64
	Min, Max      []float64
	Dim, FirstRow int
}

func statsOf(col string) func([]Row) (any, error) {
	return func(rows []Row) (any, error) {
		s := vectorStats{}
		for i, r := range rows {
			v, err := r.Vector(col)
			if err != nil {
				return nil, err
			}
			a := v.ToArray()
			if s.N == 0 {
				s.Sum, s.SumSq = make([]float64, len(a)), make([]float64, len(a))
				s.Min, s.Max = append([]float64(nil), a...), append([]float64(nil), a...)
			} else if len(a) != len(s.Sum) {
				return nil, fmt.Errorf("%w: row %d of a block has %d elements, the block's first %d", ErrColumnType, i, len(a), len(s.Sum))
			}
			for d, x := range a {
				s.Sum[d] += x
				s.SumSq[d] += x * x
				s.Min[d] = math.Min(s.Min[d], x)
				s.Max[d] = math.Max(s.Max[d], x)
			}
			s.N++
		}
		return s, nil
	}
}

func mergeStats(parts []any) any {
	var t vectorStats
	for _, p := range parts {
		s := p.(vectorStats)
		if s.N == 0 {
			continue
		}
		if t.N == 0 {
			t = vectorStats{N: s.N, Sum: append([]float64(nil), s.Sum...), SumSq: append([]float64(nil), s.SumSq...),
				Min: append([]float64(nil), s.Min...), Max: append([]float64(nil), s.Max...)}
			continue
		}
		if len(s.Sum) != len(t.Sum) {
			panic(fmt.Errorf("%w: vectors of %d and %d elements", ErrColumnType, len(t.Sum), len(s.Sum)))
		}
		t.N += s.N
		for d := range t.Sum {
			t.Sum[d] += s.Sum[d]
			t.SumSq[d] += s.SumSq[d]
			t.Min[d] = math.Min(t.Min[d], s.Min[d])
			t.Max[d] = math.Max(t.Max[d], s.Max[d])
		}
	}
	return t
}

func fitStats(inputs []*Table, col, stage string) (vectorStats, error) {
	if len(inputs) != 1 {
		return vectorStats{}, fmt.Errorf("%w: %s.Fit takes one table, got %d", ErrParam, stage, len(inputs))
	}
	v, err := aggregateRows(inputs[0], stage, statsOf(col), mergeStats)
	if err != nil {
		return vectorStats{}, err
	}
	s := v.(vectorStats)
	if s.N == 0 {
		return s, fmt.Errorf("%w: %s.Fit: the input table is empty", ErrParam, stage)
	}
	return s, nil
}

// GetParams returns the parameters.
func (s *StandardScaler) GetParams() *Params { return s.params }

// ClassName is Flink ML's class name.
func (s *StandardScaler) ClassName() string { return standardScalerClass }

// Save writes the parameters to path.
func (s *StandardScaler) Save(path string) error { return saveStage(s, path, 0) }

// Fit learns the mean and standard deviation of one table's inputCol.
func (s *StandardScaler) Fit(inputs ...*Table) (Model, error) {
	st, err := fitStats(inputs, s.params.getString(InputCol), "StandardScaler")
	if err != nil {
		return nil, err
	}
	n := float64(st.N)
	m := NewStandardScalerModel()
	m.params.UpdateExisting(s.params)
	m.mean, m.std, m.env = make([]float64, len(st.Sum)), make([]float64, len(st.Sum)), inputs[0].Environment()
	for d := range st.Sum {
		m.mean[d] = st.Sum[d] / n
		if st.N > 1 {
			m.std[d] = math.Sqrt((st.SumSq[d] - n*m.mean[d]*m.mean[d]) / (n - 1))
		}
	}
	return m, nil
}

// GetParams returns the parameters.
func (m *StandardScalerModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *StandardScalerModel) ClassName() string { return standardScalerModelClass }

// Save writes the parameters and model data to path.
func (m *StandardScalerModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns one table of one row with columns "mean" and "std" (*DenseVector).
func (m *StandardScalerModel) GetModelData() []*Table {
	if m.mean == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("mean", Dense(m.mean...), "std", Dense(m.std...))})}
}

// SetModelData takes "mean" and "std" from the first row of one table.
func (m *StandardScalerModel) SetModelData(inputs ...*Table) error {
	vs, env, err := vectorsFromModelData(inputs, "mean", "std")
	if err != nil {
		return err
	}
	m.mean, m.std, m.env = vs[0], vs[1], env
	return nil
}

// Transform scales inputCol into outputCol (a *DenseVector) for every row of one table.
func (m *StandardScalerModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.mean != nil, "StandardScalerModel"); err != nil {
		return nil, err
	}
	in, out := m.params.getString(InputCol), m.params.getString(OutputCol)
	withMean, withStd := m.params.Get(WithMean).(bool), m.params.Get(WithStd).(bool)
	scale := make([]float64, len(m.std))
	for i, s := range m.std {
		if s != 0 {
			scale[i] = 1 / s
		}
	}
	t, err := mapRows(inputs[0], "StandardScalerModel", func(r Row) (Row, error) {
		v, err := r.Vector(in)
		if err != nil {
			return Row{}, err
		}
		if v.Size() != len(m.mean) {
			return Row{}, fmt.Errorf("%w: %d elements, the model has %d", ErrColumnType, v.Size(), len(m.mean))
		}
		a := v.ToArray()
		for i := range a {
			if withMean {
				a[i] -= m.mean[i]
			}
			if withStd {
				a[i] *= scale[i]
			}
		}
		return r.With(out, &DenseVector{Values: a}), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

func (m *StandardScalerModel) dataJSON() ([]byte, error) {
	return json.Marshal(map[string][]float64{"mean": m.mean, "std": m.std})
}

func (m *StandardScalerModel) setDataJSON(env *engine.Environment, b []byte) error {
	vs, err := vectorsFromJSON(b, "mean", "std")
	if err != nil {
		return err
	}
	m.mean, m.std, m.env = vs[0], vs[1], env
	return nil
}

// GetParams returns the parameters.
func (s *MinMaxScaler) GetParams() *Params { return s.params }

// ClassName is Flink ML's class name.
func (s *MinMaxScaler) ClassName() string { return minMaxScalerClass }

// Save writes the parameters to path.
func (s *MinMaxScaler) Save(path string) error { return saveStage(s, path, 0) }

// Fit learns the minimum and maximum of one table's inputCol.
func (s *MinMaxScaler) Fit(inputs ...*Table) (Model, error) {
	st, err := fitStats(inputs, s.params.getString(InputCol), "MinMaxScaler")
	if err != nil {
		return nil, err
	}
	m := NewMinMaxScalerModel()
	m.params.UpdateExisting(s.params)
	m.min, m.max, m.env = st.Min, st.Max, inputs[0].Environment()
	return m, nil
}

// GetParams returns the parameters.
func (m *MinMaxScalerModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *MinMaxScalerModel) ClassName() string { return minMaxScalerModelClass }

// Save writes the parameters and model data to path.
func (m *MinMaxScalerModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns one table of one row with columns "minVector" and "maxVector" (*DenseVector).
func (m *MinMaxScalerModel) GetModelData() []*Table {
	if m.min == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("minVector", Dense(m.min...), "maxVector", Dense(m.max...))})}
}

// SetModelData takes "minVector" and "maxVector" from the first row of one table.
func (m *MinMaxScalerModel) SetModelData(inputs ...*Table) error {
	vs, env, err := vectorsFromModelData(inputs, "minVector", "maxVector")
	if err != nil {
		return err
	}
	m.min, m.max, m.env = vs[0], vs[1], env
	return nil
}

// Transform rescales inputCol into outputCol (a *DenseVector) for every row of one table.
func (m *MinMaxScalerModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.min != nil, "MinMaxScalerModel"); err != nil {
		return nil, err
	}
	in, out := m.params.getString(InputCol), m.params.getString(OutputCol)
	lo, hi := m.params.getFloat(Min), m.params.getFloat(Max)
	scale, offset := make([]float64, len(m.min)), make([]float64, len(m.min))
	for i := range m.min {
		if math.Abs(m.min[i]-m.max[i]) < 1e-5 {
			offset[i] = (hi + lo) / 2
		} else {
			scale[i] = (hi - lo) / (m.max[i] - m.min[i])
			offset[i] = lo - m.min[i]*scale[i]
		}
	}
	t, err := mapRows(inputs[0], "MinMaxScalerModel", func(r Row) (Row, error) {
		v, err := r.Vector(in)
		if err != nil {
			return Row{}, err
		}
		if v.Size() != len(m.min) {
			return Row{}, fmt.Errorf("%w: %d elements, the model has %d", ErrColumnType, v.Size(), len(m.min))
		}
		a := v.ToArray()
		for i := range a {
			a[i] = a[i]*scale[i] + offset[i]
		}
		return r.With(out, &DenseVector{Values: a}), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

func (m *MinMaxScalerModel) dataJSON() ([]byte, error) {
	return json.Marshal(map[string][]float64{"minVector": m.min, "maxVector": m.max})
}

func (m *MinMaxScalerModel) setDataJSON(env *engine.Environment, b []byte) error {
	vs, err := vectorsFromJSON(b, "minVector", "maxVector")
	if err != nil {
		return err
	}
	m.min, m.max, m.env = vs[0], vs[1], env
	return nil
}

func checkTransform(inputs []*Table, hasData bool, stage string) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: %s.Transform takes one table, got %d", ErrParam, stage, len(inputs))
	}
	if !hasData {
		return fmt.Errorf("%w: %s has no model data (Fit or SetModelData)", ErrParam, stage)
	}
	return nil
}

func vectorsFromModelData(inputs []*Table, cols ...string) ([][]float64, *engine.Environment, error) {
	if len(inputs) != 1 {
		return nil, nil, fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%w: SetModelData: the table is empty", ErrParam)
	}
	out := make([][]float64, len(cols))
	for i, c := range cols {
		v, err := rows[0].Vector(c)
		if err != nil {
			return nil, nil, err
		}
		out[i] = v.ToArray()
	}
	return out, inputs[0].Environment(), nil
}

func vectorsFromJSON(b []byte, cols ...string) ([][]float64, error) {
	var j map[string][]float64
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	out := make([][]float64, len(cols))
	for i, c := range cols {
		if j[c] == nil {
			return nil, fmt.Errorf("%w: no %q", ErrParam, c)
		}
		out[i] = j[c]
	}
	return out, nil
}
