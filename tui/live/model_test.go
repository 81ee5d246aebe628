package live

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
	"github.com/de4e/weir/tui/i18n"
)

// modelSnapshot is a streaming job whose operator "OnlineKMeans" publishes p.
func modelSnapshot(at time.Time, p ml.ModelProgress) engine.JobSnapshot {
	return engine.JobSnapshot{Name: "online kmeans", Status: engine.JobRunning, Time: at, Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "Source: clicks", Parallelism: 1, Operators: []engine.OperatorSnapshot{{Name: "Source: clicks"}}},
		{ID: 2, Name: "OnlineKMeans", Parallelism: 1, Operators: []engine.OperatorSnapshot{
			{Name: "OnlineKMeans", Gauges: []engine.GaugeValue{{Name: ml.ProgressGauge, Value: p}}}}},
	}}
}

// driftingKMeans is OnlineKMeans (decayFactor 0.5, batches of 20) version n on a stream whose clusters jumped
// from (0, 0) and (10, 10) to (5, -5) and (15, 5) after version 10: each version after the jump halves the
// centroids' distance to the new centres.
func driftingKMeans(n int64) ml.ModelProgress {
	p := ml.ModelProgress{Estimator: "OnlineKMeans", Version: n, Rows: 20 * n, Metric: "movement"}
	for v := int64(1); v <= n; v++ {
		m := 0.0
		if v > 10 {
			m = 2 * 7.0710678 / float64(int64(1)<<(v-10))
		}
		p.History = append(p.History, ml.VersionMetric{Version: v, Value: m})
	}
	off := 5.0 / float64(int64(1)<<(n-10))
	p.Vectors = []ml.ModelVector{{Name: "c0", Values: []float64{5 - off, -5 + off}, Weight: 20}, {Name: "c1", Values: []float64{15 - off, 5 + off}, Weight: 20}}
	return p
}

// The model view of a drifting OnlineKMeans: the version and rows learnt, the centroids' movement per version
// (nothing while the stream was stationary, then halving after the jump), and each centroid with its weight,
// how far it moved since the previous snapshot (version 12 to 13: 0.625 · √2) and where it is.
func TestModelView(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := NewHistory(0, 0)
	h.Add(modelSnapshot(t0, driftingKMeans(12)), nil)
	h.Add(modelSnapshot(t0.Add(time.Second), driftingKMeans(13)), nil)
	goldenInEachLang(t, func(lang i18n.Lang) string { return Model(h, 80, 6, lang) })
	got := strings.Join(stripLines(Model(h, 80, 6, i18n.EN)), "\n")
	want := strings.Join([]string{
		"Model OnlineKMeans version 13 · 260 rows learnt",
		" centroid movement 1.768 " + strings.Repeat(" ", 41) + strings.Repeat("▁", 10) + "█▅▃",
		" vector   weight    moved  values",
		" c0           20    0.884  (4.375, -4.375)",
		" c1           20    0.884  (14.38, 5.625)",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// A job training OnlineLogisticRegression, as the engine runs it: the dashboard shows the model where a job
// without one shows its windows, with the loss of both versions and the coefficient.
func TestModelDashboardFromEngine(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	var jobs []*engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { jobs = append(jobs, j) }})
	r := ml.NewOnlineLogisticRegression().SetGlobalBatchSize(4)
	if err := r.SetInitialModelData(ml.FromRows(engine.NewEnvironment(engine.Config{}), []ml.Row{ml.NewRow("coefficient", ml.Dense(0, 0))})); err != nil {
		t.Fatal(err)
	}
	var rows []any
	for i := 0; i < 8; i++ {
		x := float64(i%2*2 - 1)
		rows = append(rows, ml.NewRow("features", ml.Dense(x, 1), "label", float64(i%2)))
	}
	m, err := r.Fit(ml.FromDataStream(env, env.FromSlice(rows)))
	if err != nil {
		t.Fatal(err)
	}
	m.(*ml.OnlineLogisticRegressionModel).GetModelData()[0].DataStream().Collect()
	if _, err := env.Execute("online lr"); err != nil {
		t.Fatal(err)
	}
	h := NewHistory(0, 0)
	h.Add(jobs[len(jobs)-1].Snapshot(), nil)
	d := ansi.Strip(Dashboard(h, 120, 40, i18n.EN))
	if !strings.Contains(d, "Model OnlineLogisticRegression version 2 · 8 rows learnt") || !strings.Contains(d, "batch loss") ||
		!strings.Contains(d, " coefficient ") || strings.Contains(d, "Windows") {
		t.Fatalf("dashboard:\n%s", d)
	}
}

// spreadPoints are 30 points over [0, 10)² (engine/ml's fit_progress_test uses the same), on which KMeans
// with k 3 and seed 7 moves its centroids for five rounds.
func spreadPoints() []ml.Row {
	rows := make([]ml.Row, 30)
	for i := range rows {
		f := float64(i)
		rows[i] = ml.NewRow("features", ml.Dense(math.Mod(f*3.7, 10), math.Mod(f*f*1.9, 10)))
	}
	return rows
}

// A batch KMeans fit as the engine runs it: every superstep's job shows the Model view under the iteration's,
// with the iteration of how many, a sparkline of each round's largest centroid shift (engine/ml pins the
// figures: 1.743, 1.202, 1.45, 1.253, 0.5244) and the centroids with their weights and how far they moved
// in the last round. While the fit runs, each superstep's job shows the rounds that have ended before it.
func TestModelViewOfBatchKMeansFromEngine(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch})
	var supersteps []*engine.Job
	var starts []engine.JobSnapshot // each superstep's job polled as it starts
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) {
		if j.Iteration() != nil {
			supersteps = append(supersteps, j)
			starts = append(starts, j.Snapshot())
		}
	}})
	if _, err := ml.NewKMeans().SetK(3).SetSeed(7).SetMaxIter(5).Fit(ml.FromRows(env, spreadPoints())); err != nil {
		t.Fatal(err)
	}
	if len(supersteps) != 5 {
		t.Fatalf("%d superstep jobs, want 5", len(supersteps))
	}
	for i, s := range starts {
		h := NewHistory(0, 0)
		h.Add(s, nil)
		want := fmt.Sprintf("Model KMeans iteration %d of 5 · 30 rows", i)
		if got := stripLines(Model(h, 80, 1, i18n.EN))[0]; got != want {
			t.Errorf("as superstep %d starts, the model view says %q, want %q", i+1, got, want)
		}
	}
	// The last superstep's job polled as it started and when it has ended: its centroids moved.
	last := supersteps[len(supersteps)-1]
	h := NewHistory(0, 0)
	h.Add(starts[len(starts)-1], nil)
	h.Add(last.Snapshot(), nil)
	h.SetIteration(last.Iteration().Snapshot())
	goldenInEachLang(t, func(lang i18n.Lang) string { return Model(h, 80, 6, lang) })
	lines := stripLines(Model(h, 80, 6, i18n.EN))
	if want := " largest centroid shift 0.5244 " + strings.Repeat(" ", 43) + "█▆▇▆▃"; lines[1] != want {
		t.Errorf("shift line\n%q\nwant\n%q", lines[1], want)
	}
	d := ansi.Strip(Dashboard(h, 120, 40, i18n.EN))
	if !strings.Contains(d, "Iteration KMeans") || !strings.Contains(d, "Model KMeans iteration 5 of 5 · 30 rows") ||
		!strings.Contains(d, "largest centroid shift") {
		t.Fatalf("dashboard:\n%s", d)
	}
}

