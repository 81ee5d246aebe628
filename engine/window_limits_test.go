package engine

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// Window bounds near the int64 limits saturate instead of wrapping around: a window whose end would pass
// math.MaxInt64 ends there (and so fires at the final watermark), and a start below math.MinInt64 stays at it.
// Flink's WindowOperator saturates cleanupTime the same way (cleanupTime >= maxTimestamp ? cleanupTime :
// Long.MAX_VALUE); Weir applies the rule to every bound it computes.
func TestWindowBoundsSaturateAtTheLimits(t *testing.T) {
	const max, min = math.MaxInt64, math.MinInt64
	for _, c := range []struct {
		name     string
		assigner WindowAssigner
		ts       int64
		want     string
	}{
		{"tumbling, end past max", TumblingEventTimeWindows(10 * time.Millisecond), max - 2, fmt.Sprintf("[[%d, %d)]", max-7, int64(max))},
		{"tumbling, start below min", TumblingEventTimeWindows(10 * time.Millisecond), min + 1, fmt.Sprintf("[[%d, %d)]", int64(min), min+8)},
		{"tumbling, offset near max", TumblingEventTimeWindows(10*time.Millisecond, -3*time.Millisecond), max - 2, fmt.Sprintf("[[%d, %d)]", max-10, int64(max))},
		{"sliding, end past max", SlidingEventTimeWindows(10*time.Millisecond, 5*time.Millisecond), max - 2, fmt.Sprintf("[[%d, %d) [%d, %d)]", max-2, int64(max), max-7, int64(max))},
		{"sliding, start below min", SlidingEventTimeWindows(10*time.Millisecond, 5*time.Millisecond), min + 1, fmt.Sprintf("[[%d, %d) [%d, %d)]", int64(min), min+8, int64(min), min+3)},
		{"session, end past max", EventTimeSessionWindows(10 * time.Millisecond), max - 1, fmt.Sprintf("[[%d, %d)]", max-1, int64(max))},
	} {
		got := fmt.Sprint(c.assigner.AssignWindows(nil, c.ts, 0, nil))
		if got != c.want {
			t.Errorf("%s: windows of %d = %s, want %s", c.name, c.ts, got, c.want)
		}
	}
}

// A record near math.MaxInt64 with allowed lateness is not late (ts + lateness wrapped to a negative bound
// before), and its window fires at the final watermark instead of being dropped as late.
func TestWindowNearMaxTimestampFires(t *testing.T) {
	const max = math.MaxInt64
	env := NewEnvironment(Config{Parallelism: 1})
	wm := ForMonotonousTimestamps()
	out := env.FromSource(SliceSource{{Value: 1, Timestamp: max - 3}, {Value: 2, Timestamp: max - 2}}, &wm, "near max").
		KeyBy(func(any) any { return "k" }).
		Window(TumblingEventTimeWindows(10*time.Millisecond)).
		AllowedLateness(time.Second).
		Aggregate(Count(), WithKeyAndWindow).
		Collect()
	if _, err := env.Execute("near max"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("[{k %d %d 2}]", max-7, int64(max))
	if got := fmt.Sprint(out.Values()); got != want {
		t.Errorf("results %s, want %s", got, want)
	}
}
