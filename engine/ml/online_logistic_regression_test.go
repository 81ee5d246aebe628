package ml_test

import (
	"math"
	"sort"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// Flink: OnlineLogisticRegressionTest's data.
var (
	olrDense1 = [][]float64{{0.1, 2, 0}, {0.2, 2, 0}, {0.3, 2, 0}, {0.4, 2, 0}, {0.5, 2, 0},
		{11, 12, 1}, {12, 11, 1}, {13, 12, 1}, {14, 12, 1}, {15, 12, 1}}
	olrDense2 = [][]float64{{0.2, 3, 0}, {0.8, 1, 0}, {0.7, 1, 0}, {0.6, 2, 0}, {0.2, 2, 0},
		{14, 17, 1}, {15, 10, 1}, {16, 16, 1}, {17, 10, 1}, {18, 13, 1}}
	olrDensePredict = [][]float64{{0.8, 2.7, 0}, {15.5, 11.2, 1}}
	// indices, label, weight.
	olrSparse1 = [][]float64{{1, 3, 4, 0, 1.0}, {0, 2, 3, 0, 1.4}, {0, 3, 4, 0, 1.3}, {2, 3, 4, 0, 1.4}, {1, 3, 4, 0, 1.6},
		{6, 7, 8, 1, 1.8}, {6, 8, 9, 1, 1.9}, {5, 8, 9, 1, 1.0}, {5, 6, 7, 1, 1.1}}
	olrSparse2 = [][]float64{{1, 2, 4, 0, 1.0}, {2, 3, 4, 0, 1.3}, {0, 2, 4, 0, 1.4}, {1, 3, 4, 0, 1.0}, {6, 7, 9, 1, 1.6},
		{7, 8, 9, 1, 1.8}, {5, 7, 9, 1, 1.0}, {5, 6, 7, 1, 1.5}, {5, 8, 9, 1, 1.0}}
	olrSparsePredict = [][]float64{{1, 3, 5, 0, 1}, {5, 8, 9, 1, 1}}
	olrInitDense     = []float64{0.41233679404769874, -0.18088118293232122}
)

func denseLabeled(pts ...[][]float64) []ml.Row {
	var rows []ml.Row
	for _, ps := range pts {
		for _, p := range ps {
			rows = append(rows, ml.NewRow("features", ml.Dense(p[:len(p)-1]...), "label", p[len(p)-1]))
		}
	}
	return rows
}

func sparseLabeled(pts ...[][]float64) []ml.Row {
	var rows []ml.Row
	for _, ps := range pts {
		for _, p := range ps {
			rows = append(rows, ml.NewRow("features", ml.Sparse(10, []int{int(p[0]), int(p[1]), int(p[2])}, []float64{1, 1, 1}),
				"label", p[3], "weight", p[4]))
		}
	}
	return rows
}

func coefTable(env *engine.Environment, c ...float64) *ml.Table {
	return ml.FromRows(env, []ml.Row{ml.NewRow("coefficient", ml.Dense(c...), "modelVersion", int64(0))})
}

// rawPredictions predicts rows with one model version through LogisticRegressionModel and returns the raw
// predictions sorted as Flink's TestUtils::compare sorts them.
func rawPredictions(t *testing.T, version ml.Row, rows []ml.Row) [][]float64 {
	t.Helper()
	env := batchEnv(1)
	m := ml.NewLogisticRegressionModel()
	if err := m.SetModelData(ml.FromRows(env, []ml.Row{version})); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ml.Collect(out[0])
	if err != nil {
		t.Fatal(err)
	}
	return sortedRaw(got, "rawPrediction")
}

func sortedRaw(rows []ml.Row, col string) [][]float64 {
	var raw [][]float64
	for _, r := range rows {
		raw = append(raw, r.Get(col).(*ml.DenseVector).Values)
	}
	sort.Slice(raw, func(i, j int) bool { return raw[i][0] < raw[j][0] })
	return raw
}

func checkRaw(t *testing.T, what string, got, want [][]float64) {
	t.Helper()
	sort.Slice(want, func(i, j int) bool { return want[i][0] < want[j][0] })
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range want {
		for j := range want[i] {
			if math.Abs(got[i][j]-want[i][j]) > 1e-5 {
				t.Errorf("%s: %v, want %v", what, got, want)
				return
			}
		}
	}
}

// Flink: OnlineLogisticRegressionTest#testParam.
func TestOnlineLogisticRegressionParam(t *testing.T) {
	r := ml.NewOnlineLogisticRegression()
	if r.GetFeaturesCol() != "features" || r.GetBatchStrategy() != "count" || r.GetLabelCol() != "label" ||
		r.GetReg() != 0 || r.GetElasticNet() != 0 || r.GetAlpha() != 0.1 || r.GetBeta() != 0.1 || r.GetGlobalBatchSize() != 32 {
		t.Fatalf("defaults %v", r.GetParams())
	}
	r.SetFeaturesCol("test_feature").SetLabelCol("test_label").SetGlobalBatchSize(5).SetReg(0.5).SetElasticNet(0.25).
		SetAlpha(0.1).SetBeta(0.2)
	if r.GetFeaturesCol() != "test_feature" || r.GetLabelCol() != "test_label" || r.GetReg() != 0.5 ||
		r.GetElasticNet() != 0.25 || r.GetAlpha() != 0.1 || r.GetBeta() != 0.2 || r.GetGlobalBatchSize() != 5 {
		t.Fatalf("set %v", r.GetParams())
	}
	m := ml.NewOnlineLogisticRegressionModel()
	if m.GetFeaturesCol() != "features" || m.GetModelVersionCol() != "modelVersion" || m.GetPredictionCol() != "prediction" ||
		m.GetRawPredictionCol() != "rawPrediction" {
		t.Fatalf("model defaults %v", m.GetParams())
	}
	m.SetFeaturesCol("test_feature").SetPredictionCol("pred").SetModelVersionCol("version").SetRawPredictionCol("raw")
	if m.GetFeaturesCol() != "test_feature" || m.GetModelVersionCol() != "version" || m.GetPredictionCol() != "pred" ||
		m.GetRawPredictionCol() != "raw" {
		t.Fatalf("model set %v", m.GetParams())
	}
}

// fitOnline fits r on rows in a Streaming environment of parallelism p and returns the model versions.
func fitOnline(t *testing.T, r *ml.OnlineLogisticRegression, p int, rows []ml.Row) ([]ml.Row, *ml.OnlineLogisticRegressionModel) {
	t.Helper()
	env := streamEnv(p)
	m, err := r.Fit(streamTable(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	om := m.(*ml.OnlineLogisticRegressionModel)
	c := om.GetModelData()[0].DataStream().Collect()
	if _, err := env.Execute("online lr"); err != nil {
		t.Fatal(err)
	}
	var vs []ml.Row
	for _, v := range c.Values() {
		vs = append(vs, v.(ml.Row))
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Get("modelVersion").(int64) < vs[j].Get("modelVersion").(int64) })
	for i, v := range vs {
		if v.Get("modelVersion").(int64) != int64(i+1) {
			t.Fatalf("model versions %v, want 1, 2, ...", vs)
		}
	}
	return vs, om
}

// Flink: OnlineLogisticRegressionTest#testDenseFitAndPredict and #testGetModelData.
func TestOnlineLogisticRegressionDense(t *testing.T) {
	for _, p := range []int{1, 4} {
		r := ml.NewOnlineLogisticRegression().SetReg(0.2).SetElasticNet(0.5).SetGlobalBatchSize(10)
		if err := r.SetInitialModelData(coefTable(batchEnv(1), olrInitDense...)); err != nil {
			t.Fatal(err)
		}
		vs, om := fitOnline(t, r, p, denseLabeled(olrDense1, olrDense2))
		if len(vs) != 2 {
			t.Fatalf("%d versions, want 2", len(vs))
		}
		if c := vs[0].Get("coefficient").(*ml.DenseVector); !ml.VectorEquals(c, ml.Dense(0.2994527071464283, -0.1412541067743284), 1e-5) {
			t.Errorf("p=%d: version 1 coefficient %v", p, c)
		}
		checkRaw(t, "version 1", rawPredictions(t, vs[0], denseLabeled(olrDensePredict)),
			[][]float64{{0.04481034155642882, 0.9551896584435712}, {0.5353966697318491, 0.4646033302681509}})
		checkRaw(t, "version 2", rawPredictions(t, vs[1], denseLabeled(olrDensePredict)),
			[][]float64{{0.013104324065967066, 0.9868956759340329}, {0.5095144380001769, 0.49048556199982307}})
		if v, ok := om.LatestVersion(); !ok || v.Version != 2 || !ml.VectorEquals(v.Coefficient, vs[1].Get("coefficient").(*ml.DenseVector), 0) || v.Loss <= 0 {
			t.Errorf("LatestVersion %+v %v", v, ok)
		}
	}
}

// Flink: OnlineLogisticRegressionTest#testSparseFitAndPredict and #testFitAndPredictWithWeightCol.
func TestOnlineLogisticRegressionSparse(t *testing.T) {
	for _, weighted := range []bool{false, true} {
		r := ml.NewOnlineLogisticRegression().SetReg(0.2).SetElasticNet(0.5).SetGlobalBatchSize(9)
		if weighted {
			r.SetWeightCol("weight")
		}
		if err := r.SetInitialModelData(coefTable(batchEnv(1), 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01)); err != nil {
			t.Fatal(err)
		}
		vs, _ := fitOnline(t, r, 2, sparseLabeled(olrSparse1, olrSparse2))
		if len(vs) != 2 {
			t.Fatalf("%d versions, want 2", len(vs))
		}
		want1 := [][]float64{{0.4452309884735286, 0.5547690115264714}, {0.5105551725414953, 0.4894448274585047}}
		want2 := [][]float64{{0.40310431554310666, 0.5968956844568933}, {0.5249618837373886, 0.4750381162626114}}
		if weighted {
			want1 = [][]float64{{0.452491993753382, 0.547508006246618}, {0.5069192929506545, 0.4930807070493455}}
			want2 = [][]float64{{0.41108882806164193, 0.5889111719383581}, {0.5247727600974581, 0.4752272399025419}}
		}
		checkRaw(t, "version 1", rawPredictions(t, vs[0], sparseLabeled(olrSparsePredict)), want1)
		checkRaw(t, "version 2", rawPredictions(t, vs[1], sparseLabeled(olrSparsePredict)), want2)
	}
}

// Flink: OnlineLogisticRegressionTest#testSetModelData, through Transform on streams: each model data
// stream here has one version, so which version predicts is certain.
func TestOnlineLogisticRegressionSetModelData(t *testing.T) {
	for i, tc := range []struct {
		coef []float64
		want [][]float64
	}{
		{[]float64{0.085, -0.22}, [][]float64{{0.6285496932692606, 0.3714503067307394}, {0.7588710471221473, 0.24112895287785274}}},
		{[]float64{0.075, -0.28}, [][]float64{{0.6673003248270917, 0.3326996751729083}, {0.8779865510655934, 0.12201344893440658}}},
	} {
		env := streamEnv(2)
		version := int64(i + 1)
		m := ml.NewOnlineLogisticRegressionModel()
		if err := m.SetModelData(streamTable(env, []ml.Row{ml.NewRow("coefficient", ml.Dense(tc.coef...), "modelVersion", version)})); err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(streamTable(env, denseLabeled(olrDensePredict)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := ml.Collect(out[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Get("modelVersion") != version {
				t.Errorf("row %v: model version, want %d", r, version)
			}
		}
		checkRaw(t, "transform", sortedRaw(rows, "rawPrediction"), tc.want)
	}
}

// Flink: OnlineLogisticRegressionTest#testSaveAndReload: a saved and loaded estimator trains the same model.
func TestOnlineLogisticRegressionSaveLoad(t *testing.T) {
	r := ml.NewOnlineLogisticRegression().SetReg(0.2).SetElasticNet(0.5).SetGlobalBatchSize(10)
	if err := r.SetInitialModelData(coefTable(batchEnv(1), olrInitDense...)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	s, err := ml.Load(batchEnv(1), dir)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := fitOnline(t, s.(*ml.OnlineLogisticRegression), 1, denseLabeled(olrDense1))
	checkRaw(t, "version 1", rawPredictions(t, vs[0], denseLabeled(olrDensePredict)),
		[][]float64{{0.04481034155642882, 0.9551896584435712}, {0.5353966697318491, 0.4646033302681509}})
}

// olrConcept draws n labeled points x in [-1, 1)² (xorshift, deterministic) labeled by the sign of w·x.
func olrConcept(w []float64, n int, seed uint64) []ml.Row {
	s := seed
	next := func() float64 {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		return float64(s%2000000)/1000000 - 1
	}
	rows := make([]ml.Row, n)
	for i := range rows {
		x := []float64{next(), next()}
		label := 0.0
		if w[0]*x[0]+w[1]*x[1] > 0 {
			label = 1
		}
		rows[i] = ml.NewRow("features", ml.Dense(x...), "label", label)
	}
	return rows
}

func olrAccuracy(coef *ml.DenseVector, rows []ml.Row) float64 {
	right := 0
	for _, r := range rows {
		v, _ := r.Vector("features")
		pred := 0.0
		if ml.Dot(v, coef) >= 0 {
			pred = 1
		}
		if pred == r.Get("label").(float64) {
			right++
		}
	}
	return float64(right) / float64(len(rows))
}

// OnlineLogisticRegression converges on a stationary stream and follows a drifting one (alpha 1): 20 batches
// of 50 points labeled by x0 + x1 > 0, then 40 batches labeled by x0 - x1 > 0. The accuracy on 1000 fresh
// points of the current concept is at least 0.95 at the 20th version, about one half on the new concept
// when it changes, at least 0.75 10 batches later and at least 0.9 30 batches later (measured: 0.761 and
// 0.922). FTRL's per-coordinate step shrinks as squared gradients accumulate, so it follows a change more
// slowly than it first learned.
func TestOnlineLogisticRegressionDrift(t *testing.T) {
	a, b := []float64{1, 1}, []float64{1, -1}
	r := ml.NewOnlineLogisticRegression().SetGlobalBatchSize(50).SetAlpha(1)
	if err := r.SetInitialModelData(coefTable(batchEnv(1), 0, 0)); err != nil {
		t.Fatal(err)
	}
	vs, _ := fitOnline(t, r, 1, append(olrConcept(a, 1000, 3), olrConcept(b, 2000, 5)...))
	if len(vs) != 60 {
		t.Fatalf("%d versions, want 60", len(vs))
	}
	testA, testB := olrConcept(a, 1000, 17), olrConcept(b, 1000, 19)
	coef := func(v int) *ml.DenseVector { return vs[v-1].Get("coefficient").(*ml.DenseVector) }
	for _, c := range []struct {
		version  int
		test     []ml.Row
		min, max float64
	}{
		{20, testA, 0.95, 1}, // converged on the first concept
		{20, testB, 0, 0.6},  // which is a coin toss on the second
		{30, testB, 0.75, 1}, // 10 batches after the change
		{50, testB, 0.9, 1},  // 30 batches after the change
	} {
		if acc := olrAccuracy(coef(c.version), c.test); acc < c.min || acc > c.max {
			t.Errorf("version %d: accuracy %.3f, want in [%.2f, %.2f]", c.version, acc, c.min, c.max)
		}
	}
}

// An online model keeps the latest version: a version older than the one in use is ignored. The model data
// stream here (one subtask, in order) brings version 2 and then version 1, so every row, whether it arrives
// before or after them, is predicted with version 2 (Flink: OnlineLogisticRegressionTest#testSetModelData's
// modelData2 and its expected raw predictions).
func TestOnlineLogisticRegressionIgnoresOlderVersions(t *testing.T) {
	env := streamEnv(2)
	versions := env.FromSlice([]any{
		ml.NewRow("coefficient", ml.Dense(0.075, -0.28), "modelVersion", int64(2)),
		ml.NewRow("coefficient", ml.Dense(0.085, -0.22), "modelVersion", int64(1)),
	}).SetParallelism(1)
	m := ml.NewOnlineLogisticRegressionModel()
	if err := m.SetModelData(ml.FromDataStream(env, versions)); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(streamTable(env, denseLabeled(olrDensePredict, olrDensePredict)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ml.Collect(out[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Get("modelVersion") != int64(2) {
			t.Errorf("row %v: want model version 2", r)
		}
	}
	want := [][]float64{{0.6673003248270917, 0.3326996751729083}, {0.6673003248270917, 0.3326996751729083},
		{0.8779865510655934, 0.12201344893440658}, {0.8779865510655934, 0.12201344893440658}}
	checkRaw(t, "transform", sortedRaw(rows, "rawPrediction"), want)
}
