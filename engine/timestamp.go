package engine

// errNoTimestamp is the panic of an event-time window operator given a record without a timestamp: Flink's
// TumblingEventTimeWindows and SlidingEventTimeWindows refuse it with the same advice.
const errNoTimestamp = "record has no timestamp: event-time windows need a WatermarkStrategy with a timestamp assigner (AssignTimestampsAndWatermarks)"
