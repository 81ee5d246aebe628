package graph

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// observedEnv is testEnv with an Observer that keeps every job it starts.
func observedEnv() (*engine.Environment, *[]*engine.Job) {
	env := testEnv()
	var jobs []*engine.Job
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { jobs = append(jobs, j) }})
	return env, &jobs
}

// lastProgress is the Progress the gauge of the newest superstep job in jobs reports.
func lastProgress(t *testing.T, jobs []*engine.Job) Progress {
	t.Helper()
	for i := len(jobs) - 1; i >= 0; i-- {
		for _, v := range jobs[i].Snapshot().Vertices {
			for _, op := range v.Operators {
				if g, ok := op.Gauge(ProgressGauge); ok {
					p, isProgress := g.(Progress)
					if !isProgress {
						t.Fatalf("gauge %q holds a %T", ProgressGauge, g)
					}
					return p
				}
			}
		}
	}
	t.Fatal("no job publishes the graph gauge")
	return Progress{}
}

// The live view of a vertex-centric iteration (the SSSP of TestSSSPThreeWays, without a combiner): per
// superstep the vertices that computed, the messages they sent (the next workset, SuperstepInfo.Output) and
// the vertices updated (the delta); the values are float64 distances, so the Top lists the farthest vertices
// reached (an unreached vertex's +Inf has no score).
func TestLiveProgressVertexCentric(t *testing.T) {
	env, jobs := observedEnv()
	res, err := ssspGraph(env).RunVertexCentricIteration(VertexCentricIteration{
		Name:          "sssp",
		MaxIterations: 10,
		Compute: func(ctx *ComputeContext, v Vertex, msgs []any) {
			d := math.Inf(1)
			if v.ID == int64(1) {
				d = 0
			}
			for _, m := range msgs {
				d = math.Min(d, m.(float64))
			}
			if d < v.Value.(float64) {
				ctx.SetNewVertexValue(d)
				for _, e := range ctx.Edges() {
					ctx.SendMessageTo(e.Target, d+e.Value.(float64))
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := lastProgress(t, *jobs)
	if p.Iteration != "sssp" || p.Model != "vertex-centric" || p.Running || p.MaxIterations != 10 || p.Vertices != 5 {
		t.Fatalf("progress header: %+v", p)
	}
	var got, want []string
	for i, c := range p.Supersteps {
		got = append(got, fmt.Sprintf("%d active=%d messages=%d updated=%d", c.Superstep, c.Active, c.Messages, c.Updated))
		info := res.Supersteps[i]
		want = append(want, fmt.Sprintf("%d active=%d messages=%d updated=%d", info.Superstep, c.Active, info.Output, info.Delta))
	}
	// Superstep 1: all 5 compute, vertex 1 sets 0 and sends 2; then 2 and 3 (3 messages: 2->3, 3->4, 3->5),
	// then 3 gets 35 (no update), 4 and 5 (4 sends 4->5, 5 sends 5->1), then 5 (no) and 1 (no).
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("counts\n%s\nwant (from the iteration's SuperstepInfo)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pinned := "1 active=5 messages=2 updated=1\n2 active=2 messages=3 updated=2\n3 active=3 messages=2 updated=2\n4 active=2 messages=0 updated=0"
	if strings.Join(got, "\n") != pinned {
		t.Fatalf("counts\n%s\nwant\n%s", strings.Join(got, "\n"), pinned)
	}
	if p.Ranking != RankByScore || fmt.Sprint(p.Top) != "[{5 48} {4 47} {3 13} {2 12} {1 0}]" {
		t.Fatalf("top: %v %v", p.Ranking, p.Top)
	}
}

// PageRank's live view ranks by score: its Top is the result's five highest scores, and each superstep
// counts every vertex with out-edges as active and one score sent per edge.
func TestLiveProgressPageRank(t *testing.T) {
	env, jobs := observedEnv()
	r := loadReference(t)
	res, err := PageRank{MaxIterations: 8}.Run(karate(env, r))
	if err != nil {
		t.Fatal(err)
	}
	p := lastProgress(t, *jobs)
	if p.Model != "bulk" || len(p.Supersteps) != 8 || p.Vertices != 34 || p.Ranking != RankByScore {
		t.Fatalf("progress: %+v", p)
	}
	for _, c := range p.Supersteps {
		// The karate club's 78 undirected edges are 156 out-edges; every one of its 34 vertices has some.
		if c.Active != 34 || c.Messages != 156 || c.Updated != 34 {
			t.Fatalf("superstep %d: %+v, want 34 active, 156 messages, 34 updated", c.Superstep, c)
		}
	}
	vs := append([]Vertex(nil), res.Vertices...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Value.(float64) > vs[j].Value.(float64) })
	if fmt.Sprint(p.Top) != fmt.Sprint(vs[:LiveTop]) {
		t.Fatalf("top %v, want %v", p.Top, vs[:LiveTop])
	}
}

// Connected components rank by group: the components with most vertices, labelled by their smallest id.
func TestLiveProgressComponents(t *testing.T) {
	env, jobs := observedEnv()
	es := []Edge{{int64(1), int64(2), nil}, {int64(2), int64(3), nil}, {int64(3), int64(4), nil},
		{int64(5), int64(6), nil}, {int64(6), int64(7), nil}, {int64(8), int64(9), nil}, {int64(10), int64(11), nil}}
	if _, err := (ConnectedComponents{MaxIterations: 10}).Run(FromEdges(env, es)); err != nil {
		t.Fatal(err)
	}
	p := lastProgress(t, *jobs)
	if p.Ranking != RankByGroup || fmt.Sprint(p.Groups) != "[{1 4} {5 3} {8 2} {10 2}]" {
		t.Fatalf("groups: %v %v", p.Ranking, p.Groups)
	}
}
