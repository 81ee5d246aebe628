package ml_test

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// kmeansData is Flink ML's KMeansTest.DATA.
func kmeansData() []ml.Row {
	pts := [][]float64{{0, 0}, {0, 0.3}, {0.3, 0}, {9, 0}, {9, 0.6}, {9.6, 0}}
	rows := make([]ml.Row, len(pts))
	for i, p := range pts {
		rows[i] = ml.NewRow("features", ml.Dense(p...))
	}
	return rows
}

func batchEnv(p int) *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: p, RuntimeMode: engine.Batch})
}

// groups is Flink ML's KMeansTest.groupFeaturesByPrediction: the sets of features sharing a prediction, each
// set as its sorted feature strings, the sets sorted.
func groups(t *testing.T, rows []ml.Row, featuresCol, predictionCol string) []string {
	t.Helper()
	by := map[any][]string{}
	for _, r := range rows {
		v, err := r.Vector(featuresCol)
		if err != nil {
			t.Fatal(err)
		}
		by[r.Get(predictionCol)] = append(by[r.Get(predictionCol)], v.ToDense().String())
	}
	var out []string
	for _, g := range by {
		sort.Strings(g)
		// A set: duplicates collapse, as in Flink's HashSet.
		var uniq []string
		for i, s := range g {
			if i == 0 || s != g[i-1] {
				uniq = append(uniq, s)
			}
		}
		out = append(out, strings.Join(uniq, " "))
	}
	sort.Strings(out)
	return out
}

var kmeansExpectedGroups = []string{"[0.0, 0.0] [0.0, 0.3] [0.3, 0.0]", "[9.0, 0.0] [9.0, 0.6] [9.6, 0.0]"}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "|") == strings.Join(b, "|")
}

func transformRows(t *testing.T, m ml.Model, in *ml.Table) []ml.Row {
	t.Helper()
	out, err := m.Transform(in)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := out[0].Rows()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Flink ML: KMeansTest#testParam.
func TestKMeansParam(t *testing.T) {
	k := ml.NewKMeans()
	if k.GetFeaturesCol() != "features" || k.GetPredictionCol() != "prediction" || k.GetDistanceMeasure() != "euclidean" ||
		k.GetInitMode() != "random" || k.GetK() != 2 || k.GetMaxIter() != 20 {
		t.Fatalf("defaults: %v", k.GetParams())
	}
	// KMeans.class.getName().hashCode()
	if k.GetSeed() != -235125357 {
		t.Fatalf("default seed %d, want -235125357", k.GetSeed())
	}
	k.SetK(9).SetFeaturesCol("test_feature").SetPredictionCol("test_prediction").SetK(3).SetMaxIter(30).SetSeed(100)
	if k.GetFeaturesCol() != "test_feature" || k.GetPredictionCol() != "test_prediction" || k.GetK() != 3 ||
		k.GetMaxIter() != 30 || k.GetSeed() != 100 {
		t.Fatalf("after setting: %v", k.GetParams())
	}
	for name, set := range map[string]func(){
		"k":               func() { k.SetK(1) },
		"maxIter":         func() { k.SetMaxIter(0) },
		"distanceMeasure": func() { k.SetDistanceMeasure("chebyshev") },
		"initMode":        func() { k.SetInitMode("k-means++") },
		"initSteps":       func() { k.SetInitSteps(0) },
	} {
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, ml.ErrParam) || !strings.Contains(err.Error(), name) {
					t.Errorf("setting %s: got %v, want an ErrParam naming it", name, err)
				}
			}()
			set()
		}()
	}
	if err := k.GetParams().TrySet("k", "two"); !errors.Is(err, ml.ErrParam) {
		t.Errorf("k = \"two\": %v", err)
	}
}

