package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// A cell runs iterations with aggregators and a convergence criterion, probes a delta iteration's solution
// set, and follows the progress from a superstep's job. (The delta step keeps the workset's records whose
// successor is in the solution set, so {1, 2} stays until the maximum of 5 supersteps.) It is skipped until
// go generate ./interp/exports has exported the iteration aggregators.
func TestIterationAggregatorsFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/engine"]["IterationRuntimeContext"]; !ok {
		t.Skip("interp/exports predates the iteration aggregators: run go generate ./interp/exports")
	}
	k := New(Options{})
	src := `env := engine.NewEnvironment(engine.Config{Parallelism: 2})
var prog *engine.IterationProgress
env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { prog = j.Iteration() }})
res, err := env.IterateBulk([]any{1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5}, engine.BulkIteration{Name: "sub", MaxIterations: 20,
	Aggregators: map[string]engine.Aggregator{"neg": engine.LongSumAggregator(), "sum": engine.DoubleSumAggregator()},
	ConvergenceAggregator: "neg",
	Convergence: func(step int, v any) bool { return v.(int64) > 3 },
	Step: func(env *engine.Environment, p *engine.DataStream) *engine.DataStream {
		rc := env.IterationRuntimeContext()
		neg := rc.IterationAggregator("neg")
		prev := rc.PreviousIterationAggregate("neg")
		_ = prev
		return p.Map(func(v any) any {
			n := v.(int) - 1
			if n < 0 { neg.Aggregate(1) }
			return n
		})
	}})
if err != nil { panic(err) }
s := prog.Snapshot()
d, err := env.IterateDelta([]any{1, 2, 3}, []any{1, 2, 3}, engine.DeltaIteration{MaxIterations: 5, Key: func(v any) any { return v },
	Step: func(env *engine.Environment, sol, w *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		rc := env.IterationRuntimeContext()
		return nil, w.Filter(func(v any) bool { _, ok := rc.SolutionSetEntry(v.(int) + 1); return ok })
	}})
if err != nil { panic(err) }
fmt.Println(res.Result, res.Ended, len(res.Supersteps), s.State, s.Superstep, s.Supersteps[3].Aggregates["neg"], d.Ended, len(d.Supersteps), engine.DoubleThresholdConvergence(0.5)(1, 0.25))`
	ex := mustRun(t, k, "iterate", src)
	want := "[-3 -2 -2 -1 -1 -1 0 0 0 0 1 1 1 1 1] convergence-criterion 4 finished 4 6 max-iterations 5 true\n"
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
