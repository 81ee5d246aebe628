package engine

import "math"

// errNoTimestamp is the panic of an event-time window operator given a record without a timestamp: Flink's
// TumblingEventTimeWindows and SlidingEventTimeWindows refuse it with the same advice.
const errNoTimestamp = "record has no timestamp: event-time windows need a WatermarkStrategy with a timestamp assigner (AssignTimestampsAndWatermarks)"

// addSat adds d to the time t, saturating at the int64 range: window ends, cleanup times, lateness bounds and
// TTL expirations near the limits stay at math.MaxInt64 (or MinInt64) instead of wrapping around into the
// wrong windows, as Flink's WindowOperator.cleanupTime and TtlUtils do.
func addSat(t, d int64) int64 {
	s := t + d
	switch {
	case d > 0 && s < t:
		return math.MaxInt64
	case d < 0 && s > t:
		return math.MinInt64
	}
	return s
}
