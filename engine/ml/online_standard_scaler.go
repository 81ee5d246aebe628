package ml

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
)

var (
	// WindowsParam is OnlineStandardScaler's "windows", default "GlobalWindows": how the input is cut into
	// windows, one model version per window (Flink ML's HasWindows). Its values are the strings GlobalWindows,
	// CountTumblingWindows, EventTimeTumblingWindows, ProcessingTimeTumblingWindows, EventTimeSessionWindows
	// and ProcessingTimeSessionWindows return.
	WindowsParam = NewParam("windows", "Windowing strategy that determines how to create mini-batches from input data.",
		StringKind, "GlobalWindows", ParamValidator{Describe: "a windows specification such as CountTumblingWindows(3)",
			Check: func(v any) bool {
				s, ok := v.(string)
				if !ok {
					return false
				}
				_, _, err := parseWindows(s)
				return err == nil
			}})
	// ScalerModelVersionCol is OnlineStandardScaler's "modelVersionCol", default "version" (Flink ML's
	// HasModelVersionCol): the output column of the model version used for each row; "" outputs none.
	ScalerModelVersionCol = NewParam("modelVersionCol", "The name of the column which contains the version of the model data.",
		StringKind, "version", ParamValidator{})
	// MaxAllowedModelDelayMs is "maxAllowedModelDelayMs", default 0, >= 0: a row with timestamp t is
	// transformed only with a model version whose timestamp is at least t - maxAllowedModelDelayMs, and waits
	// for one (Flink ML's HasMaxAllowedModelDelayMs).
	MaxAllowedModelDelayMs = NewParam("maxAllowedModelDelayMs", "The maximum difference allowed between the timestamps of the input record and the model data that is used to predict that input record.",
		LongKind, int64(0), GtEq(0))
)

const (
	onlineStandardScalerClass      = "org.apache.flink.ml.feature.standardscaler.OnlineStandardScaler"
	onlineStandardScalerModelClass = "org.apache.flink.ml.feature.standardscaler.OnlineStandardScalerModel"
)

// GlobalWindows is the windows specification of one window over the whole input, which fires when the input
// ends (Flink ML's GlobalWindows).
func GlobalWindows() string { return "GlobalWindows" }

// CountTumblingWindows is the windows specification of tumbling windows of size rows (Flink ML's
// CountTumblingWindows.of(size)). It panics if size < 1.
func CountTumblingWindows(size int64) string {
	if size < 1 {
		panic(fmt.Sprintf("ml: CountTumblingWindows: size %d must be positive", size))
	}
	return fmt.Sprintf("CountTumblingWindows(%d)", size)
}

// EventTimeTumblingWindows is the windows specification of event-time tumbling windows of sizeMs
// milliseconds (Flink ML's EventTimeTumblingWindows.of(Time.milliseconds(sizeMs))). It panics if sizeMs < 1.
func EventTimeTumblingWindows(sizeMs int64) string {
	return timeWindows("EventTimeTumblingWindows", sizeMs)
}

// ProcessingTimeTumblingWindows is the windows specification of processing-time tumbling windows of sizeMs
// milliseconds. It panics if sizeMs < 1.
func ProcessingTimeTumblingWindows(sizeMs int64) string {
	return timeWindows("ProcessingTimeTumblingWindows", sizeMs)
}

// EventTimeSessionWindows is the windows specification of event-time session windows with a gap of gapMs
// milliseconds. It panics if gapMs < 1.
func EventTimeSessionWindows(gapMs int64) string {
	return timeWindows("EventTimeSessionWindows", gapMs)
}

// ProcessingTimeSessionWindows is the windows specification of processing-time session windows with a gap
// of gapMs milliseconds. It panics if gapMs < 1.
func ProcessingTimeSessionWindows(gapMs int64) string {
	return timeWindows("ProcessingTimeSessionWindows", gapMs)
}

func timeWindows(kind string, ms int64) string {
	if ms < 1 {
		panic(fmt.Sprintf("ml: %s: %d ms must be positive", kind, ms))
	}
	return fmt.Sprintf("%s(%d)", kind, ms)
}

// parseWindows splits a windows specification into its kind and size.
func parseWindows(s string) (string, int64, error) {
	if s == "GlobalWindows" {
		return s, 0, nil
	}
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return "", 0, fmt.Errorf("%w: windows %q", ErrParam, s)
	}
	kind := s[:open]
	n, err := strconv.ParseInt(s[open+1:len(s)-1], 10, 64)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("%w: windows %q: the size must be a positive integer", ErrParam, s)
	}
	switch kind {
	case "CountTumblingWindows", "EventTimeTumblingWindows", "ProcessingTimeTumblingWindows",
		"EventTimeSessionWindows", "ProcessingTimeSessionWindows":
		return kind, n, nil
	}
	return "", 0, fmt.Errorf("%w: windows %q: unknown kind %q", ErrParam, s, kind)
}

