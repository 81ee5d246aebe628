package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// A cell runs a bulk and a delta iteration (engine/iteration.go, iteration_delta.go): the interpreter reaches
// the iteration types, and interpreted step functions (one returning two streams) build each superstep. It
// needs interp/exports regenerated after the iterations were added (go generate ./interp/exports) and is
// skipped until then.
func TestIterationsFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/engine"]["DeltaIteration"]; !ok {
		t.Skip("interp/exports predates engine.DeltaIteration: run go generate ./interp/exports")
	}
	k := New(Options{})
	src := `type VC struct { V int; C int }
env := engine.NewEnvironment(engine.Config{Parallelism: 2})
bulk, err := env.IterateBulk([]any{1, 2, 3}, engine.BulkIteration{MaxIterations: 10,
	Step: func(env *engine.Environment, p *engine.DataStream) *engine.DataStream {
		return p.Map(func(v any) any { return v.(int) + 1 })
	},
	Termination: func(env *engine.Environment, p, next *engine.DataStream) *engine.DataStream {
		return next.Filter(func(v any) bool { return v.(int) < 6 })
	}})
if err != nil { panic(err) }
edges := []any{[2]int{1, 2}, [2]int{2, 1}, [2]int{2, 3}, [2]int{3, 2}}
vs := []any{VC{1, 1}, VC{2, 2}, VC{3, 3}, VC{4, 4}}
byV := func(v any) any { return v.(VC).V }
var sizes []int
cc, err := env.IterateDelta(vs, vs, engine.DeltaIteration{MaxIterations: 10, Key: byV,
	OnSuperstep: func(s engine.SuperstepInfo) { sizes = append(sizes, s.Output) },
	Step: func(env *engine.Environment, sol, ws *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		ch := ws.JoinBounded(env.FromSlice(edges), engine.InnerJoin).Where(byV).EqualTo(func(e any) any { return e.([2]int)[0] }).
			Apply(func(l, e any) any { return VC{e.([2]int)[1], l.(VC).C} }).
			KeyBy(byV).Aggregate(engine.FieldAggregation{Kind: engine.AggMin, Field: "C"}).
			JoinBounded(sol, engine.InnerJoin).Where(byV).EqualTo(byV).
			FlatApply(func(c, cur any, out engine.Collector) { if c.(VC).C < cur.(VC).C { out.Collect(c) } })
		return ch, ch
	}})
if err != nil { panic(err) }
fmt.Println(bulk.Result, bulk.Ended, len(bulk.Supersteps), cc.Result, cc.Ended, sizes)`
	ex := mustRun(t, k, "iterations", src)
	want := "[6 7 8] termination-criterion 5 [{1 1} {2 1} {3 1} {4 4}] empty-workset [2 1 0]\n"
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
