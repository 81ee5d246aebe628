package engine_test

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// A bulk iteration doubles every element until none is below 100 (the termination criterion), for at most 10
// supersteps; each superstep runs as a bounded job and is reported to OnSuperstep.
func ExampleEnvironment_IterateBulk() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	res, err := env.IterateBulk([]any{3, 5, 40}, engine.BulkIteration{
		Name:          "doubling",
		MaxIterations: 10,
		Step: func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
			return partial.Map(func(v any) any { return v.(int) * 2 })
		},
		Termination: func(env *engine.Environment, partial, next *engine.DataStream) *engine.DataStream {
			return next.Filter(func(v any) bool { return v.(int) < 100 })
		},
		OnSuperstep: func(s engine.SuperstepInfo) {
			fmt.Printf("superstep %d: %d still below 100\n", s.Superstep, s.Criterion)
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Ended)
	// Output:
	// superstep 1: 3 still below 100
	// superstep 2: 2 still below 100
	// superstep 3: 2 still below 100
	// superstep 4: 2 still below 100
	// superstep 5: 1 still below 100
	// superstep 6: 0 still below 100
	// [192 320 2560] termination-criterion
}

// Label is a vertex and the smallest vertex id known to be connected to it.
type Label struct{ Vertex, Component int }

// Connected components as a delta iteration, Flink's ConnectedComponents example: the workset's vertices send
// their component to their neighbours; a vertex whose smallest candidate beats its component changes (the
// solution-set delta) and is the next workset. The iteration ends when no vertex changes.
func ExampleEnvironment_IterateDelta() {
	edges := []any{[2]int{1, 2}, [2]int{2, 1}, [2]int{2, 3}, [2]int{3, 2}, [2]int{4, 5}, [2]int{5, 4}}
	var vertices []any
	for v := 1; v <= 5; v++ {
		vertices = append(vertices, Label{v, v})
	}
	byVertex := func(v any) any { return v.(Label).Vertex }
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	res, err := env.IterateDelta(vertices, vertices, engine.DeltaIteration{
		Name:          "connected components",
		MaxIterations: 100,
		Key:           byVertex,
		Step: func(env *engine.Environment, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			changes := workset.JoinBounded(env.FromSlice(edges), engine.InnerJoin).
				Where(byVertex).
				EqualTo(func(e any) any { return e.([2]int)[0] }).
				Apply(func(l, e any) any { return Label{e.([2]int)[1], l.(Label).Component} }).
				KeyBy(byVertex).
				Aggregate(engine.FieldAggregation{Kind: engine.AggMin, Field: "Component"}).
				JoinBounded(solution, engine.InnerJoin).
				Where(byVertex).
				EqualTo(byVertex).
				FlatApply(func(candidate, current any, out engine.Collector) {
					if candidate.(Label).Component < current.(Label).Component {
						out.Collect(candidate)
					}
				})
			return changes, changes
		},
	})
	if err != nil {
		panic(err)
	}
	for _, s := range res.Supersteps {
		fmt.Printf("superstep %d: workset %d, delta %d\n", s.Superstep, s.Input, s.Delta)
	}
	fmt.Println(res.Result, res.Ended)
	// Output:
	// superstep 1: workset 5, delta 3
	// superstep 2: workset 3, delta 1
	// superstep 3: workset 1, delta 0
	// [{1 1} {2 1} {3 1} {4 4} {5 4}] empty-workset
}
