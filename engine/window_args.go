package engine

import (
	"fmt"
	"time"
)

// The argument checks of the window builders. Like Flink's constructors (TumblingEventTimeWindows,
// SlidingEventTimeWindows, EventTimeSessionWindows, CountTrigger, ...), they refuse a bad argument when the
// program is built, with a panic naming the builder and the argument, rather than failing the running job.

// positiveMillis returns d in milliseconds, refusing a duration under 1ms (windows and timers count in
// milliseconds, so a smaller one would be 0).
func positiveMillis(builder, arg string, d time.Duration) int64 {
	ms := d.Milliseconds()
	if ms <= 0 {
		panic(fmt.Sprintf("engine: %s: %s must be at least 1ms, got %v", builder, arg, d))
	}
	return ms
}

// checkOffset refuses an offset whose magnitude is not below bound (Flink: abs(offset) < size for tumbling
// windows, abs(offset) < slide for sliding windows).
func checkOffset(builder, boundArg string, offset, bound int64) {
	if offset >= bound || -offset >= bound {
		panic(fmt.Sprintf("engine: %s: offset must satisfy abs(offset) < %s, got offset %v and %s %v", builder,
			boundArg, time.Duration(offset)*time.Millisecond, boundArg, time.Duration(bound)*time.Millisecond))
	}
}

// optOffset returns the optional offset argument in milliseconds, refusing more than one.
func optOffset(builder string, d []time.Duration) int64 {
	switch len(d) {
	case 0:
		return 0
	case 1:
		return d[0].Milliseconds()
	}
	panic(fmt.Sprintf("engine: %s: at most one offset, got %d", builder, len(d)))
}
