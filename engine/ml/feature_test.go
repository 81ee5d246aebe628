package ml_test

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

func vectorRows(col string, vs ...*ml.DenseVector) []ml.Row {
	rows := make([]ml.Row, len(vs))
	for i, v := range vs {
		rows[i] = ml.NewRow(col, v)
	}
	return rows
}

// sortedVectors returns column col of rows, sorted lexicographically as Flink ML's tests sort them.
func sortedVectors(t *testing.T, rows []ml.Row, col string) [][]float64 {
	t.Helper()
	var out [][]float64
	for _, r := range rows {
		v, err := r.Vector(col)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v.ToArray())
	}
	sort.Slice(out, func(i, j int) bool {
		for d := range out[i] {
			if out[i][d] != out[j][d] {
				return out[i][d] < out[j][d]
			}
		}
		return false
	})
	return out
}

func nearAll(a, b [][]float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

// Flink ML: StandardScalerTest#testParam, #testFitAndPredict, #testWithMeanAndStd, #testGetModelData
// (mean {0.3, 1, 0}, std {2.4433583, 7.2111026, 1.7320508}) within 1e-7.
func TestStandardScaler(t *testing.T) {
	s := ml.NewStandardScaler()
	if s.GetInputCol() != "input" || s.GetOutputCol() != "output" || s.GetWithMean() || !s.GetWithStd() {
		t.Fatalf("defaults %v", s.GetParams())
	}
	for _, p := range []int{1, 3} {
		env := batchEnv(p)
		in := ml.FromRows(env, vectorRows("input", ml.Dense(-2.5, 9, 1), ml.Dense(1.4, -5, 1), ml.Dense(2, -1, -2)))
		m, err := ml.NewStandardScaler().Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		got := sortedVectors(t, transformRows(t, m, in), "output")
		want := [][]float64{{-1.0231819, 1.2480754, 0.5773502}, {0.5729819, -0.6933752, 0.5773503}, {0.8185455, -0.1386750, -1.1547005}}
		if !nearAll(got, want, 1e-7) {
			t.Errorf("p=%d: withStd %v", p, got)
		}
		m2, err := ml.NewStandardScaler().SetWithMean(true).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		got = sortedVectors(t, transformRows(t, m2, in), "output")
		want = [][]float64{{-1.1459637, 1.1094004, 0.5773503}, {0.45020003, -0.8320503, 0.5773503}, {0.69576368, -0.2773501, -1.1547005}}
		if !nearAll(got, want, 1e-7) {
			t.Errorf("p=%d: withMean and withStd %v", p, got)
		}
		rows, err := m.GetModelData()[0].Rows()
		if err != nil {
			t.Fatal(err)
		}
		mean, _ := rows[0].Vector("mean")
		std, _ := rows[0].Vector("std")
		if !near(mean.ToArray(), []float64{0.3, 1, 0}, 1e-7) || !near(std.ToArray(), []float64{2.4433583, 7.2111026, 1.7320508}, 1e-7) {
			t.Errorf("p=%d: mean %v std %v", p, mean, std)
		}
	}
}

// Flink ML: MinMaxScalerTest#testFitAndPredict: trained on five points, (150, 90), (50, 40), (100, 50) map to
// (0.75, 0.225), (0.25, 0.1), (0.5, 0.125) within 1e-5; and #testParam.
func TestMinMaxScaler(t *testing.T) {
	s := ml.NewMinMaxScaler()
	if s.GetMin() != 0 || s.GetMax() != 1 || s.GetInputCol() != "input" || s.GetOutputCol() != "output" {
		t.Fatalf("defaults %v", s.GetParams())
	}
	env := batchEnv(2)
	train := ml.FromRows(env, vectorRows("input", ml.Dense(0, 3), ml.Dense(2.1, 0), ml.Dense(4.1, 5.1), ml.Dense(6.1, 8.1), ml.Dense(200, 400)))
	m, err := ml.NewMinMaxScaler().Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	pred := ml.FromRows(env, vectorRows("input", ml.Dense(150, 90), ml.Dense(50, 40), ml.Dense(100, 50)))
	got := sortedVectors(t, transformRows(t, m, pred), "output")
	if !nearAll(got, [][]float64{{0.25, 0.1}, {0.5, 0.125}, {0.75, 0.225}}, 1e-5) {
		t.Errorf("got %v", got)
	}
	// A constant dimension maps to the middle of [min, max].
	m2, err := ml.NewMinMaxScaler().SetMin(1).SetMax(4).Fit(ml.FromRows(env, vectorRows("input", ml.Dense(1, 7), ml.Dense(3, 7))))
	if err != nil {
		t.Fatal(err)
	}
	got = sortedVectors(t, transformRows(t, m2, ml.FromRows(env, vectorRows("input", ml.Dense(2, 7)))), "output")
	if !nearAll(got, [][]float64{{2.5, 2.5}}, 1e-12) {
		t.Errorf("constant dimension: %v", got)
	}
}

// Flink ML: VectorAssemblerTest's cases: the assembled vectors (sparse when few elements are stored), and
// handleInvalid error, skip and keep on null and NaN inputs.
func TestVectorAssembler(t *testing.T) {
	sp1 := ml.Sparse(5, []int{3}, []float64{1})
	sp2 := ml.Sparse(5, []int{4, 2, 3, 1}, []float64{4, 2, 3, 1})
	data := []ml.Row{
		ml.NewRow("id", 0, "vec", ml.Dense(2.1, 3.1), "num", 1.0, "sparseVec", sp1),
		ml.NewRow("id", 1, "vec", ml.Dense(2.1, 3.1), "num", 1.0, "sparseVec", sp2),
		ml.NewRow("id", 2, "vec", ml.Dense(2.0, 2.1), "num", 1.0, "sparseVec", sp2),
	}
	env := batchEnv(2)
	a := ml.NewVectorAssembler().SetInputCols("vec", "num", "sparseVec").SetOutputCol("assembledVec").SetInputSizes(2, 1, 5)
	if a.GetHandleInvalid() != "error" {
		t.Fatal("handleInvalid default")
	}
	out, err := a.Transform(ml.FromRows(env, data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := out[0].Rows()
	want := []string{"(8, [0, 1, 2, 6], [2.1, 3.1, 1.0, 1.0])", "[2.1, 3.1, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0]", "[2.0, 2.1, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0]"}
	for i, r := range rows {
		if got := r.Get("assembledVec").(ml.Vector).String(); got != want[i] {
			t.Errorf("row %d: %s, want %s", i, got, want[i])
		}
	}
	nullData := []ml.Row{data[0], data[1].With("vec", nil), data[2].With("vec", nil)}
	nanData := []ml.Row{data[0], data[1], data[2].With("num", math.NaN())}
	for _, c := range []struct {
		handle string
		in     []ml.Row
		want   []string
		err    string
	}{
		{"error", nullData, nil, "Input column value is null"},
		{"error", nanData, nil, "Encountered NaN"},
		{"skip", nullData, want[:1], ""},
		{"skip", nanData, want[:2], ""},
		{"keep", nullData, []string{want[0], "[NaN, NaN, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0]", "[NaN, NaN, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0]"}, ""},
		{"keep", nanData, []string{want[0], want[1], "[2.0, 2.1, NaN, 0.0, 1.0, 2.0, 3.0, 4.0]"}, ""},
	} {
		out, err := a.SetHandleInvalid(c.handle).Transform(ml.FromRows(env, c.in))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.handle, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := out[0].Rows()
		var got []string
		for _, r := range rows {
			got = append(got, r.Get("assembledVec").(ml.Vector).String())
		}
		if !equalStrings(got, c.want) {
			t.Errorf("%s: %v, want %v", c.handle, got, c.want)
		}
	}
}

// Flink ML: BinaryClassificationEvaluatorTest#testEvaluate, #testEvaluateWithDoubleRaw,
// #testEvaluateWithMultiScore, #testEvaluateWithWeight and #testMoreSubtaskThanData, within 1e-5.
func TestBinaryClassificationEvaluator(t *testing.T) {
	labels := []float64{1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1}
	scores := []float64{0.9, 0.8, 0.7, 0.75, 0.6, 0.65, 0.55, 0.4, 0.3, 0.35, 0.2, 0.1}
	multi := []float64{0.9, 0.9, 0.9, 0.75, 0.6, 0.9, 0.9, 0.4, 0.3, 0.9, 0.2, 0.1}
	weights := []float64{0.8, 0.7, 0.5, 1.2, 1.3, 1.5, 1.4, 0.3, 0.5, 1.9, 1.2, 1.0}
	table := func(p int, scores []float64, vector bool, weighted bool) *ml.Table {
		var rows []ml.Row
		for i, l := range labels {
			var raw any = scores[i]
			if vector {
				raw = ml.Dense(1-scores[i], scores[i])
			}
			r := ml.NewRow("label", l, "rawPrediction", raw)
			if weighted {
				r = r.With("weight", weights[i])
			}
			rows = append(rows, r)
		}
		return ml.FromRows(batchEnv(p), rows)
	}
	eval := func(e *ml.BinaryClassificationEvaluator, in *ml.Table) ml.Row {
		out, err := e.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := out[0].Rows()
		if err != nil {
			t.Fatal(err)
		}
		return rows[0]
	}
	check := func(name string, r ml.Row, names []string, want []float64) {
		if strings.Join(r.Names, ",") != strings.Join(names, ",") {
			t.Errorf("%s: columns %v", name, r.Names)
		}
		for i, n := range names {
			if got := r.Get(n).(float64); math.Abs(got-want[i]) > 1e-5 {
				t.Errorf("%s: %s = %v, want %v", name, n, got, want[i])
			}
		}
	}
	e := ml.NewBinaryClassificationEvaluator()
	if strings.Join(e.GetMetricsNames(), ",") != "areaUnderROC,areaUnderPR" || e.GetWeightCol() != "" {
		t.Fatalf("defaults %v", e.GetParams())
	}
	pks := []string{ml.AreaUnderPR, ml.KS, ml.AreaUnderROC}
	for _, p := range []int{1, 2, 4} {
		check("evaluate", eval(ml.NewBinaryClassificationEvaluator().SetMetricsNames(pks...), table(p, scores, true, false)),
			pks, []float64{0.7691481137909708, 0.3714285714285714, 0.6571428571428571})
		check("double raw", eval(ml.NewBinaryClassificationEvaluator().SetMetricsNames(pks...), table(p, scores, false, false)),
			pks, []float64{0.7691481137909708, 0.3714285714285714, 0.6571428571428571})
		all := []string{ml.AreaUnderROC, ml.AreaUnderPR, ml.KS, ml.AreaUnderLorenz}
		check("multi score", eval(ml.NewBinaryClassificationEvaluator().SetMetricsNames(all...), table(p, multi, true, false)),
			all, []float64{0.8571428571428571, 0.9377705627705628, 0.8571428571428571, 0.6488095238095237})
		check("weighted", eval(ml.NewBinaryClassificationEvaluator().SetWeightCol("weight"), table(p, multi, true, true)),
			[]string{ml.AreaUnderROC, ml.AreaUnderPR}, []float64{0.8717948717948718, 0.9510202726261435})
	}
	two := ml.FromRows(batchEnv(4), []ml.Row{ml.NewRow("label", 1.0, "rawPrediction", ml.Dense(0.1, 0.9)),
		ml.NewRow("label", 0.0, "rawPrediction", ml.Dense(0.9, 0.1))})
	check("more subtasks than data", eval(ml.NewBinaryClassificationEvaluator().SetMetricsNames(pks...), two), pks, []float64{1, 1, 1})
}

// Flink ML: RandomSplitterTest#testParam, #testOutputSchema and #testWeights (sizes within 10% of the
// weights' shares of 1000 rows), and the same seed gives the same split.
func TestRandomSplitter(t *testing.T) {
	s := ml.NewRandomSplitter()
	if !near(s.GetWeights(), []float64{1, 1}, 0) {
		t.Fatal("default weights")
	}
	s.SetWeights(0.3, 0.4).SetSeed(5)
	if !near(s.GetWeights(), []float64{0.3, 0.4}, 0) || s.GetSeed() != 5 {
		t.Fatal("set")
	}
	var rows []ml.Row
	for i := 0; i < 1000; i++ {
		rows = append(rows, ml.NewRow("id", i))
	}
	for _, p := range []int{1, 2} {
		env := batchEnv(p)
		split := func() [][]ml.Row {
			out, err := ml.NewRandomSplitter().SetWeights(2, 1, 2).Transform(ml.FromRows(env, rows))
			if err != nil {
				t.Fatal(err)
			}
			var res [][]ml.Row
			for _, o := range out {
				r, _ := o.Rows()
				res = append(res, r)
			}
			return res
		}
		a, b := split(), split()
		for i, want := range []float64{400, 200, 400} {
			if got := float64(len(a[i])); math.Abs(got/want-1) > 0.1 {
				t.Errorf("p=%d: split %d has %v rows, want about %v", p, i, got, want)
			}
			if len(a[i]) != len(b[i]) {
				t.Errorf("p=%d: split %d differs between runs", p, i)
			}
		}
		if len(a[0])+len(a[1])+len(a[2]) != 1000 {
			t.Errorf("p=%d: rows lost", p)
		}
	}
}
