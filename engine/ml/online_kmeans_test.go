package ml_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// Flink: OnlineKMeansTest's data.
var (
	okmTrain1  = [][]float64{{10, 0}, {10, 0.3}, {10.3, 0}, {-10, 0}, {-10, 0.6}, {-10.6, 0}}
	okmTrain2  = [][]float64{{10, 100}, {10, 100.3}, {10.3, 100}, {-10, -100}, {-10, -100.6}, {-10.6, -100}}
	okmPredict = [][]float64{{10, 10}, {10.3, 10}, {10, 10.3}, {-10, 10}, {-10.3, 10}, {-10, 10.3}}
	// expectedGroups1 and expectedGroups2 of OnlineKMeansTest.
	okmGroups1 = []string{"[-10.0, 10.0] [-10.0, 10.3] [-10.3, 10.0]", "[10.0, 10.0] [10.0, 10.3] [10.3, 10.0]"}
	okmGroups2 = []string{"[-10.0, 10.0] [-10.0, 10.3] [-10.3, 10.0] [10.0, 10.0] [10.0, 10.3] [10.3, 10.0]"}
)

func streamEnv(p int) *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: p, RuntimeMode: engine.Streaming})
}

func featureRows(pts ...[][]float64) []ml.Row {
	var rows []ml.Row
	for _, ps := range pts {
		for _, p := range ps {
			rows = append(rows, ml.NewRow("features", ml.Dense(p...)))
		}
	}
	return rows
}

// streamTable is a lazy table over a stream of rows (the tests' stand-in for Flink's InMemorySourceFunction).
func streamTable(env *engine.Environment, rows []ml.Row) *ml.Table {
	in := make([]any, len(rows))
	for i, r := range rows {
		in[i] = r
	}
	return ml.FromDataStream(env, env.FromSlice(in).Rebalance())
}

// modelVersions runs the environment and returns the model data rows sorted by version.
func modelVersions(t *testing.T, env *engine.Environment, data *ml.Table) []ml.Row {
	t.Helper()
	c := data.DataStream().Collect()
	if _, err := env.Execute("online"); err != nil {
		t.Fatal(err)
	}
	var rows []ml.Row
	for _, v := range c.Values() {
		rows = append(rows, v.(ml.Row))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Get("modelVersion").(int64) < rows[j].Get("modelVersion").(int64) })
	for i, r := range rows {
		if r.Get("modelVersion").(int64) != int64(i) {
			t.Fatalf("model versions %v, want 0, 1, 2, ...", rows)
		}
	}
	return rows
}

// predictWith predicts okmPredict with one model version as a KMeansModel.
func predictWith(t *testing.T, version ml.Row) []string {
	t.Helper()
	env := batchEnv(1)
	m := ml.NewKMeansModel()
	if err := m.SetModelData(ml.FromRows(env, []ml.Row{version})); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ml.FromRows(env, featureRows(okmPredict)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ml.Collect(out[0])
	if err != nil {
		t.Fatal(err)
	}
	return groups(t, rows, "features", "prediction")
}

// Flink: OnlineKMeansTest#testParam.
func TestOnlineKMeansParam(t *testing.T) {
	k := ml.NewOnlineKMeans()
	if k.GetFeaturesCol() != "features" || k.GetPredictionCol() != "prediction" || k.GetBatchStrategy() != "count" ||
		k.GetDistanceMeasure() != "euclidean" || k.GetGlobalBatchSize() != 32 || k.GetDecayFactor() != 0 ||
		k.GetSeed() != 861956550 /* "org.apache.flink.ml.clustering.kmeans.OnlineKMeans".hashCode() */ {
		t.Fatalf("defaults: %v", k.GetParams())
	}
	k.SetFeaturesCol("test_feature").SetPredictionCol("test_prediction").SetGlobalBatchSize(5).SetDecayFactor(0.25).SetSeed(100)
	if k.GetFeaturesCol() != "test_feature" || k.GetPredictionCol() != "test_prediction" || k.GetGlobalBatchSize() != 5 ||
		k.GetDecayFactor() != 0.25 || k.GetSeed() != 100 {
		t.Fatalf("set: %v", k.GetParams())
	}
	for name, f := range map[string]func(){"decayFactor": func() { k.SetDecayFactor(1.5) }, "globalBatchSize": func() { k.SetGlobalBatchSize(0) }} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name) {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			f()
		}()
	}
	if _, err := ml.NewOnlineKMeans().Fit(streamTable(streamEnv(1), nil)); err == nil {
		t.Fatal("Fit without initial model data succeeded")
	}
}

