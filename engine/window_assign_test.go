package engine

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// TestTumblingAssignmentReusesOnlyItsWindow checks the window operator's reuse of the last tumbling window
// against the assigner itself, for timestamps in order, out of order, and at the int64 limits where the
// windows' bounds saturate.
func TestTumblingAssignmentReusesOnlyItsWindow(t *testing.T) {
	for _, as := range []WindowAssigner{TumblingEventTimeWindows(10 * time.Millisecond),
		TumblingEventTimeWindows(10*time.Millisecond, 3*time.Millisecond)} {
		o := &windowOp{assigner: as}
		o.eventTime = as.IsEventTime()
		tb := as.(tumbling)
		o.tumble = &tb
		for _, ts := range []int64{0, 5, 9, 10, 3, 2, -1, -10, -11, 25, math.MaxInt64 - 3, math.MaxInt64 - 1,
			math.MaxInt64, math.MaxInt64 - 12, math.MinInt64 + 1, math.MinInt64 + 5, 12, 13} {
			o.assign(&record{ts: ts})
			want := as.AssignWindows(nil, ts, 0, nil)
			if !reflect.DeepEqual([]Window(o.buf), want) {
				t.Fatalf("%v: ts %d assigned %v, want %v", as, ts, o.buf, want)
			}
		}
	}
}