// Flink ML: KMeansTest#testFitAndPredict and #testOutputSchema, at several parallelisms.
func TestKMeansFitAndPredict(t *testing.T) {
	for _, p := range []int{1, 2, 4} {
		env := batchEnv(p)
		in := ml.FromRows(env, kmeansData())
		k := ml.NewKMeans().SetMaxIter(2).SetK(2)
		m, err := k.Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		rows := transformRows(t, m, in)
		if got := groups(t, rows, "features", "prediction"); !equalStrings(got, kmeansExpectedGroups) {
			t.Errorf("p=%d: groups %v", p, got)
		}
		if got := strings.Join(rows[0].Names, ","); got != "features,prediction" {
			t.Errorf("p=%d: columns %s", p, got)
		}
	}
	env := batchEnv(2)
	var rows []ml.Row
	for _, r := range kmeansData() {
		rows = append(rows, ml.NewRow("test_feature", r.Values[0]))
	}
	k := ml.NewKMeans().SetFeaturesCol("test_feature").SetPredictionCol("test_prediction")
	m, err := k.Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	out := transformRows(t, m, ml.FromRows(env, rows))
	if got := strings.Join(out[0].Names, ","); got != "test_feature,test_prediction" {
		t.Errorf("columns %s", got)
	}
}

// Flink ML: KMeansTest#testInputTypeConversion (sparse features).
func TestKMeansSparseInput(t *testing.T) {
	var rows []ml.Row
	for _, r := range kmeansData() {
		rows = append(rows, ml.NewRow("features", r.Values[0].(*ml.DenseVector).ToSparse()))
	}
	env := batchEnv(2)
	m, err := ml.NewKMeans().SetMaxIter(2).SetK(2).Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	if got := groups(t, transformRows(t, m, ml.FromRows(env, rows)), "features", "prediction"); !equalStrings(got, kmeansExpectedGroups) {
		t.Errorf("groups %v", got)
	}
}

// Flink ML: KMeansTest#testFewerDistinctPointsThanCluster.
func TestKMeansFewerDistinctPointsThanCluster(t *testing.T) {
	env := batchEnv(2)
	rows := []ml.Row{ml.NewRow("features", ml.Dense(0, 0.1)), ml.NewRow("features", ml.Dense(0, 0.1)), ml.NewRow("features", ml.Dense(0, 0.1))}
	m, err := ml.NewKMeans().SetK(2).Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	if got := groups(t, transformRows(t, m, ml.FromRows(env, rows)), "features", "prediction"); !equalStrings(got, []string{"[0.0, 0.1]"}) {
		t.Errorf("groups %v", got)
	}
	for _, c := range m.(*ml.KMeansModel).ModelData().Centroids {
		if math.IsNaN(c.Get(0)) || math.IsNaN(c.Get(1)) {
			t.Errorf("centroid %v: an empty cluster keeps its centroid", c)
		}
	}
}

// Flink ML: KMeansTest#testGetModelData: centroids (0.1, 0.1) and (9.2, 0.2) within 1e-5.
func TestKMeansGetModelData(t *testing.T) {
	env := batchEnv(2)
	m, err := ml.NewKMeans().SetMaxIter(2).SetK(2).Fit(ml.FromRows(env, kmeansData()))
	if err != nil {
		t.Fatal(err)
	}
	tables := m.GetModelData()
	rows, err := tables[0].Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || strings.Join(rows[0].Names, ",") != "centroids,weights" {
		t.Fatalf("model data %v", rows)
	}
	cs := append([]*ml.DenseVector(nil), rows[0].Get("centroids").([]*ml.DenseVector)...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Get(0) < cs[j].Get(0) })
	if len(cs) != 2 || !ml.VectorEquals(cs[0], ml.Dense(0.1, 0.1), 1e-5) || !ml.VectorEquals(cs[1], ml.Dense(9.2, 0.2), 1e-5) {
		t.Errorf("centroids %v", cs)
	}
	if w := rows[0].Get("weights").(*ml.DenseVector); w.Get(0)+w.Get(1) != 6 {
		t.Errorf("weights %v", w)
	}
}