// Flink: OnlineKMeansTest#testSaveAndReload (the estimator part): Save then Load keeps the parameters and the
// initial model data.
func TestOnlineKMeansSaveLoad(t *testing.T) {
	env := streamEnv(1)
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(6).SetDecayFactor(0.5)
	if err := k.SetInitialModelData(ml.RandomKMeansModelData(env, 2, 2, 1, 0)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := k.Save(dir); err != nil {
		t.Fatal(err)
	}
	s, err := ml.Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	k2 := s.(*ml.OnlineKMeans)
	if k2.GetGlobalBatchSize() != 6 || k2.GetDecayFactor() != 0.5 {
		t.Fatalf("loaded params %v", k2.GetParams())
	}
	for _, est := range []*ml.OnlineKMeans{k, k2} {
		m, err := est.Fit(streamTable(env, featureRows(okmTrain1)))
		if err != nil {
			t.Fatal(err)
		}
		vs := modelVersions(t, env, m.(*ml.OnlineKMeansModel).GetModelData()[0])
		if g := predictWith(t, vs[1]); !equalStrings(g, okmGroups1) {
			t.Errorf("groups %v, want %v", g, okmGroups1)
		}
	}
}

// Flink: OnlineKMeansTest#testFitAndPredict: random initial model data (k 2, dim 2, weight 0, seed 0), batches
// of 6; after trainData1 the predict points form expectedGroups1, after trainData2 expectedGroups2.
func TestOnlineKMeansFitAndPredict(t *testing.T) {
	for _, p := range []int{1, 4} {
		env := streamEnv(p)
		k := ml.NewOnlineKMeans().SetGlobalBatchSize(6)
		if err := k.SetInitialModelData(ml.RandomKMeansModelData(env, 2, 2, 0, 0)); err != nil {
			t.Fatal(err)
		}
		m, err := k.Fit(streamTable(env, featureRows(okmTrain1, okmTrain2)))
		if err != nil {
			t.Fatal(err)
		}
		vs := modelVersions(t, env, m.(*ml.OnlineKMeansModel).GetModelData()[0])
		if len(vs) != 3 {
			t.Fatalf("p=%d: %d model versions, want 3", p, len(vs))
		}
		if g := predictWith(t, vs[1]); !equalStrings(g, okmGroups1) {
			t.Errorf("p=%d: version 1 groups %v, want %v", p, g, okmGroups1)
		}
		if g := predictWith(t, vs[2]); !equalStrings(g, okmGroups2) {
			t.Errorf("p=%d: version 2 groups %v, want %v", p, g, okmGroups2)
		}
	}
}

// Flink: OnlineKMeansTest#testInitWithKMeans (its first prediction) and testDecayFactor: initial model data
// from KMeans on trainData1 (centroids (10.1, 0.1) and (-10.2, 0.2), weights 3 and 3); with decayFactor 0.5,
// trainData2 gives centroids (-10.2, -200.2/3) and (10.1, 200.3/3) with weights 4.5 and 4.5.
func TestOnlineKMeansDecayFactor(t *testing.T) {
	env := streamEnv(2)
	km, err := ml.NewKMeans().Fit(ml.FromRows(batchEnv(1), featureRows(okmTrain1)))
	if err != nil {
		t.Fatal(err)
	}
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(6).SetDecayFactor(0.5)
	if err := k.SetInitialModelData(km.(*ml.KMeansModel).GetModelData()[0]); err != nil {
		t.Fatal(err)
	}
	m, err := k.Fit(streamTable(env, featureRows(okmTrain2)))
	if err != nil {
		t.Fatal(err)
	}
	om := m.(*ml.OnlineKMeansModel)
	vs := modelVersions(t, env, om.GetModelData()[0])
	if len(vs) != 2 {
		t.Fatalf("%d model versions, want 2", len(vs))
	}
	if g := predictWith(t, vs[0]); !equalStrings(g, okmGroups1) {
		t.Errorf("initial groups %v, want %v", g, okmGroups1)
	}
	cs := append([]*ml.DenseVector(nil), vs[1].Get("centroids").([]*ml.DenseVector)...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Values[0] < cs[j].Values[0] })
	want := []*ml.DenseVector{ml.Dense(-10.2, -200.2/3), ml.Dense(10.1, 200.3/3)}
	for i := range want {
		if !ml.VectorEquals(cs[i], want[i], 1e-5) {
			t.Errorf("centroid %d = %v, want %v", i, cs[i], want[i])
		}
	}
	if w := vs[1].Get("weights").(*ml.DenseVector); !ml.VectorEquals(w, ml.Dense(4.5, 4.5), 1e-5) {
		t.Errorf("weights %v, want [4.5, 4.5]", w)
	}
	latest, ok := om.LatestVersion()
	if !ok || latest.Version != 1 || !ml.VectorEquals(latest.Weights, ml.Dense(4.5, 4.5), 1e-5) {
		t.Errorf("LatestVersion = %+v, %v", latest, ok)
	}
	// Each centroid moved from y≈0.1/0.2 to y≈±66.7: the summed movement is their two distances.
	wantMove := math.Hypot(0, 200.3/3-0.1) + math.Hypot(0, 200.2/3+0.2)
	if math.Abs(latest.Movement-wantMove) > 1e-6 {
		t.Errorf("movement %v, want %v", latest.Movement, wantMove)
	}
}

