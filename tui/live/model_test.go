package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
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
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			s := Model(h, 80, 6, lang)
			for _, l := range strings.Split(s, "\n") {
				if w := ansi.StringWidth(l); w != 80 {
					t.Fatalf("line %q is %d cells, want 80", ansi.Strip(l), w)
				}
			}
			golden.RequireEqual(t, []byte(ansi.Strip(s)))
		})
	}
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