// Flink ML: KMeansTest#testSetModelData and #testSaveLoadAndPredict: a model given another's data, and a
// saved and loaded estimator and model, predict the same groups.
func TestKMeansSetModelDataAndSaveLoad(t *testing.T) {
	env := batchEnv(2)
	in := ml.FromRows(env, kmeansData())
	loaded, err := ml.Load(env, saveTo(t, ml.NewKMeans().SetMaxIter(2).SetK(2)))
	if err != nil {
		t.Fatal(err)
	}
	est := loaded.(*ml.KMeans)
	if est.GetMaxIter() != 2 || est.GetK() != 2 {
		t.Fatalf("loaded params %v", est.GetParams())
	}
	a, err := est.Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	b := ml.NewKMeansModel()
	if err := b.SetModelData(a.GetModelData()...); err != nil {
		t.Fatal(err)
	}
	b.GetParams().UpdateExisting(a.GetParams())
	lm, err := ml.Load(env, saveTo(t, a))
	if err != nil {
		t.Fatal(err)
	}
	want := transformRows(t, a, in)
	for name, m := range map[string]ml.Model{"set model data": b, "loaded": lm.(ml.Model)} {
		got := transformRows(t, m, in)
		if g := groups(t, got, "features", "prediction"); !equalStrings(g, kmeansExpectedGroups) {
			t.Errorf("%s: groups %v", name, g)
		}
		for i := range got {
			if got[i].String() != want[i].String() {
				t.Errorf("%s: row %d: %v, want %v", name, i, got[i], want[i])
			}
		}
	}
}

func saveTo(t *testing.T, s ml.Stage) string {
	t.Helper()
	dir := t.TempDir()
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The three distance measures each separate the book's points, and cosine refuses a zero vector as Flink ML's
// CosineDistanceMeasure does.
func TestKMeansDistanceMeasures(t *testing.T) {
	env := batchEnv(2)
	for _, dm := range []string{ml.Euclidean, ml.Manhattan} {
		in := ml.FromRows(env, kmeansData())
		m, err := ml.NewKMeans().SetDistanceMeasure(dm).SetSeed(1).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := groups(t, transformRows(t, m, in), "features", "prediction"); !equalStrings(got, kmeansExpectedGroups) {
			t.Errorf("%s: groups %v", dm, got)
		}
	}
	// Cosine groups by direction: points along the x axis against points along the y axis.
	rows := []ml.Row{ml.NewRow("features", ml.Dense(1, 0.1)), ml.NewRow("features", ml.Dense(5, 0.2)),
		ml.NewRow("features", ml.Dense(0.1, 1)), ml.NewRow("features", ml.Dense(0.3, 7))}
	m, err := ml.NewKMeans().SetDistanceMeasure(ml.Cosine).SetSeed(3).Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	if got := groups(t, transformRows(t, m, ml.FromRows(env, rows)), "features", "prediction"); !equalStrings(got,
		[]string{"[0.1, 1.0] [0.3, 7.0]", "[1.0, 0.1] [5.0, 0.2]"}) {
		t.Errorf("cosine: groups %v", got)
	}
	_, err = ml.NewKMeans().SetDistanceMeasure(ml.Cosine).Fit(ml.FromRows(env, kmeansData()))
	if err == nil || !strings.Contains(err.Error(), "zero-length") {
		t.Errorf("cosine with (0, 0): %v", err)
	}
}

// Each round's largest centroid shift is recorded: on the book's points with seed 1 the first round moves
// the centroid at (0, 0.3) to (0.1, 1.1), a shift of sqrt(0.01 + 0.64), and (9, 0) to (9.2, 0.2), then
// nothing moves.
func TestKMeansCentroidMovements(t *testing.T) {
	env := batchEnv(1)
	var rows []ml.Row
	for _, p := range [][]float64{{0, 0}, {0, 0.3}, {0.3, 3}, {9, 0}, {9, 0.6}, {9.6, 0}} {
		rows = append(rows, ml.NewRow("features", ml.Dense(p...)))
	}
	m, err := ml.NewKMeans().SetSeed(1).SetMaxIter(3).Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*ml.KMeansModel).CentroidMovements()
	if len(got) != 3 || math.Abs(got[0]-math.Sqrt(0.65)) > 1e-12 || got[1] != 0 || got[2] != 0 {
		t.Errorf("movements %v", got)
	}
}
