package ml

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/de4e/weir/engine"
)

// StringIndexer is Flink ML's StringIndexer estimator (org.apache.flink.ml.feature.stringindexer): for each
// of inputCols it learns the distinct values (numbers are indexed by their Java string form, 2.0 as "2.0";
// nulls are not counted), ordered by stringOrderType, and its model writes each value's position as a
// float64 into the matching outputCol. stringOrderType (default "arbitrary") is one of "arbitrary",
// "frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"; Weir's "arbitrary" is alphabetical, and
// ties in frequency are broken alphabetically (Flink ML leaves both to a hash map's order). maxIndexNum
// (default math.MaxInt32, > 1) keeps only the maxIndexNum-1 most frequent values and needs "frequencyDesc",
// as in Flink ML. handleInvalid (default "error") says what an unseen or null value does: "error" fails,
// "skip" drops the row, "keep" gives it the index len(values). Fit is one bounded job: per-subtask counts,
// then one merge.
type StringIndexer struct{ params *Params }

// StringIndexerModel is Flink ML's StringIndexerModel; its data is one ordered string array per input
// column ("stringArrays").
type StringIndexerModel struct {
	params  *Params
	strings [][]string
	env     *engine.Environment
}

// OneHotEncoder is Flink ML's OneHotEncoder estimator (org.apache.flink.ml.feature.onehotencoder): for each
// of inputCols (non-negative integral numbers, such as StringIndexer's output) it learns the largest value,
// and its model writes a sparse vector with a 1 at the value's position into the matching outputCol. With
// dropLast (default true) the vectors have max elements and the largest value is all zeros; without, max+1.
// handleInvalid must be "error", as in Flink ML. Fit is one bounded job: per-subtask maxima, then one merge.
type OneHotEncoder struct{ params *Params }

// OneHotEncoderModel is Flink ML's OneHotEncoderModel; its data is each input column's largest value.
type OneHotEncoderModel struct {
	params *Params
	maxes  []int
	env    *engine.Environment
}

var (
	// OutputCols is "outputCols", default null.
	OutputCols = NewParam("outputCols", "Output column names.", StringArrayKind, nil, ParamValidator{})
	// StringOrderType is StringIndexer's "stringOrderType", default "arbitrary".
	StringOrderType = NewParam("stringOrderType", "How to order strings of each column.", StringKind, "arbitrary",
		InArray("arbitrary", "frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"))
	// MaxIndexNum is StringIndexer's "maxIndexNum", default math.MaxInt32, > 1.
	MaxIndexNum = NewParam("maxIndexNum", "The max number of indices for each column. It only works when "+
		"'stringOrderType' is set as 'frequencyDesc'.", IntKind, math.MaxInt32, Gt(1))
	// DropLast is OneHotEncoder's "dropLast", default true.
	DropLast = NewParam("dropLast", "Whether to drop the last category.", BoolKind, true, ParamValidator{})
)

const (
	stringIndexerClass      = "org.apache.flink.ml.feature.stringindexer.StringIndexer"
	stringIndexerModelClass = "org.apache.flink.ml.feature.stringindexer.StringIndexerModel"
	oneHotEncoderClass      = "org.apache.flink.ml.feature.onehotencoder.OneHotEncoder"
	oneHotEncoderModelClass = "org.apache.flink.ml.feature.onehotencoder.OneHotEncoderModel"
)

// NewStringIndexer returns a StringIndexer with Flink ML's defaults.
func NewStringIndexer() *StringIndexer {
	return &StringIndexer{params: newParams(InputCols, OutputCols, HandleInvalid, StringOrderType, MaxIndexNum)}
}

// NewStringIndexerModel returns a model without data.
func NewStringIndexerModel() *StringIndexerModel {
	return &StringIndexerModel{params: newParams(InputCols, OutputCols, HandleInvalid)}
}

// NewOneHotEncoder returns a OneHotEncoder with Flink ML's defaults.
func NewOneHotEncoder() *OneHotEncoder {
	return &OneHotEncoder{params: newParams(InputCols, OutputCols, HandleInvalid, DropLast)}
}