// A LogisticRegression fit's superstep shows each epoch's loss in the Model view, in the dashboard's narrow
// layout too, and a multinomial model's coefficient as one row per class.
func TestModelViewOfBatchLogisticRegressionFromEngine(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch})
	var last *engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { last = j }})
	var rows []ml.Row
	for i, r := range spreadPoints() {
		rows = append(rows, r.With("label", float64(i/2%3)))
	}
	if _, err := ml.NewLogisticRegression().SetMaxIter(4).Fit(ml.FromRows(env, rows)); err != nil {
		t.Fatal(err)
	}
	h := NewHistory(0, 0)
	h.Add(last.Snapshot(), nil)
	h.SetIteration(last.Iteration().Snapshot())
	d := ansi.Strip(Dashboard(h, 80, 60, i18n.EN))
	for _, want := range []string{"Model LogisticRegression iteration 4 of 4 · 30 rows", "batch loss", " class 0 ", " class 2 "} {
		if !strings.Contains(d, want) {
			t.Fatalf("no %q in the dashboard:\n%s", want, d)
		}
	}
}

// An LDA fit runs a job per mini-batch; the dashboard of one shows the Model view with each mini-batch's topic
// change and no vectors (a topic is as long as the vocabulary).
func TestModelViewOfLDAFromEngine(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
	var last *engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { last = j }})
	var docs []ml.Row
	for i := range 12 {
		counts := make([]float64, 6)
		counts[i%3], counts[i%3+3] = float64(1+i%4), 2
		docs = append(docs, ml.NewRow("features", ml.Dense(counts...)))
	}
	if _, err := ml.NewLDA().SetK(2).SetMaxIter(3).SetBatchSize(6).SetSeed(1).Fit(ml.FromRows(env, docs)); err != nil {
		t.Fatal(err)
	}
	h := NewHistory(0, 0)
	h.Add(last.Snapshot(), nil)
	d := stripLines(Dashboard(h, 80, 60, i18n.EN))
	var model []string
	for i, l := range d {
		if strings.HasPrefix(l, "Model LDA") {
			model = d[i : i+3]
		}
	}
	bars := 0 // the sparkline's columns: one a mini-batch
	if len(model) > 1 {
		for _, r := range model[1] {
			if strings.ContainsRune("▁▂▃▄▅▆▇█", r) {
				bars++
			}
		}
	}
	if len(model) == 0 || model[0] != "Model LDA iteration 6 of 6 · 12 rows" || !strings.HasPrefix(model[1], " topic change ") ||
		bars != 6 || strings.TrimSpace(model[2]) != "" {
		t.Fatalf("the model view %q in the dashboard:\n%s", model, strings.Join(d, "\n"))
	}
}
