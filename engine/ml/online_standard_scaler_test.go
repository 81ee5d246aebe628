package ml_test

import (
	"math"
	"sort"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// Flink: OnlineStandardScalerTest's inputData (id = event time in ms, input) and expectedModelData.
var (
	ossInput = []struct {
		ts int64
		v  []float64
	}{
		{0, []float64{-2.5, 9, 1}}, {1000, []float64{1.4, -5, 1}}, {2000, []float64{2, -1, -2}},
		{6000, []float64{0.7, 3, 1}}, {7000, []float64{0, 1, 1}}, {8000, []float64{0.5, 0, -2}},
		{9000, []float64{0.4, 1, 1}}, {10000, []float64{0.3, 2, 1}}, {11000, []float64{0.5, 1, -2}},
	}
	ossExpected = []struct {
		mean, std []float64
		version   int64
		ts        int64
	}{
		{[]float64{0.3, 1, 0}, []float64{2.4433583, 7.2111026, 1.7320508}, 0, 2999},
		{[]float64{0.35, 1.1666667, 0}, []float64{1.5630099, 4.6654760, 1.5491933}, 1, 8999},
		{[]float64{0.3666667, 1.2222222, 0}, []float64{1.2369316, 3.7006005, 1.5}, 2, 11999},
	}
)

// ossTable is the input as a stream, with event time from the id column when eventTime is set.
func ossTable(env *engine.Environment, eventTime bool) *ml.Table {
	in := make([]any, len(ossInput))
	for i, x := range ossInput {
		in[i] = ml.NewRow("id", x.ts, "input", ml.Dense(x.v...))
	}
	s := env.FromSlice(in)
	if eventTime {
		s = s.AssignTimestampsAndWatermarks(engine.ForMonotonousTimestamps().WithTimestampAssigner(func(v any, _ int64) int64 {
			return v.(ml.Row).Get("id").(int64)
		}))
	}
	return ml.FromDataStream(env, s)
}

func collectStream(t *testing.T, env *engine.Environment, tables ...*ml.Table) [][]ml.Row {
	t.Helper()
	var cs []*engine.Collected
	for _, tb := range tables {
		cs = append(cs, tb.DataStream().Collect())
	}
	if _, err := env.Execute("online scaler"); err != nil {
		t.Fatal(err)
	}
	out := make([][]ml.Row, len(cs))
	for i, c := range cs {
		for _, v := range c.Values() {
			out[i] = append(out[i], v.(ml.Row))
		}
	}
	return out
}

func checkScalerModelData(t *testing.T, rows []ml.Row, checkTimestamp bool) {
	t.Helper()
	sort.Slice(rows, func(i, j int) bool { return rows[i].Get("version").(int64) < rows[j].Get("version").(int64) })
	if len(rows) != len(ossExpected) {
		t.Fatalf("%d model versions %v, want %d", len(rows), rows, len(ossExpected))
	}
	for i, e := range ossExpected {
		r := rows[i]
		if !ml.VectorEquals(r.Get("mean").(*ml.DenseVector), ml.Dense(e.mean...), 1e-7) ||
			!ml.VectorEquals(r.Get("std").(*ml.DenseVector), ml.Dense(e.std...), 1e-7) || r.Get("version").(int64) != e.version {
			t.Errorf("version %d: %v, want mean %v std %v", i, r, e.mean, e.std)
		}
		if checkTimestamp && r.Get("timestamp").(int64) != e.ts {
			t.Errorf("version %d: timestamp %v, want %d", i, r.Get("timestamp"), e.ts)
		}
	}
}

// Flink: OnlineStandardScalerTest#testParam.
func TestOnlineStandardScalerParam(t *testing.T) {
	s := ml.NewOnlineStandardScaler()
	if s.GetInputCol() != "input" || s.GetWithMean() || !s.GetWithStd() || s.GetOutputCol() != "output" ||
		s.GetModelVersionCol() != "version" || s.GetWindows() != ml.GlobalWindows() || s.GetMaxAllowedModelDelayMs() != 0 {
		t.Fatalf("defaults %v", s.GetParams())
	}
	s.SetInputCol("test_input").SetWithMean(true).SetWithStd(false).SetOutputCol("test_output").
		SetModelVersionCol("test_version").SetWindows(ml.EventTimeTumblingWindows(3000)).SetMaxAllowedModelDelayMs(3000)
	if s.GetInputCol() != "test_input" || !s.GetWithMean() || s.GetWithStd() || s.GetOutputCol() != "test_output" ||
		s.GetModelVersionCol() != "test_version" || s.GetWindows() != "EventTimeTumblingWindows(3000)" ||
		s.GetMaxAllowedModelDelayMs() != 3000 {
		t.Fatalf("set %v", s.GetParams())
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("SetWindows accepted a bad specification")
			}
		}()
		s.SetWindows("TumblingWindows(3)")
	}()
}

// Flink: OnlineStandardScalerTest#testFitAndPredictWithCountWindow.
func TestOnlineStandardScalerCountWindow(t *testing.T) {
	env := streamEnv(2)
	m, err := ml.NewOnlineStandardScaler().SetWindows(ml.CountTumblingWindows(3)).Fit(ossTable(env, false))
	if err != nil {
		t.Fatal(err)
	}
	om := m.(*ml.OnlineStandardScalerModel)
	out, err := om.Transform(ossTable(env, false))
	if err != nil {
		t.Fatal(err)
	}
	got := collectStream(t, env, om.GetModelData()[0], out[0])
	checkScalerModelData(t, got[0], false)
	if len(got[1]) != len(ossInput) {
		t.Errorf("%d predictions, want %d", len(got[1]), len(ossInput))
	}
	if v, ok := om.LatestVersion(); !ok || v.Version != 2 || v.Count != 9 {
		t.Errorf("LatestVersion %+v %v", v, ok)
	}
}