// NewOneHotEncoderModel returns a model without data.
func NewOneHotEncoderModel() *OneHotEncoderModel {
	return &OneHotEncoderModel{params: newParams(InputCols, OutputCols, HandleInvalid, DropLast)}
}

func init() {
	RegisterStage(stringIndexerClass, func() Stage { return NewStringIndexer() })
	RegisterStage(stringIndexerModelClass, func() Stage { return NewStringIndexerModel() })
	RegisterStage(oneHotEncoderClass, func() Stage { return NewOneHotEncoder() })
	RegisterStage(oneHotEncoderModelClass, func() Stage { return NewOneHotEncoderModel() })
}

func stringsParam(p *Params, param *Param) []string {
	v, _ := p.Get(param).([]string)
	return append([]string(nil), v...)
}

// checkColumns checks that inputCols are set and outputCols match them.
func checkColumns(p *Params, stage string) ([]string, []string, error) {
	in, out := stringsParam(p, InputCols), stringsParam(p, OutputCols)
	if len(in) == 0 || len(out) != len(in) {
		return nil, nil, fmt.Errorf("%w: %s needs inputCols and as many outputCols, got %d and %d", ErrParam, stage, len(in), len(out))
	}
	return in, out, nil
}

// indexString is the string a value is indexed by (Java's String.valueOf), and false for null.
func indexString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case float64:
		return javaDouble(x), true
	case float32:
		return javaDouble(float64(x)), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return fmt.Sprint(v), true
}

// GetParams returns the parameters.
func (s *StringIndexer) GetParams() *Params { return s.params }

// ClassName is Flink ML's class name.
func (s *StringIndexer) ClassName() string { return stringIndexerClass }

// Save writes the parameters to path.
func (s *StringIndexer) Save(path string) error { return saveStage(s, path, 0) }

// SetInputCols sets the input columns.
func (s *StringIndexer) SetInputCols(cols ...string) *StringIndexer {
	s.params.Set(InputCols, cols)
	return s
}

// GetInputCols returns the input columns.
func (s *StringIndexer) GetInputCols() []string { return stringsParam(s.params, InputCols) }

// SetOutputCols sets the output columns, one per input column.
func (s *StringIndexer) SetOutputCols(cols ...string) *StringIndexer {
	s.params.Set(OutputCols, cols)
	return s
}

// GetOutputCols returns the output columns.
func (s *StringIndexer) GetOutputCols() []string { return stringsParam(s.params, OutputCols) }

// SetHandleInvalid sets what unseen and null values do: "error", "skip" or "keep".
func (s *StringIndexer) SetHandleInvalid(v string) *StringIndexer {
	s.params.Set(HandleInvalid, v)
	return s
}

// GetHandleInvalid returns the invalid-value strategy.
func (s *StringIndexer) GetHandleInvalid() string { return s.params.getString(HandleInvalid) }

// SetStringOrderType sets the order of the indexed values.
func (s *StringIndexer) SetStringOrderType(v string) *StringIndexer {
	s.params.Set(StringOrderType, v)
	return s
}

// GetStringOrderType returns the order of the indexed values.
func (s *StringIndexer) GetStringOrderType() string { return s.params.getString(StringOrderType) }

// SetMaxIndexNum sets the most indices per column (> 1; only with "frequencyDesc").
func (s *StringIndexer) SetMaxIndexNum(v int) *StringIndexer { s.params.Set(MaxIndexNum, v); return s }

// GetMaxIndexNum returns the most indices per column.
func (s *StringIndexer) GetMaxIndexNum() int { return s.params.getInt(MaxIndexNum) }