// OnlineStandardScaler is Flink ML's OnlineStandardScaler
// (org.apache.flink.ml.feature.standardscaler.OnlineStandardScaler): StandardScaler on an unbounded stream.
// The input is cut into windows (SetWindows); when a window fires, the mean and the standard deviation
// (unbiased, n-1; 0 for one row) of every row seen so far, in this window and all before it, become a new
// model version (0, 1, 2, ...) with the window's max timestamp for event-time windows, else math.MaxInt64.
// A window without rows makes no version.
//
// Parameters (Flink ML's names and defaults): inputCol "input", outputCol "output", withMean false, withStd
// true, modelVersionCol "version", windows "GlobalWindows", maxAllowedModelDelayMs 0. The windows run on one
// subtask (a window over all rows, Flink ML's windowAll); the running sums are keyed state of that window
// operator, so they are in checkpoints.
type OnlineStandardScaler struct{ params *Params }

// OnlineStandardScalerModel is Flink ML's OnlineStandardScalerModel: StandardScalerModel's transformation
// ((x - mean) / std per element, by withMean and withStd; an element whose std is 0 becomes 0 when scaled)
// with the latest model version of a stream, writing the version used in modelVersionCol. A row with a
// timestamp waits for a version whose timestamp is at least its own minus maxAllowedModelDelayMs.
type OnlineStandardScalerModel struct {
	params    *Params
	modelData *Table
	stats     *onlineScalerStats
}

// OnlineStandardScalerVersion is one model version's figures: its number, timestamp, the number of rows seen,
// and the mean and standard deviation.
type OnlineStandardScalerVersion struct {
	Version   int64
	Timestamp int64
	Count     int64
	Mean, Std *DenseVector
}

type onlineScalerStats struct {
	mu     sync.Mutex
	latest OnlineStandardScalerVersion
	has    bool
}

// scalerAcc is the running sums of OnlineStandardScaler, kept in keyed state.
type scalerAcc struct {
	N       int64
	Sum     []float64
	SqSum   []float64
	Version int64
}

// NewOnlineStandardScaler returns an OnlineStandardScaler with Flink ML's defaults.
func NewOnlineStandardScaler() *OnlineStandardScaler {
	return &OnlineStandardScaler{params: newParams(InputCol, OutputCol, WithMean, WithStd, ScalerModelVersionCol,
		WindowsParam, MaxAllowedModelDelayMs)}
}

// NewOnlineStandardScalerModel returns an OnlineStandardScalerModel without model data.
func NewOnlineStandardScalerModel() *OnlineStandardScalerModel {
	return &OnlineStandardScalerModel{params: newParams(InputCol, OutputCol, WithMean, WithStd, ScalerModelVersionCol,
		MaxAllowedModelDelayMs)}
}

func init() {
	RegisterStage(onlineStandardScalerClass, func() Stage { return NewOnlineStandardScaler() })
	RegisterStage(onlineStandardScalerModelClass, func() Stage { return NewOnlineStandardScalerModel() })
}

// GetParams returns the parameters.
func (s *OnlineStandardScaler) GetParams() *Params { return s.params }

// ClassName returns Flink ML's class name.
func (s *OnlineStandardScaler) ClassName() string { return onlineStandardScalerClass }

// Save writes the parameters to the folder path.
func (s *OnlineStandardScaler) Save(path string) error { return saveStage(s, path, 0) }

// SetInputCol sets the input column.
func (s *OnlineStandardScaler) SetInputCol(v string) *OnlineStandardScaler {
	s.params.Set(InputCol, v)
	return s
}

