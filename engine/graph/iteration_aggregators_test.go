package graph

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/de4e/weir/engine"
)

// Gelly's TestGraphUtils.getLongLongEdges, every vertex's value set to 1 (AssignOneMapper).
func aggregatorGraph(env *engine.Environment) *Graph {
	es := []Edge{{int64(1), int64(2), int64(12)}, {int64(1), int64(3), int64(13)}, {int64(2), int64(3), int64(23)},
		{int64(3), int64(4), int64(34)}, {int64(3), int64(5), int64(35)}, {int64(4), int64(5), int64(45)}, {int64(5), int64(1), int64(51)}}
	return FromEdges(env, es).MapVertices(func(Vertex) any { return int64(1) })
}

// Flink: VertexCentricConfigurationITCase#testRunWithConfiguration (Gelly's iteration configuration test),
// on the vertex-centric model: every vertex adds its superstep number to a LongSumAggregator registered as
// "superstepAggregator", so with 5 vertices superstep n aggregates 5n and superstep n+1 reads 5n as the
// previous aggregate (Flink's test asserts 5 in superstep 2); every vertex stays active (each has an
// in-edge) and adds 1 to its value in each of the 10 supersteps, ending at 11.
func TestVertexCentricAggregators(t *testing.T) {
	var mu sync.Mutex
	previous := map[int]map[any]bool{} // superstep -> the previous aggregates its vertices read
	res, err := aggregatorGraph(testEnv()).RunVertexCentricIteration(VertexCentricIteration{
		MaxIterations: 10,
		Aggregators:   map[string]engine.Aggregator{"superstepAggregator": engine.LongSumAggregator()},
		Compute: func(ctx *ComputeContext, v Vertex, _ []any) {
			ctx.IterationAggregator("superstepAggregator").Aggregate(ctx.Superstep())
			p := ctx.PreviousIterationAggregate("superstepAggregator")
			mu.Lock()
			if previous[ctx.Superstep()] == nil {
				previous[ctx.Superstep()] = map[any]bool{}
			}
			previous[ctx.Superstep()][p] = true
			mu.Unlock()
			ctx.SetNewVertexValue(v.Value.(int64) + 1)
			ctx.SendMessageToAllNeighbors(v.Value)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "values", formatVertices(res.Vertices), "1,11\n2,11\n3,11\n4,11\n5,11\n")
	if len(res.Supersteps) != 10 {
		t.Fatalf("ran %d supersteps, want 10", len(res.Supersteps))
	}
	var got, want []string
	for i, st := range res.Supersteps {
		n := i + 1
		got = append(got, fmt.Sprintf("%d: %v (read %v)", n, st.Aggregates["superstepAggregator"], keys(previous[n])))
		prev := "[<nil>]"
		if n > 1 {
			prev = fmt.Sprintf("[%d]", 5*(n-1))
		}
		want = append(want, fmt.Sprintf("%d: %d (read %s)", n, 5*n, prev))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("aggregates per superstep:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func keys(m map[any]bool) []any {
	var out []any
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Reading an aggregator that was not registered panics in the Compute function, which fails the iteration
// with an error naming it.
func TestVertexCentricUnknownAggregator(t *testing.T) {
	_, err := aggregatorGraph(testEnv()).RunVertexCentricIteration(VertexCentricIteration{
		MaxIterations: 2,
		Compute: func(ctx *ComputeContext, v Vertex, _ []any) {
			ctx.IterationAggregator("changed").Aggregate(1)
		},
	})
	if err == nil || !strings.Contains(err.Error(), `no aggregator "changed"`) {
		t.Fatalf("want an error naming the aggregator, got %v", err)
	}
}

// Flink: ScatterGatherConfigurationITCase#testRunWithConfiguration: the gather function adds the superstep
// number to "superstepAggregator" for every vertex and the value grows by 1; the scatter function of
// superstep 2 reads 5 as the previous aggregate (Flink's assertion), and every later one 5 times the
// superstep before. Every vertex receives a message and is updated in each of the 10 supersteps: 11 at the end.
func TestScatterGatherAggregators(t *testing.T) {
	var mu sync.Mutex
	previous := map[int]map[any]bool{}
	res, err := aggregatorGraph(testEnv()).RunScatterGatherIteration(ScatterGatherIteration{
		MaxIterations: 10,
		Aggregators:   map[string]engine.Aggregator{"superstepAggregator": engine.LongSumAggregator()},
		Scatter: func(ctx *ScatterContext, v Vertex) {
			p := ctx.PreviousIterationAggregate("superstepAggregator")
			mu.Lock()
			if previous[ctx.Superstep()] == nil {
				previous[ctx.Superstep()] = map[any]bool{}
			}
			previous[ctx.Superstep()][p] = true
			mu.Unlock()
			ctx.SendMessageToAllNeighbors(v.Value)
		},
		Gather: func(ctx *GatherContext, v Vertex, _ []any) {
			ctx.IterationAggregator("superstepAggregator").Aggregate(int64(ctx.Superstep()))
			ctx.SetNewVertexValue(v.Value.(int64) + 1)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "values", formatVertices(res.Vertices), "1,11\n2,11\n3,11\n4,11\n5,11\n")
	var got, want []string
	for i, st := range res.Supersteps {
		n := i + 1
		got = append(got, fmt.Sprintf("%d: %v (read %v)", n, st.Aggregates["superstepAggregator"], keys(previous[n])))
		prev := "[<nil>]"
		if n > 1 {
			prev = fmt.Sprintf("[%d]", 5*(n-1))
		}
		want = append(want, fmt.Sprintf("%d: %d (read %s)", n, 5*n, prev))
	}
	if len(res.Supersteps) != 10 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("aggregates per superstep:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