// Fit learns the values of one table's input columns.
func (s *StringIndexer) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: StringIndexer.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	in, _, err := checkColumns(s.params, "StringIndexer")
	if err != nil {
		return nil, err
	}
	order, maxNum := s.GetStringOrderType(), s.GetMaxIndexNum()
	if maxNum < math.MaxInt32 && order != "frequencyDesc" {
		return nil, fmt.Errorf("%w: Setting maxIndexNum smaller than INT.MAX only works when stringOrderType is set as frequencyDesc", ErrParam)
	}
	v, err := aggregateRows(inputs[0], "StringIndexer", func(rows []Row) (any, error) {
		counts := make([]map[string]int, len(in))
		for c := range counts {
			counts[c] = map[string]int{}
		}
		for _, r := range rows {
			for c, col := range in {
				v, err := r.Field(col)
				if err != nil {
					return nil, err
				}
				if str, ok := indexString(v); ok {
					counts[c][str]++
				}
			}
		}
		return counts, nil
	}, func(parts []any) any {
		total := make([]map[string]int, len(in))
		for c := range total {
			total[c] = map[string]int{}
		}
		for _, p := range parts {
			for c, m := range p.([]map[string]int) {
				for k, n := range m {
					total[c][k] += n
				}
			}
		}
		return total
	})
	if err != nil {
		return nil, err
	}
	m := NewStringIndexerModel()
	m.params.UpdateExisting(s.params)
	m.env = inputs[0].Environment()
	for _, counts := range v.([]map[string]int) {
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		switch order {
		case "alphabetDesc":
			sort.Sort(sort.Reverse(sort.StringSlice(keys)))
		case "frequencyAsc":
			sort.SliceStable(keys, func(i, j int) bool { return counts[keys[i]] < counts[keys[j]] })
		case "frequencyDesc":
			sort.SliceStable(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
			if len(keys) > maxNum {
				keys = keys[:maxNum-1]
			}
		}
		m.strings = append(m.strings, keys)
	}
	return m, nil
}

// GetParams returns the parameters.
func (m *StringIndexerModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *StringIndexerModel) ClassName() string { return stringIndexerModelClass }

// Save writes the parameters and model data to path.
func (m *StringIndexerModel) Save(path string) error { return saveStage(m, path, 0) }

// SetInputCols sets the input columns.
func (m *StringIndexerModel) SetInputCols(cols ...string) *StringIndexerModel {
	m.params.Set(InputCols, cols)
	return m
}

// SetOutputCols sets the output columns.
func (m *StringIndexerModel) SetOutputCols(cols ...string) *StringIndexerModel {
	m.params.Set(OutputCols, cols)
	return m
}

// SetHandleInvalid sets what unseen and null values do.
func (m *StringIndexerModel) SetHandleInvalid(v string) *StringIndexerModel {
	m.params.Set(HandleInvalid, v)
	return m
}

// GetModelData returns one table of one row with column "stringArrays" ([][]string).
func (m *StringIndexerModel) GetModelData() []*Table {
	if m.strings == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("stringArrays", m.strings)})}
}

// SetModelData takes "stringArrays" from the first row of one table.
func (m *StringIndexerModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%w: SetModelData: the table is empty", ErrParam)
	}
	v, err := rows[0].Field("stringArrays")
	if err != nil {
		return err
	}
	ss, ok := v.([][]string)
	if !ok {
		return fmt.Errorf("column \"stringArrays\": %w: got %T, want [][]string", ErrColumnType, v)
	}
	m.strings, m.env = ss, inputs[0].Environment()
	return nil
}

