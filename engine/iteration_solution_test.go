package engine

import (
	"fmt"
	"strings"
	"testing"
)

// connectedComponentsProbeStep is connectedComponentsStep with the solution-set join replaced by
// SolutionSetEntry, Flink's in-place probe of the solution set's hash table: the step never reads the
// solutionSet stream, so the superstep's job has no solution-set source.
func connectedComponentsProbeStep(edges []any) func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
	return func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
		rc := env.IterationRuntimeContext()
		changes := workset.JoinBounded(env.FromSlice(edges).Name("Edges"), InnerJoin).
			Where(func(v any) any { return v.(ccVertex).V }).
			EqualTo(func(v any) any { return v.(ccEdge).Src }).
			Apply(func(l, r any) any { return ccVertex{V: r.(ccEdge).Dst, C: l.(ccVertex).C} }).
			KeyBy(func(v any) any { return v.(ccVertex).V }).
			Aggregate(FieldAggregation{Kind: AggMin, Field: "C"}).
			Filter(func(v any) bool {
				cur, ok := rc.SolutionSetEntry(v.(ccVertex).V)
				return ok && v.(ccVertex).C < cur.(ccVertex).C
			})
		return changes, changes
	}
}

// A step that probes the solution set with SolutionSetEntry computes the same components in the same
// supersteps as the one joining the streamed solution set (TestIterateDeltaConnectedComponentsPinned), and
// its jobs have no solution-set source; a bulk iteration has no solution set to probe.
func TestSolutionSetEntryProbe(t *testing.T) {
	var vertices, edges []any
	for v := int64(1); v <= 7; v++ {
		vertices = append(vertices, ccVertex{v, v})
	}
	for _, p := range [][2]int64{{4, 3}, {3, 2}, {2, 1}, {6, 5}} {
		edges = append(edges, ccEdge{p[0], p[1]}, ccEdge{p[1], p[0]})
	}
	forParallelisms(t, func(t *testing.T, env *Environment) {
		var vertexNames []string
		env.Observe(Observer{JobStarted: func(j *Job) {
			for _, v := range j.Plan().Vertices {
				vertexNames = append(vertexNames, v.Name)
			}
		}})
		res, err := env.IterateDelta(vertices, vertices, DeltaIteration{Name: "cc", MaxIterations: 100,
			Key: func(v any) any { return v.(ccVertex).V }, Step: connectedComponentsProbeStep(edges)})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, s := range res.Supersteps {
			steps = append(steps, fmt.Sprintf("%d:w%d->%d,d%d,s%d", s.Superstep, s.Input, s.Output, s.Delta, s.SolutionSet))
		}
		if got, want := fmt.Sprint(res.Result, " ", res.Ended, " ", strings.Join(steps, " ")),
			"[{1 1} {2 1} {3 1} {4 1} {5 5} {6 5} {7 7}] empty-workset 1:w7->4,d4,s7 2:w4->2,d2,s7 3:w2->1,d1,s7 4:w1->0,d0,s7"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		if all := strings.Join(vertexNames, "; "); strings.Contains(all, "Solution set") || !strings.Contains(all, "Workset (superstep 4)") {
			t.Fatalf("the supersteps' vertices: %s", all)
		}
	})
	_, err := NewEnvironment(Config{}).IterateBulk(ints(1, 2), BulkIteration{Name: "b", MaxIterations: 1, Step: func(env *Environment, p *DataStream) *DataStream {
		env.IterationRuntimeContext().SolutionSetEntry(1)
		return p
	}})
	if err == nil || !strings.Contains(err.Error(), "SolutionSetEntry: b is a bulk iteration, which has no solution set") {
		t.Fatalf("want an error naming the bulk iteration, got %v", err)
	}
}
