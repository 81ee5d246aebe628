package ml_test

import (
	"math"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// observe makes env keep every job it starts.
func observe(env *engine.Environment) *[]*engine.Job {
	var jobs []*engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { jobs = append(jobs, j) }})
	return &jobs
}

// modelProgress is the ModelProgress the newest job in jobs publishes through ml.ProgressGauge.
func modelProgress(t *testing.T, jobs []*engine.Job) ml.ModelProgress {
	t.Helper()
	for i := len(jobs) - 1; i >= 0; i-- {
		for _, v := range jobs[i].Snapshot().Vertices {
			for _, op := range v.Operators {
				if g, ok := op.Gauge(ml.ProgressGauge); ok {
					p, isProgress := g.(ml.ModelProgress)
					if !isProgress {
						t.Fatalf("gauge %q holds a %T", ml.ProgressGauge, g)
					}
					return p
				}
			}
		}
	}
	t.Fatal("no job publishes the ml gauge")
	return ml.ModelProgress{}
}

// OnlineKMeans's training operator publishes the model's progress: Flink's OnlineKMeansTest#testDecayFactor
// (see TestOnlineKMeansDecayFactor) makes version 1 from 6 rows, its centroids moved by their two distances,
// and its vectors are the centroids with weights 4.5 and 4.5, as LatestVersion reports them.
func TestOnlineKMeansProgressGauge(t *testing.T) {
	env := streamEnv(2)
	jobs := observe(env)
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
	modelVersions(t, env, om.GetModelData()[0])
	p := modelProgress(t, *jobs)
	wantMove := math.Hypot(0, 200.3/3-0.1) + math.Hypot(0, 200.2/3+0.2)
	if p.Estimator != "OnlineKMeans" || p.Version != 1 || p.Rows != 6 || p.Metric != "movement" || len(p.History) != 1 ||
		p.History[0].Version != 1 || math.Abs(p.History[0].Value-wantMove) > 1e-6 {
		t.Fatalf("progress %+v, want version 1 of 6 rows, movement %v", p, wantMove)
	}
	latest, _ := om.LatestVersion()
	if len(p.Vectors) != 2 {
		t.Fatalf("vectors %+v", p.Vectors)
	}
	for i, v := range p.Vectors {
		if v.Name != []string{"c0", "c1"}[i] || v.Weight != 4.5 || !ml.VectorEquals(ml.Dense(v.Values...), latest.Centroids[i], 0) {
			t.Errorf("vector %d = %+v, want centroid %v of weight 4.5", i, v, latest.Centroids[i])
		}
	}
}

// OnlineLogisticRegression's progress: Flink's OnlineLogisticRegressionTest dense data (see
// TestOnlineLogisticRegressionDense) makes versions 1 and 2 from batches of 10; the loss of each mini-batch
// is in History and the latest coefficient is the vector.
func TestOnlineLogisticRegressionProgressGauge(t *testing.T) {
	env := streamEnv(1)
	jobs := observe(env)
	r := ml.NewOnlineLogisticRegression().SetReg(0.2).SetElasticNet(0.5).SetGlobalBatchSize(10)
	if err := r.SetInitialModelData(coefTable(batchEnv(1), olrInitDense...)); err != nil {
		t.Fatal(err)
	}
	m, err := r.Fit(streamTable(env, denseLabeled(olrDense1, olrDense2)))
	if err != nil {
		t.Fatal(err)
	}
	om := m.(*ml.OnlineLogisticRegressionModel)
	om.GetModelData()[0].DataStream().Collect()
	if _, err := env.Execute("online lr"); err != nil {
		t.Fatal(err)
	}
	p := modelProgress(t, *jobs)
	latest, _ := om.LatestVersion()
	if p.Estimator != "OnlineLogisticRegression" || p.Version != 2 || p.Rows != 20 || p.Metric != "loss" || len(p.History) != 2 ||
		p.History[1].Value != latest.Loss || !(p.History[0].Value > 0) {
		t.Fatalf("progress %+v (latest loss %v)", p, latest.Loss)
	}
	if len(p.Vectors) != 1 || p.Vectors[0].Name != "coefficient" || !ml.VectorEquals(ml.Dense(p.Vectors[0].Values...), latest.Coefficient, 0) {
		t.Fatalf("vectors %+v, want the coefficient %v", p.Vectors, latest.Coefficient)
	}
}