// Transform appends each input column's index to every row of one table.
func (m *StringIndexerModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.strings != nil, "StringIndexerModel"); err != nil {
		return nil, err
	}
	in, out, err := checkColumns(m.params, "StringIndexerModel")
	if err != nil {
		return nil, err
	}
	if len(in) != len(m.strings) {
		return nil, fmt.Errorf("%w: StringIndexerModel has %d input columns and data for %d", ErrParam, len(in), len(m.strings))
	}
	index := make([]map[string]int, len(in))
	for c, ss := range m.strings {
		index[c] = make(map[string]int, len(ss))
		for i, s := range ss {
			index[c][s] = i
		}
	}
	handle := m.params.getString(HandleInvalid)
	t, err := flatMapRows(inputs[0], "StringIndexerModel", func(r Row) (Row, bool, error) {
		res := r
		for c, col := range in {
			v, err := r.Field(col)
			if err != nil {
				return Row{}, false, err
			}
			str, ok := indexString(v)
			ix, seen := index[c][str]
			if !ok || !seen {
				switch handle {
				case "skip":
					return Row{}, false, nil
				case "keep":
					ix = len(m.strings[c])
				default:
					return Row{}, false, fmt.Errorf("%w: the input contains unseen string: %v", ErrColumnType, v)
				}
			}
			res = res.With(out[c], float64(ix))
		}
		return res, true, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

func (m *StringIndexerModel) dataJSON() ([]byte, error) {
	return json.Marshal(map[string][][]string{"stringArrays": m.strings})
}

func (m *StringIndexerModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j map[string][][]string
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j["stringArrays"] == nil {
		return fmt.Errorf("%w: no stringArrays", ErrParam)
	}
	m.strings, m.env = j["stringArrays"], env
	return nil
}

// GetParams returns the parameters.
func (e *OneHotEncoder) GetParams() *Params { return e.params }

// ClassName is Flink ML's class name.
func (e *OneHotEncoder) ClassName() string { return oneHotEncoderClass }

// Save writes the parameters to path.
func (e *OneHotEncoder) Save(path string) error { return saveStage(e, path, 0) }

// SetInputCols sets the input columns.
func (e *OneHotEncoder) SetInputCols(cols ...string) *OneHotEncoder {
	e.params.Set(InputCols, cols)
	return e
}

// GetInputCols returns the input columns.
func (e *OneHotEncoder) GetInputCols() []string { return stringsParam(e.params, InputCols) }

// SetOutputCols sets the output columns, one per input column.
func (e *OneHotEncoder) SetOutputCols(cols ...string) *OneHotEncoder {
	e.params.Set(OutputCols, cols)
	return e
}

// GetOutputCols returns the output columns.
func (e *OneHotEncoder) GetOutputCols() []string { return stringsParam(e.params, OutputCols) }

// SetDropLast sets whether the largest value encodes as all zeros.
func (e *OneHotEncoder) SetDropLast(v bool) *OneHotEncoder { e.params.Set(DropLast, v); return e }

// GetDropLast returns dropLast.
func (e *OneHotEncoder) GetDropLast() bool { return e.params.getBool(DropLast) }

// categoryIndex reads an integral, non-negative number.
func categoryIndex(r Row, col string) (int, error) {
	f, err := r.Float(col)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, fmt.Errorf("%w: Value %v cannot be parsed as indexed integer", ErrColumnType, f)
	}
	if f < 0 {
		return 0, fmt.Errorf("%w: Negative value not supported", ErrColumnType)
	}
	return int(f), nil
}

// Fit learns the largest value of each input column of one table.
func (e *OneHotEncoder) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: OneHotEncoder.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	if e.params.getString(HandleInvalid) != "error" {
		return nil, fmt.Errorf("%w: OneHotEncoder supports handleInvalid \"error\" only, as Flink ML's", ErrParam)
	}
	in, _, err := checkColumns(e.params, "OneHotEncoder")
	if err != nil {
		return nil, err
	}
	v, err := aggregateRows(inputs[0], "OneHotEncoder", func(rows []Row) (any, error) {
		maxes := make([]int, len(in))
		for c := range maxes {
			maxes[c] = -1
		}
		for _, r := range rows {
			for c, col := range in {
				ix, err := categoryIndex(r, col)
				if err != nil {
					return nil, err
				}
				maxes[c] = max(maxes[c], ix)
			}
		}
		return maxes, nil
	}, func(parts []any) any {
		maxes := append([]int(nil), parts[0].([]int)...)
		for _, p := range parts[1:] {
			for c, x := range p.([]int) {
				maxes[c] = max(maxes[c], x)
			}
		}
		return maxes
	})
	if err != nil {
		return nil, err
	}
	m := NewOneHotEncoderModel()
	m.params.UpdateExisting(e.params)
	m.maxes, m.env = v.([]int), inputs[0].Environment()
	for c, x := range m.maxes {
		if x < 0 {
			return nil, fmt.Errorf("%w: OneHotEncoder.Fit: column %q has no rows", ErrParam, in[c])
		}
	}
	return m, nil
}