// GetInputCol returns the input column.
func (s *OnlineStandardScaler) GetInputCol() string { return s.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (s *OnlineStandardScaler) SetOutputCol(v string) *OnlineStandardScaler {
	s.params.Set(OutputCol, v)
	return s
}

// GetOutputCol returns the output column.
func (s *OnlineStandardScaler) GetOutputCol() string { return s.params.getString(OutputCol) }

// SetWithMean sets whether to subtract the mean.
func (s *OnlineStandardScaler) SetWithMean(v bool) *OnlineStandardScaler {
	s.params.Set(WithMean, v)
	return s
}

// GetWithMean returns whether to subtract the mean.
func (s *OnlineStandardScaler) GetWithMean() bool { return s.params.getBool(WithMean) }

// SetWithStd sets whether to divide by the standard deviation.
func (s *OnlineStandardScaler) SetWithStd(v bool) *OnlineStandardScaler {
	s.params.Set(WithStd, v)
	return s
}

// GetWithStd returns whether to divide by the standard deviation.
func (s *OnlineStandardScaler) GetWithStd() bool { return s.params.getBool(WithStd) }

// SetModelVersionCol sets the output column of the model version ("" for none).
func (s *OnlineStandardScaler) SetModelVersionCol(v string) *OnlineStandardScaler {
	s.params.Set(ScalerModelVersionCol, v)
	return s
}

// GetModelVersionCol returns the output column of the model version.
func (s *OnlineStandardScaler) GetModelVersionCol() string {
	return s.params.getString(ScalerModelVersionCol)
}

// SetWindows sets the windows (a string of GlobalWindows, CountTumblingWindows, EventTimeTumblingWindows, ...).
// It panics on an invalid specification.
func (s *OnlineStandardScaler) SetWindows(v string) *OnlineStandardScaler {
	s.params.Set(WindowsParam, v)
	return s
}

// GetWindows returns the windows specification.
func (s *OnlineStandardScaler) GetWindows() string { return s.params.getString(WindowsParam) }

// SetMaxAllowedModelDelayMs sets the largest allowed difference between a row's and its model's timestamps
// (>= 0).
func (s *OnlineStandardScaler) SetMaxAllowedModelDelayMs(v int64) *OnlineStandardScaler {
	s.params.Set(MaxAllowedModelDelayMs, v)
	return s
}

// GetMaxAllowedModelDelayMs returns the largest allowed model delay in milliseconds.
func (s *OnlineStandardScaler) GetMaxAllowedModelDelayMs() int64 {
	return s.params.Get(MaxAllowedModelDelayMs).(int64)
}

// Fit returns an OnlineStandardScalerModel whose model data stream is computed from one table (usually a
// lazy table over an unbounded stream; event-time windows need its records to carry timestamps).
func (s *OnlineStandardScaler) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 || inputs[0] == nil {
		return nil, fmt.Errorf("%w: OnlineStandardScaler.Fit takes one table", ErrParam)
	}
	in := inputs[0]
	kind, size, err := parseWindows(s.GetWindows())
	if err != nil {
		return nil, err
	}
	all := in.DataStream().KeyBy(func(any) any { return 0 })
	var ws *engine.WindowedStream
	eventTime := false
	switch kind {
	case "GlobalWindows":
		ws = all.Window(engine.GlobalWindowsWithEndOfStreamTrigger())
	case "CountTumblingWindows":
		ws = all.CountWindow(size)
	case "EventTimeTumblingWindows":
		ws, eventTime = all.Window(engine.TumblingEventTimeWindows(time.Duration(size)*time.Millisecond)), true
	case "ProcessingTimeTumblingWindows":
		ws = all.Window(engine.TumblingProcessingTimeWindows(time.Duration(size) * time.Millisecond))
	case "EventTimeSessionWindows":
		ws, eventTime = all.Window(engine.EventTimeSessionWindows(time.Duration(size)*time.Millisecond)), true
	case "ProcessingTimeSessionWindows":
		ws = all.Window(engine.ProcessingTimeSessionWindows(time.Duration(size) * time.Millisecond))
	}
	col := s.GetInputCol()
	stats := &onlineScalerStats{}
	live := newProgressRecorder("OnlineStandardScaler", "")
	desc := engine.State("onlineStandardScaler")
	data := ws.Process(func(ctx *engine.WindowContext, _ any, elements []any, out engine.Collector) {
		st := ctx.GlobalState().ValueState(desc)
		acc := scalerAcc{}
		if v, ok := st.Get(); ok {
			acc = v.(scalerAcc)
			acc.Sum = append([]float64(nil), acc.Sum...)
			acc.SqSum = append([]float64(nil), acc.SqSum...)
		}
		before := acc.N
		for _, e := range elements {
			r, ok := e.(Row)
			if !ok {
				panic(fmt.Errorf("%w: OnlineStandardScaler got a %T, want ml.Row", ErrColumnType, e))
			}
			v, err := r.Vector(col)
			if err != nil {
				panic(fmt.Errorf("OnlineStandardScaler: %w", err))
			}
			a := v.ToArray()
			if acc.N == 0 {
				acc.Sum, acc.SqSum = make([]float64, len(a)), make([]float64, len(a))
			}
			if len(a) != len(acc.Sum) {
				panic(fmt.Errorf("OnlineStandardScaler: %w: a vector of %d elements after %d", ErrColumnType, len(a), len(acc.Sum)))
			}
			for i, x := range a {
				acc.Sum[i] += x
				acc.SqSum[i] += x * x
			}
			acc.N++
		}
		if acc.N == before {
			return
		}
		ts := int64(math.MaxInt64)
		if eventTime {
			ts = ctx.Window().MaxTimestamp()
		}
		mean, std := scalerFigures(acc)
		stats.mu.Lock()
		stats.latest = OnlineStandardScalerVersion{Version: acc.Version, Timestamp: ts, Count: acc.N,
			Mean: Dense(mean.Values...), Std: Dense(std.Values...)}
		stats.has = true
		stats.mu.Unlock()
		live.record(acc.Version, acc.N, 0, []ModelVector{{Name: "mean", Values: append([]float64(nil), mean.Values...)},
			{Name: "std", Values: append([]float64(nil), std.Values...)}})
		out.Collect(NewRow("mean", mean, "std", std, "version", acc.Version, "timestamp", ts))
		acc.Version++
		st.Update(acc)
	}).Name("OnlineStandardScaler").Gauge(ProgressGauge, live.progress)
	m := NewOnlineStandardScalerModel()
	m.params.UpdateExisting(s.params)
	m.modelData = FromDataStream(in.Environment(), data)
	m.stats = stats
	return m, nil
}