// Flink: OnlineKMeansTest#testInitWithKMeans: the model predicts with the initial model data until a batch
// is full (here the training stream never fills one), through Transform on a stream.
func TestOnlineKMeansTransform(t *testing.T) {
	env := streamEnv(2)
	km, err := ml.NewKMeans().Fit(ml.FromRows(batchEnv(1), featureRows(okmTrain1)))
	if err != nil {
		t.Fatal(err)
	}
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(6)
	if err := k.SetInitialModelData(km.(*ml.KMeansModel).GetModelData()[0]); err != nil {
		t.Fatal(err)
	}
	m, err := k.Fit(streamTable(env, featureRows(okmTrain2[:5])))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(streamTable(env, featureRows(okmPredict)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ml.Collect(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if g := groups(t, rows, "features", "prediction"); !equalStrings(g, okmGroups1) {
		t.Errorf("groups %v, want %v", g, okmGroups1)
	}
}

// clusterPoints returns n points taken round-robin around centers, each coordinate off by up to spread
// (xorshift noise, deterministic).
func clusterPoints(centers [][]float64, n int, seed uint64, spread float64) [][]float64 {
	s := seed
	next := func() float64 { // xorshift in [-1, 1)
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		return float64(s%2000000)/1000000 - 1
	}
	var pts [][]float64
	for i := 0; i < n; i++ {
		c := centers[i%len(centers)]
		p := make([]float64, len(c))
		for j := range c {
			p[j] = c[j] + spread*next()
		}
		pts = append(pts, p)
	}
	return pts
}

func nearestDistances(cs []*ml.DenseVector, centers [][]float64) float64 {
	worst := 0.0
	for _, c := range centers {
		best := math.Inf(1)
		for _, v := range cs {
			best = math.Min(best, ml.Distance("euclidean", v, ml.Dense(c...)))
		}
		worst = math.Max(worst, best)
	}
	return worst
}

// OnlineKMeans converges on a stationary stream and follows a drifting one: 10 batches of 20 points around
// (0, 0) and (10, 10), then the clusters jump to (5, -5) and (15, 5); with decayFactor 0.5 the centroids are
// within 0.5 of the new centers 4 batches after the jump: the old weight settles at 20 (w = w/2 + 10) and each
// batch then moves a centroid half of the way, leaving 1/16 of the 7.07 jump.
func TestOnlineKMeansDrift(t *testing.T) {
	before := [][]float64{{0, 0}, {10, 10}}
	after := [][]float64{{5, -5}, {15, 5}}
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(20).SetDecayFactor(0.5)
	pts := append(clusterPoints(before, 200, 7, 0.5), clusterPoints(after, 200, 11, 0.5)...)
	// Parallelism 1 keeps the stream's order, so every batch is wholly before or after the jump.
	env := streamEnv(1)
	if err := k.SetInitialModelData(ml.FromRows(env, []ml.Row{ml.NewRow("centroids",
		[]*ml.DenseVector{ml.Dense(1, 1), ml.Dense(2, 2)}, "weights", ml.Dense(0, 0))})); err != nil {
		t.Fatal(err)
	}
	in := make([]any, len(pts))
	for i, p := range pts {
		in[i] = ml.NewRow("features", ml.Dense(p...))
	}
	m, err := k.Fit(ml.FromDataStream(env, env.FromSlice(in)))
	if err != nil {
		t.Fatal(err)
	}
	vs := modelVersions(t, env, m.(*ml.OnlineKMeansModel).GetModelData()[0])
	if len(vs) != 21 {
		t.Fatalf("%d versions, want 21", len(vs))
	}
	cents := func(i int) []*ml.DenseVector { return vs[i].Get("centroids").([]*ml.DenseVector) }
	if d := nearestDistances(cents(10), before); d > 0.2 {
		t.Errorf("stationary: after 10 batches a center is %.3f from its centroid (%v), want <= 0.2", d, cents(10))
	}
	if d := nearestDistances(cents(14), after); d > 0.5 {
		t.Errorf("drift: 4 batches after the jump a center is %.3f from its centroid (%v), want <= 0.5", d, cents(13))
	}
	if d := nearestDistances(cents(20), after); d > 0.2 {
		t.Errorf("drift: 10 batches after the jump a center is %.3f from its centroid, want <= 0.2", d)
	}
}

// OnlineKMeans on an unbounded stream (a GeneratorSource without a Count) in Streaming mode: the job runs
// until cancelled, the model versions flow to a sink as they are made, and LatestVersion can be polled while
// the job runs. The clusters jump from (0, 0), (10, 10) to (5, -5), (15, 5) after 400 points (20 batches);
// 10 batches later (decayFactor 0.5) every new center has a centroid within 0.2.
func TestOnlineKMeansUnboundedStream(t *testing.T) {
	before := [][]float64{{0, 0}, {10, 10}}
	after := [][]float64{{5, -5}, {15, 5}}
	env := streamEnv(1)
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(20).SetDecayFactor(0.5)
	if err := k.SetInitialModelData(ml.FromRows(env, []ml.Row{ml.NewRow("centroids",
		[]*ml.DenseVector{ml.Dense(1, 1), ml.Dense(2, 2)}, "weights", ml.Dense(0, 0))})); err != nil {
		t.Fatal(err)
	}
	points := env.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement {
		centers := before
		if i >= 400 {
			centers = after
		}
		c := centers[i%2]
		h := uint64(i)*0x9E3779B97F4A7C15 + 1
		noise := func() float64 { h ^= h >> 29; h *= 0xBF58476D1CE4E5B9; return float64(h%1000)/1000 - 0.5 }
		return engine.SourceElement{Value: ml.NewRow("features", ml.Dense(c[0]+noise(), c[1]+noise())), Timestamp: engine.NoTimestamp}
	}}, nil, "clicks")
	m, err := k.Fit(ml.FromDataStream(env, points))
	if err != nil {
		t.Fatal(err)
	}
	om := m.(*ml.OnlineKMeansModel)
	var mu sync.Mutex
	versions := map[int64][]*ml.DenseVector{}
	reached := make(chan struct{})
	om.GetModelData()[0].DataStream().SinkTo("model versions", func(v any, _ int64) error {
		r := v.(ml.Row)
		ver := r.Get("modelVersion").(int64)
		mu.Lock()
		defer mu.Unlock()
		versions[ver] = r.Get("centroids").([]*ml.DenseVector)
		if ver == 30 {
			close(reached)
		}
		return nil
	})
	job, err := env.ExecuteAsync("online kmeans")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-job.Done():
		t.Fatalf("the job ended: %v", job.Err())
	}
	if v, ok := om.LatestVersion(); !ok || v.Version < 30 {
		t.Errorf("LatestVersion while running: %+v %v", v, ok)
	}
	job.Cancel()
	_ = job.Wait()
	mu.Lock()
	defer mu.Unlock()
	if d := nearestDistances(versions[20], before); d > 0.2 {
		t.Errorf("version 20: a center is %.3f from its centroid (%v)", d, versions[20])
	}
	if d := nearestDistances(versions[30], after); d > 0.2 {
		t.Errorf("version 30: a center is %.3f from its centroid (%v)", d, versions[30])
	}
}
