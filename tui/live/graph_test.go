package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/graph"
	"github.com/de4e/weir/tui/i18n"
)

// graphSnapshot is a superstep's job whose operator "Live vertex values" publishes p.
func graphSnapshot(p graph.Progress) engine.JobSnapshot {
	return engine.JobSnapshot{Name: "pagerank (superstep 3)", Status: engine.JobRunning, Time: time.Unix(0, 0), Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "Adjust scores -> Live vertex values", Parallelism: 2, Operators: []engine.OperatorSnapshot{
			{Name: "Adjust scores"},
			{Name: "Live vertex values", Gauges: []engine.GaugeValue{{Name: graph.ProgressGauge, Value: p}}}}},
	}}
}

// pagerankRunning is PageRank on a 5-vertex graph while its third superstep runs: two have ended, the third
// has counted 3 active vertices, 5 scores sent and 2 vertices updated so far.
func pagerankRunning() graph.Progress {
	return graph.Progress{Iteration: "pagerank", Model: "bulk", MaxIterations: 20, Superstep: 3, Running: true, Vertices: 5,
		Supersteps: []graph.SuperstepCounts{{Superstep: 1, Active: 5, Messages: 8, Updated: 5}, {Superstep: 2, Active: 5, Messages: 8, Updated: 5}, {Superstep: 3, Active: 3, Messages: 5, Updated: 2}}, Ranking: graph.RankByScore,
		Top: []graph.Vertex{{ID: int64(3), Value: 0.3125}, {ID: int64(1), Value: 0.25}, {ID: int64(5), Value: 0.1875},
			{ID: int64(2), Value: 0.15625}, {ID: int64(4), Value: 0.09375}}}
}

// The graph view of a running PageRank: the model and superstep, a sparkline each of the active vertices,
// the messages and the updates per superstep (the running one's counts so far last), and the five highest
// scores with bars against the highest.
func TestGraphIterationView(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(graphSnapshot(pagerankRunning()), nil)
	goldenInEachLang(t, func(lang i18n.Lang) string { return GraphIteration(h, 80, 10, lang) })
	got := strings.Join(stripLines(GraphIteration(h, 80, 10, i18n.EN)), "\n")
	want := strings.Join([]string{
		"Graph pagerank bulk · superstep 3 of 20 · 5 vertices · running",
		" active   3 " + strings.Repeat(" ", 64) + "██▅",
		" messages 5 " + strings.Repeat(" ", 64) + "██▅",
		" updated  2 " + strings.Repeat(" ", 64) + "██▄",
		" highest scores (vertex, score)",
		"   3  0.3125 ▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮",
		"   1    0.25 ▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮",
		"   5  0.1875 ▮▮▮▮▮▮▮▮▮▮▮▮",
		"   2  0.1562 ▮▮▮▮▮▮▮▮▮▮",
		"   4 0.09375 ▮▮▮▮▮▮",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// Connected components rank by group: the labels most vertices hold, with their sizes.
func TestGraphIterationGroups(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(graphSnapshot(graph.Progress{Iteration: "connected components", Model: "scatter-gather", MaxIterations: 10,
		Superstep: 4, Vertices: 11, Supersteps: []graph.SuperstepCounts{{Superstep: 1, Active: 11, Messages: 14, Updated: 7}, {Superstep: 2, Active: 7, Messages: 9, Updated: 3}, {Superstep: 3, Active: 3, Messages: 3, Updated: 1}, {Superstep: 4, Active: 1, Messages: 1, Updated: 0}},
		Ranking: graph.RankByGroup, Groups: []graph.ValueGroup{{Value: int64(1), Vertices: 4}, {Value: int64(5), Vertices: 3}, {Value: int64(8), Vertices: 2}}}), nil)
	lines := stripLines(GraphIteration(h, 60, 10, i18n.EN))
	want := []string{
		" largest groups (value, vertices)",
		"   1 4 vertices ▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮",
		"   5 3 vertices ▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮",
		"   8 2 vertices ▮▮▮▮▮▮▮▮▮▮",
	}
	// The title's facts do not fit 60 cells beside the name, so they take a line of their own (issue 19,
	// defect 10: key facts are not cut).
	if len(lines) != 9 || strings.Join(lines[5:], "\n") != strings.Join(want, "\n") || strings.Contains(lines[0], "running") {
		t.Fatalf("got\n%s", strings.Join(lines, "\n"))
	}
}

// A real PageRank run, observed as the workbench observes a notebook's jobs: the dashboard of its last
// superstep's job shows the iteration and the graph view, whose highest score is the result's: vertex 1,
// which vertex 3 (the target of three edges) passes its whole score to.
func TestGraphIterationDashboardFromEngine(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
	var jobs []*engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { jobs = append(jobs, j) }})
	es := []graph.Edge{{Source: int64(1), Target: int64(2)}, {Source: int64(2), Target: int64(3)}, {Source: int64(3), Target: int64(1)},
		{Source: int64(4), Target: int64(3)}, {Source: int64(5), Target: int64(3)}}
	res, err := graph.PageRank{MaxIterations: 5}.Run(graph.FromEdges(env, es))
	if err != nil {
		t.Fatal(err)
	}
	job := jobs[len(jobs)-1]
	h := NewHistory(0, 0)
	h.Add(job.Snapshot(), nil)
	h.SetIteration(job.Iteration().Snapshot())
	d := ansi.Strip(Dashboard(h, 120, 40, i18n.EN))
	best := res.Vertices[0]
	for _, v := range res.Vertices {
		if v.Value.(float64) > best.Value.(float64) {
			best = v
		}
	}
	if !strings.Contains(d, "Iteration pagerank") || !strings.Contains(d, "Graph pagerank bulk · superstep 5 of 5 · 5 vertices") ||
		!strings.Contains(d, "   1 "+aggregateText(best.Value)) || best.ID != int64(1) {
		t.Fatalf("dashboard:\n%s", d)
	}
}

// A recovery that went back past output a two-phase-commit sink had committed (issue 18) said so only in
// the job's events: the graph view now says it, in the learner's language, and shows the job's error when
// such a recovery was refused.
func TestGraphSaysARecoveryRepeatsCommittedOutput(t *testing.T) {
	running := engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Restarts: 1}
	h := NewHistory(0, 0)
	h.Add(running, nil)
	if g := ansi.Strip(Graph(h, 120, 10, i18n.EN)); strings.Contains(g, "at-least-once") {
		t.Errorf("a warning without the event:\n%s", g)
	}
	h.Add(running, []engine.Event{{Seq: 1, Kind: engine.EventRecoveryBehindCommit, Count: 3,
		Detail: "recovering from checkpoint 3 although the sinks committed the output of checkpoint 4"}})
	for lang, want := range map[i18n.Lang]string{
		i18n.EN: "at-least-once recovery from checkpoint 3: output the sinks committed after it is written again",
		i18n.KO: "체크포인트 3에서 최소 한 번 복구: 그 뒤에 싱크가 커밋한 출력을 다시 씁니다",
	} {
		if g := ansi.Strip(Graph(h, 120, 10, lang)); !strings.Contains(g, want) {
			t.Errorf("%v: the graph view does not say %q:\n%s", lang, want, g)
		}
	}
	refused := "engine: recovery would go back past committed output: the sinks committed the output of checkpoint 4"
	h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobFailed, Err: refused}, nil)
	if g := ansi.Strip(Graph(h, 200, 10, i18n.EN)); !strings.Contains(g, refused) {
		t.Errorf("the refused recovery's error is not shown:\n%s", g)
	}
}
