package graph_test

import (
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/graph"
)

// A graph from an edge list: each method that needs data runs one bounded job.
func ExampleFromEdgeList() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
	g := graph.FromEdgeList(env, [][2]any{{"ann", "bob"}, {"bob", "cat"}, {"ann", "cat"}, {"cat", "dan"}})
	degrees, err := g.GetUndirected().OutDegrees().CollectVertices()
	if err != nil {
		panic(err)
	}
	for _, d := range degrees {
		fmt.Println(d.ID, d.Value)
	}
	triangles, _ := graph.TriangleEnumerator{}.Run(g)
	fmt.Println(triangles)
	// Output:
	// ann 2
	// bob 2
	// cat 3
	// dan 1
	// [{ann bob cat}]
}

// A custom vertex-centric (Pregel) algorithm: every vertex learns the largest value in its component. In
// superstep 1 every vertex sends its value to its neighbours; afterwards a vertex that receives a larger
// value takes it and passes it on, so the iteration ends when no value grows. On the path 0-1-2-3-4 with
// values 0 2 4 1 3: in superstep 2 vertices 0, 1 and 3 grow (to 2, 4, 4), in superstep 3 vertices 0 and 4
// (to 4), and in superstep 4 nobody does. "messages in" counts the messages sent, before the combiner.
func ExampleGraph_RunVertexCentricIteration() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
	g := graph.PathGraph(env, 5).MapVertices(func(v graph.Vertex) any { return (v.ID.(int64) * 7) % 5 })
	res, err := g.RunVertexCentricIteration(graph.VertexCentricIteration{
		Name:          "maximum value",
		MaxIterations: 10,
		Compute: func(ctx *graph.ComputeContext, v graph.Vertex, messages []any) {
			largest := v.Value.(int64)
			for _, m := range messages {
				largest = max(largest, m.(int64))
			}
			if ctx.Superstep() == 1 || largest > v.Value.(int64) {
				ctx.SetNewVertexValue(largest)
				ctx.SendMessageToAllNeighbors(largest)
			}
		},
		Combiner: func(a, b any) any { return max(a.(int64), b.(int64)) },
		OnSuperstep: func(s engine.SuperstepInfo) {
			fmt.Printf("superstep %d: %d messages in, %d vertices changed, %d messages out\n", s.Superstep, s.Input, s.Delta, s.Output)
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Vertices, res.Ended)
	// Output:
	// superstep 1: 5 messages in, 5 vertices changed, 8 messages out
	// superstep 2: 8 messages in, 3 vertices changed, 5 messages out
	// superstep 3: 5 messages in, 2 vertices changed, 2 messages out
	// superstep 4: 2 messages in, 0 vertices changed, 0 messages out
	// [{0 4} {1 4} {2 4} {3 4} {4 4}] empty-workset
}
