package graph

import (
	"math"
	"testing"

	"github.com/de4e/weir/engine"
)

// ssspGraph is Gelly's SingleSourceShortestPathsData: edges with float64 weights, all vertex values +Inf.
func ssspGraph(env *engine.Environment) *Graph {
	es := []Edge{{int64(1), int64(2), 12.0}, {int64(1), int64(3), 13.0}, {int64(2), int64(3), 23.0},
		{int64(3), int64(4), 34.0}, {int64(3), int64(5), 35.0}, {int64(4), int64(5), 45.0}, {int64(5), int64(1), 51.0}}
	return FromEdges(env, es).MapVertices(func(Vertex) any { return math.Inf(1) })
}

// Flink: SingleSourceShortestPathsData.RESULTED_SINGLE_SOURCE_SHORTEST_PATHS, the expected result of
// SingleSourceShortestPathsITCase (scatter-gather), GSASingleSourceShortestPathsITCase and the Pregel
// example's test (PregelSSSPITCase).
const ssspResult = "1,0\n2,12\n3,13\n4,47\n5,48\n"

// The same shortest paths from vertex 1 computed in Gelly's three iteration models.
func TestSSSPThreeWays(t *testing.T) {
	const source = int64(1)
	env := testEnv()
	g := ssspGraph(env)

	// Vertex-centric (Gelly's PregelSSSP example), with a min combiner.
	vc, err := g.RunVertexCentricIteration(VertexCentricIteration{
		MaxIterations: 10,
		Compute: func(ctx *ComputeContext, v Vertex, msgs []any) {
			d := math.Inf(1)
			if v.ID == source {
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
		Combiner: func(a, b any) any { return math.Min(a.(float64), b.(float64)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "vertex-centric", formatVertices(vc.Vertices), ssspResult)

	// Scatter-gather (Gelly's library SingleSourceShortestPaths).
	sg, err := SingleSourceShortestPaths{Source: source, MaxIterations: 10}.Run(g)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "scatter-gather", formatVertices(sg.Vertices), ssspResult)

	// Gather-sum-apply (Gelly's library GSASingleSourceShortestPaths).
	gsa, err := GSASingleSourceShortestPaths{Source: source, MaxIterations: 10}.Run(g)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "gather-sum-apply", formatVertices(gsa.Vertices), ssspResult)

	// The supersteps: each model ends when no vertex changes (an empty workset) in 4 or 5 supersteps:
	// vertex 1 at 0, then 2 and 3, then 4 and 5 (and 3's shorter path), then nothing.
	for name, r := range map[string]*IterationResult{"vertex-centric": vc, "scatter-gather": sg, "gsa": gsa} {
		if r.Ended != engine.EndedEmptyWorkset || len(r.Supersteps) > 5 {
			t.Errorf("%s: ended %v after %d supersteps", name, r.Ended, len(r.Supersteps))
		}
	}
}

// A vertex-centric iteration stops after MaxIterations however many messages are left, and a message to a
// vertex that does not exist fails it with an error naming the vertex, as Gelly's "Target vertex does not
// exist".
func TestVertexCentricLimits(t *testing.T) {
	g := CycleGraph(testEnv(), 4).MapVertices(func(Vertex) any { return int64(0) })
	var steps []int
	res, err := g.RunVertexCentricIteration(VertexCentricIteration{
		MaxIterations: 3,
		Compute: func(ctx *ComputeContext, v Vertex, msgs []any) {
			ctx.SetNewVertexValue(v.Value.(int64) + int64(len(msgs)))
			ctx.SendMessageToAllNeighbors(1)
		},
		OnSuperstep: func(s engine.SuperstepInfo) { steps = append(steps, s.Output) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// Superstep 1: no messages; 2 and 3: two messages each (a cycle's two neighbours).
	check(t, "cycle", formatVertices(res.Vertices), "0,4\n1,4\n2,4\n3,4\n")
	if res.Ended != engine.EndedMaxIterations || len(steps) != 3 || steps[0] != 8 {
		t.Errorf("ended %v, messages per superstep %v", res.Ended, steps)
	}
	_, err = g.RunVertexCentricIteration(VertexCentricIteration{
		MaxIterations: 3,
		Compute:       func(ctx *ComputeContext, v Vertex, msgs []any) { ctx.SendMessageTo(int64(99), 1) },
	})
	if err == nil {
		t.Error("a message to vertex 99: want an error")
	}
}