// scalerFigures is Flink ML's OnlineStandardScaler.buildModelData: the mean and the unbiased standard
// deviation of the rows seen.
func scalerFigures(acc scalerAcc) (*DenseVector, *DenseVector) {
	n := float64(acc.N)
	mean, std := Zeros(len(acc.Sum)), Zeros(len(acc.Sum))
	for i := range acc.Sum {
		mean.Values[i] = acc.Sum[i] / n
		if acc.N > 1 {
			std.Values[i] = math.Sqrt((acc.SqSum[i] - n*mean.Values[i]*mean.Values[i]) / (n - 1))
		}
	}
	return mean, std
}

// GetParams returns the parameters.
func (m *OnlineStandardScalerModel) GetParams() *Params { return m.params }

// ClassName returns Flink ML's class name.
func (m *OnlineStandardScalerModel) ClassName() string { return onlineStandardScalerModelClass }

// Save writes the parameters to the folder path (the model data is a stream, which is not saved, as in Flink
// ML).
func (m *OnlineStandardScalerModel) Save(path string) error { return saveStage(m, path, 0) }

// SetInputCol sets the input column.
func (m *OnlineStandardScalerModel) SetInputCol(v string) *OnlineStandardScalerModel {
	m.params.Set(InputCol, v)
	return m
}