// Flink: OnlineStandardScalerTest#testGetModelData and #testFitAndPredictWithEventTimeWindow: event-time
// windows of 3 s give versions with the windows' max timestamps; a row is transformed only with a version at
// most maxAllowedModelDelayMs older than itself.
func TestOnlineStandardScalerEventTimeWindow(t *testing.T) {
	for _, delay := range []int64{0, 3000} {
		env := streamEnv(2)
		s := ml.NewOnlineStandardScaler().SetWindows(ml.EventTimeTumblingWindows(3000)).SetMaxAllowedModelDelayMs(delay)
		m, err := s.Fit(ossTable(env, true))
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(ossTable(env, true))
		if err != nil {
			t.Fatal(err)
		}
		got := collectStream(t, env, m.(*ml.OnlineStandardScalerModel).GetModelData()[0], out[0])
		checkScalerModelData(t, got[0], true)
		if len(got[1]) != len(ossInput) {
			t.Fatalf("delay %d: %d predictions, want %d", delay, len(got[1]), len(ossInput))
		}
		for _, r := range got[1] {
			ver := r.Get("version").(int64)
			if r.Get("id").(int64)-ossExpected[ver].ts > delay {
				t.Errorf("delay %d: row %v used version %d (timestamp %d)", delay, r, ver, ossExpected[ver].ts)
			}
			// The output is the row scaled by the version it reports.
			want := make([]float64, 3)
			in := r.Get("input").(*ml.DenseVector).Values
			for i := range want {
				want[i] = in[i] / ossExpected[ver].std[i]
			}
			if !ml.VectorEquals(r.Get("output").(*ml.DenseVector), ml.Dense(want...), 1e-6) {
				t.Errorf("row %v: output, want %v", r, want)
			}
		}
	}
}

// Flink: OnlineStandardScalerTest#testFitAndPredictWithGlobalWindow.
func TestOnlineStandardScalerGlobalWindow(t *testing.T) {
	for _, c := range []struct {
		withMean, withStd bool
		want              [][]float64
	}{
		{true, false, [][]float64{{-2.8, 8, 1}, {1.1, -6, 1}, {1.7, -2, -2}}},
		{false, true, [][]float64{{-1.0231819, 1.2480754, 0.5773502}, {0.5729819, -0.6933752, 0.5773503}, {0.8185455, -0.1386750, -1.1547005}}},
		{true, true, [][]float64{{-1.1459637, 1.1094004, 0.5773503}, {0.45020003, -0.8320503, 0.5773503}, {0.69576368, -0.2773501, -1.1547005}}},
	} {
		env := streamEnv(2)
		rows := []ml.Row{ml.NewRow("input", ml.Dense(-2.5, 9, 1)), ml.NewRow("input", ml.Dense(1.4, -5, 1)), ml.NewRow("input", ml.Dense(2, -1, -2))}
		in := streamTable(env, rows)
		m, err := ml.NewOnlineStandardScaler().SetWithMean(c.withMean).SetWithStd(c.withStd).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		got := collectStream(t, env, out[0])[0]
		var vs [][]float64
		for _, r := range got {
			vs = append(vs, r.Get("output").(*ml.DenseVector).Values)
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i][0] < vs[j][0] })
		if len(vs) != 3 {
			t.Fatalf("%d rows", len(vs))
		}
		for i := range c.want {
			for j := range c.want[i] {
				if math.Abs(vs[i][j]-c.want[i][j]) > 1e-7 {
					t.Errorf("withMean %v withStd %v: %v, want %v", c.withMean, c.withStd, vs, c.want)
				}
			}
		}
	}
}

// Flink: OnlineStandardScalerTest#testSaveLoadPredict and #testSetModelData: a reloaded estimator and a
// reloaded model given the first model's data stream transform the same way.
func TestOnlineStandardScalerSaveLoad(t *testing.T) {
	env := streamEnv(1)
	s := ml.NewOnlineStandardScaler().SetWindows(ml.EventTimeTumblingWindows(3000))
	dir := t.TempDir()
	if err := s.Save(dir + "/est"); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(env, dir+"/est")
	if err != nil {
		t.Fatal(err)
	}
	m, err := loaded.(*ml.OnlineStandardScaler).Fit(ossTable(env, true))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.(*ml.OnlineStandardScalerModel).Save(dir + "/model"); err != nil {
		t.Fatal(err)
	}
	lm, err := ml.Load(env, dir+"/model")
	if err != nil {
		t.Fatal(err)
	}
	nm := lm.(*ml.OnlineStandardScalerModel)
	if err := nm.SetModelData(m.(*ml.OnlineStandardScalerModel).GetModelData()...); err != nil {
		t.Fatal(err)
	}
	out, err := nm.Transform(ossTable(env, true))
	if err != nil {
		t.Fatal(err)
	}
	got := collectStream(t, env, out[0])[0]
	if len(got) != len(ossInput) {
		t.Fatalf("%d predictions", len(got))
	}
	for _, r := range got {
		if ver := r.Get("version").(int64); r.Get("id").(int64)-ossExpected[ver].ts > 0 {
			t.Errorf("row %v used version %d", r, ver)
		}
	}
}
