package graph

import (
	"strings"
	"sync"
	"testing"

	"github.com/de4e/weir/engine"
)

// Every job a Graph runs, and every superstep of its iterations, is reported to its Environment's Observer
// (the workbench's live view), and the Environment's own graph is left empty.
func TestJobsReachTheObserver(t *testing.T) {
	env := testEnv()
	var mu sync.Mutex
	var names []string
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) {
		mu.Lock()
		defer mu.Unlock()
		names = append(names, j.Name())
	}})
	g := longLongGraph(env)
	if _, err := g.NumberOfEdges(); err != nil {
		t.Fatal(err)
	}
	res, err := ConnectedComponents{MaxIterations: 10}.Run(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"graph: count edges", "graph: collect graph"}
	for i := range res.Supersteps {
		want = append(want, "connected components, superstep "+string(rune('1'+i)))
	}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("jobs %q, want %q", names, want)
	}
	if p, err := env.Plan(); err == nil && len(p.Vertices) > 0 {
		t.Errorf("the Graph's Environment got %d vertices of its own", len(p.Vertices))
	}
}

// The results do not depend on the parallelism or the runtime mode.
func TestParallelismAndModes(t *testing.T) {
	r := loadReference(t)
	for _, cfg := range []engine.Config{{Parallelism: 1}, {Parallelism: 3}, {Parallelism: 3, RuntimeMode: engine.Batch}} {
		env := engine.NewEnvironment(cfg)
		res, err := PageRank{MaxIterations: 1000, ConvergenceThreshold: 1e-13}.Run(karate(env, r))
		if err != nil {
			t.Fatal(err)
		}
		compareScores(t, "pagerank", res.Vertices, asFloat, r.Karate.PageRank, 1e-9)
		cc, err := ConnectedComponents{MaxIterations: 100}.Run(sparse(env, r))
		if err != nil {
			t.Fatal(err)
		}
		compareLabels(t, "components", cc.Vertices, r.Sparse.Components)
		tri, err := TriangleEnumerator{}.Run(karate(env, r))
		if err != nil || len(tri) != len(r.Karate.Triangles) {
			t.Errorf("parallelism %d: %d triangles, %v", cfg.Parallelism, len(tri), err)
		}
	}
}

// Invalid arguments are refused when the program is built, naming the argument.
func TestInvalidArguments(t *testing.T) {
	env := testEnv()
	g := longLongGraph(env)
	for name, f := range map[string]func(){
		"MaxIterations": func() { _, _ = PageRank{}.Run(g) },
		"DampingFactor": func() { _, _ = PageRank{DampingFactor: 1.5, MaxIterations: 3}.Run(g) },
		"Compute":       func() { _, _ = g.RunVertexCentricIteration(VertexCentricIteration{MaxIterations: 3}) },
		"Scatter and Gather": func() {
			_, _ = g.RunScatterGatherIteration(ScatterGatherIteration{MaxIterations: 3})
		},
		"direction":            func() { g.ReduceOnEdges(func(a, b any) any { return a }, EdgeDirection(7)) },
		"at least 2":           func() { CompleteGraph(env, 1) },
		"EdgeCount":            func() { RMat{VertexCount: 4}.Graph(env) },
		"size 0":               func() { GridGraph(env, []GridDimension{{Size: 0}}) },
		"needs an Environment": func() { FromEdges(nil, nil) },
		"VertexMapFunc":        func() { g.MapVertices(nil) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", name)
				} else if !strings.Contains(strings.ToLower(r.(string)), strings.ToLower(name)) {
					t.Errorf("%s: panic %q does not name it", name, r)
				}
			}()
			f()
		}()
	}
}