// GetInputCol returns the input column.
func (m *OnlineStandardScalerModel) GetInputCol() string { return m.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (m *OnlineStandardScalerModel) SetOutputCol(v string) *OnlineStandardScalerModel {
	m.params.Set(OutputCol, v)
	return m
}

// GetOutputCol returns the output column.
func (m *OnlineStandardScalerModel) GetOutputCol() string { return m.params.getString(OutputCol) }

// SetWithMean sets whether to subtract the mean.
func (m *OnlineStandardScalerModel) SetWithMean(v bool) *OnlineStandardScalerModel {
	m.params.Set(WithMean, v)
	return m
}

// GetWithMean returns whether to subtract the mean.
func (m *OnlineStandardScalerModel) GetWithMean() bool { return m.params.getBool(WithMean) }

// SetWithStd sets whether to divide by the standard deviation.
func (m *OnlineStandardScalerModel) SetWithStd(v bool) *OnlineStandardScalerModel {
	m.params.Set(WithStd, v)
	return m
}

// GetWithStd returns whether to divide by the standard deviation.
func (m *OnlineStandardScalerModel) GetWithStd() bool { return m.params.getBool(WithStd) }

// SetModelVersionCol sets the output column of the model version ("" for none).
func (m *OnlineStandardScalerModel) SetModelVersionCol(v string) *OnlineStandardScalerModel {
	m.params.Set(ScalerModelVersionCol, v)
	return m
}

// GetModelVersionCol returns the output column of the model version.
func (m *OnlineStandardScalerModel) GetModelVersionCol() string {
	return m.params.getString(ScalerModelVersionCol)
}

// SetMaxAllowedModelDelayMs sets the largest allowed difference between a row's and its model's timestamps.
func (m *OnlineStandardScalerModel) SetMaxAllowedModelDelayMs(v int64) *OnlineStandardScalerModel {
	m.params.Set(MaxAllowedModelDelayMs, v)
	return m
}

// GetMaxAllowedModelDelayMs returns the largest allowed model delay in milliseconds.
func (m *OnlineStandardScalerModel) GetMaxAllowedModelDelayMs() int64 {
	return m.params.Get(MaxAllowedModelDelayMs).(int64)
}

// GetModelData returns the model data: one lazy table whose rows are the model versions, with columns
// "mean", "std" (*DenseVector), "version" and "timestamp" (int64), as Flink ML's.
func (m *OnlineStandardScalerModel) GetModelData() []*Table {
	if m.modelData == nil {
		return nil
	}
	return []*Table{m.modelData}
}

// SetModelData sets the model data: a table (usually a stream) of rows of the form GetModelData returns; a
// row without "timestamp" may serve any row, one without "version" is version 0.
func (m *OnlineStandardScalerModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 || inputs[0] == nil {
		return fmt.Errorf("%w: OnlineStandardScalerModel.SetModelData takes one table", ErrParam)
	}
	m.modelData, m.stats = inputs[0], nil
	return nil
}

// LatestVersion returns the figures of the latest model version the training has produced (for a live view
// to poll while the job runs), and false before the first one or if the model data was set with SetModelData.
func (m *OnlineStandardScalerModel) LatestVersion() (OnlineStandardScalerVersion, bool) {
	if m.stats == nil {
		return OnlineStandardScalerVersion{}, false
	}
	m.stats.mu.Lock()
	defer m.stats.mu.Unlock()
	v := m.stats.latest
	if v.Mean != nil {
		v.Mean, v.Std = Dense(v.Mean.Values...), Dense(v.Std.Values...)
	}
	return v, m.stats.has
}

// scalerVersion is a decoded model version: the mean and the inverse standard deviation.
type scalerVersion struct {
	mean, scale []float64
}

// Transform appends the output column (the scaled vector) and, unless modelVersionCol is "", the model version
// used, to every row of one table.
func (m *OnlineStandardScalerModel) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: OnlineStandardScalerModel.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	if m.modelData == nil {
		return nil, fmt.Errorf("%w: OnlineStandardScalerModel has no model data (Fit or SetModelData)", ErrParam)
	}
	ic, oc, vc := m.GetInputCol(), m.GetOutputCol(), m.GetModelVersionCol()
	withMean, withStd := m.GetWithMean(), m.GetWithStd()
	out, err := onlinePredict(inputs[0], m.modelData, "OnlineStandardScalerModel", m.GetMaxAllowedModelDelayMs(),
		func(r Row) (onlineVersion, error) {
			ver, err := versionOf(r, "version")
			if err != nil {
				return onlineVersion{}, err
			}
			ts := int64(math.MaxInt64)
			if r.Index("timestamp") >= 0 {
				v, ok := r.Get("timestamp").(int64)
				if !ok {
					return onlineVersion{}, fmt.Errorf("column \"timestamp\": %w: got %T, want int64", ErrColumnType, r.Get("timestamp"))
				}
				ts = v
			}
			mean, err := r.Vector("mean")
			if err != nil {
				return onlineVersion{}, err
			}
			std, err := r.Vector("std")
			if err != nil {
				return onlineVersion{}, err
			}
			sv := scalerVersion{mean: mean.ToArray(), scale: std.ToArray()}
			for i, x := range sv.scale {
				if x != 0 {
					sv.scale[i] = 1 / x
				}
			}
			return onlineVersion{model: sv, version: ver, timestamp: ts}, nil
		}, func(r Row, ov onlineVersion) (Row, error) {
			sv := ov.model.(scalerVersion)
			v, err := r.Vector(ic)
			if err != nil {
				return Row{}, err
			}
			if v.Size() != len(sv.mean) {
				return Row{}, fmt.Errorf("%w: a vector of %d elements, the model has %d", ErrColumnType, v.Size(), len(sv.mean))
			}
			var o Vector
			if sp, ok := v.(*SparseVector); ok && !withMean {
				c := sp.Clone().(*SparseVector)
				if withStd {
					for k, i := range c.Indices {
						c.Values[k] *= sv.scale[i]
					}
				}
				o = c
			} else {
				a := v.ToArray()
				for i := range a {
					if withMean {
						a[i] -= sv.mean[i]
					}
					if withStd {
						a[i] *= sv.scale[i]
					}
				}
				o = Dense(a...)
			}
			out := r.With(oc, o)
			if vc != "" {
				out = out.With(vc, ov.version)
			}
			return out, nil
		})
	if err != nil {
		return nil, err
	}
	return []*Table{out}, nil
}