// GetParams returns the parameters.
func (m *OneHotEncoderModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *OneHotEncoderModel) ClassName() string { return oneHotEncoderModelClass }

// Save writes the parameters and model data to path.
func (m *OneHotEncoderModel) Save(path string) error { return saveStage(m, path, 0) }

// SetInputCols sets the input columns.
func (m *OneHotEncoderModel) SetInputCols(cols ...string) *OneHotEncoderModel {
	m.params.Set(InputCols, cols)
	return m
}

// GetInputCols returns the input columns.
func (m *OneHotEncoderModel) GetInputCols() []string { return stringsParam(m.params, InputCols) }

// SetOutputCols sets the output columns.
func (m *OneHotEncoderModel) SetOutputCols(cols ...string) *OneHotEncoderModel {
	m.params.Set(OutputCols, cols)
	return m
}

// GetOutputCols returns the output columns.
func (m *OneHotEncoderModel) GetOutputCols() []string { return stringsParam(m.params, OutputCols) }

// SetDropLast sets whether the largest value encodes as all zeros.
func (m *OneHotEncoderModel) SetDropLast(v bool) *OneHotEncoderModel {
	m.params.Set(DropLast, v)
	return m
}

// GetDropLast returns dropLast.
func (m *OneHotEncoderModel) GetDropLast() bool { return m.params.getBool(DropLast) }

// GetModelData returns one table with a row per input column: "columnIndex" and "maxValue" (int), as
// Flink ML's Tuple2 model data.
func (m *OneHotEncoderModel) GetModelData() []*Table {
	if m.maxes == nil {
		return nil
	}
	rows := make([]Row, len(m.maxes))
	for c, x := range m.maxes {
		rows[c] = NewRow("columnIndex", c, "maxValue", x)
	}
	return []*Table{FromRows(m.env, rows)}
}

// SetModelData takes the maxima from a table of the form GetModelData returns.
func (m *OneHotEncoderModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	maxes := make([]int, len(rows))
	for _, r := range rows {
		c, err := categoryIndex(r, "columnIndex")
		if err != nil {
			return err
		}
		x, err := categoryIndex(r, "maxValue")
		if err != nil {
			return err
		}
		if c >= len(maxes) {
			return fmt.Errorf("%w: columnIndex %d out of range", ErrParam, c)
		}
		maxes[c] = x
	}
	m.maxes, m.env = maxes, inputs[0].Environment()
	return nil
}

// Transform appends each input column's one-hot vector (a *SparseVector) to every row of one table.
func (m *OneHotEncoderModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.maxes != nil, "OneHotEncoderModel"); err != nil {
		return nil, err
	}
	in, out, err := checkColumns(m.params, "OneHotEncoderModel")
	if err != nil {
		return nil, err
	}
	if len(in) != len(m.maxes) {
		return nil, fmt.Errorf("%w: OneHotEncoderModel has %d input columns and data for %d", ErrParam, len(in), len(m.maxes))
	}
	offset := 1
	if m.GetDropLast() {
		offset = 0
	}
	t, err := mapRows(inputs[0], "OneHotEncoderModel", func(r Row) (Row, error) {
		res := r
		for c, col := range in {
			ix, err := categoryIndex(r, col)
			if err != nil {
				return Row{}, err
			}
			size := m.maxes[c] + offset
			switch {
			case ix == size:
				res = res.With(out[c], &SparseVector{N: size})
			case ix < size:
				res = res.With(out[c], &SparseVector{N: size, Indices: []int{ix}, Values: []float64{1}})
			default:
				return Row{}, fmt.Errorf("%w: value %d is above the largest value fitted, %d", ErrColumnType, ix, m.maxes[c])
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

func (m *OneHotEncoderModel) dataJSON() ([]byte, error) {
	return json.Marshal(map[string][]int{"maxValues": m.maxes})
}

func (m *OneHotEncoderModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j map[string][]int
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j["maxValues"] == nil {
		return fmt.Errorf("%w: no maxValues", ErrParam)
	}
	m.maxes, m.env = j["maxValues"], env
	return nil
}
