package interp

import (
	"strings"
	"testing"
)

// TestCellDrivesAFunctionInTheOperatorHarness shows that cells can import the operator test harness and drive
// a keyed function written in the cell step by step: its output with timestamps, the state and timers it
// leaves, a snapshot restored into a new harness, and a panic in the cell's function returned as an error.
func TestCellDrivesAFunctionInTheOperatorHarness(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "def", `import "github.com/de4e/weir/engine/enginetest"

type Ride struct {
	ID   string
	Kind string
}

started := engine.State("started")
detector := engine.ProcessFunction{
	ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r := v.(Ride)
		if r.Kind == "start" {
			ctx.ValueState(started).Update(ctx.Timestamp())
			ctx.RegisterEventTimeTimer(ctx.Timestamp() + 100)
			return
		}
		if r.Kind == "boom" {
			panic("boom on " + r.ID)
		}
		s, _ := ctx.ValueState(started).Get()
		ctx.DeleteEventTimeTimer(s.(int64) + 100)
		ctx.ValueState(started).Clear()
	},
	OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {
		out.Collect(ctx.CurrentKey())
		ctx.ValueState(started).Clear()
	},
}
byID := func(v any) any { return v.(Ride).ID }`)
	ex := mustRun(t, k, "drive", `h, err := enginetest.ForKeyedProcessFunction(detector, byID)
fmt.Println(err)
h.ProcessElement(Ride{"a", "start"}, 0)
h.ProcessElement(Ride{"b", "start"}, 10)
h.ProcessElement(Ride{"b", "end"}, 50)
fmt.Println(h.NumKeyedStateEntries(), h.NumEventTimeTimers())
snap, _ := h.Snapshot()
h.ProcessWatermark(100)
fmt.Println(h.Records(), h.NumKeyedStateEntries(), h.NumEventTimeTimers())
fmt.Println(h.ProcessElement(Ride{"c", "boom"}, 120))
h.Close()
r, _ := enginetest.ForKeyedProcessFunction(detector, byID, enginetest.Options{Restore: []*enginetest.Snapshot{snap}})
fmt.Println(r.NumKeyedStateEntries(), r.NumEventTimeTimers())
r.Close()`)
	want := []string{
		"<nil>",
		"1 1",
		"[{a 100}] 0 0",
		`operator "KeyedProcess" (subtask 1/1) failed on record {ID:c Kind:boom}: boom on c`,
		"1 1",
	}
	if got := strings.Split(strings.TrimSpace(ex.Output()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", ex.Output(), strings.Join(want, "\n"))
	}
}
