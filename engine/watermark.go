package engine

import (
	"fmt"
	"time"
)

// WatermarkOutput receives the watermarks a WatermarkGenerator emits, and its idleness.
type WatermarkOutput interface {
	// EmitWatermark emits a watermark; one that does not advance the output's watermark is ignored.
	EmitWatermark(t int64)
	// MarkIdle says the input has no records for now, so downstream operators stop waiting for it.
	MarkIdle()
}

// WatermarkGenerator decides the watermarks of one source reader, as Flink's WatermarkGenerator: it sees every
// record's timestamp and is asked periodically for a watermark.
type WatermarkGenerator interface {
	OnEvent(v any, ts int64, out WatermarkOutput)
	OnPeriodicEmit(out WatermarkOutput)
}

// WatermarkGeneratorFuncs is a WatermarkGenerator made of two functions (either may be nil), for code that
// cannot declare methods, such as interpreted cells.
type WatermarkGeneratorFuncs struct {
	Event    func(v any, ts int64, out WatermarkOutput)
	Periodic func(out WatermarkOutput)
}

func (g WatermarkGeneratorFuncs) OnEvent(v any, ts int64, out WatermarkOutput) {
	if g.Event != nil {
		g.Event(v, ts, out)
	}
}
func (g WatermarkGeneratorFuncs) OnPeriodicEmit(out WatermarkOutput) {
	if g.Periodic != nil {
		g.Periodic(out)
	}
}

// TimestampAssigner extracts the event timestamp (milliseconds) of a record. prev is the timestamp the source
// gave it, or NoTimestamp.
type TimestampAssigner func(v any, prev int64) int64

// TimestampFromField returns a TimestampAssigner that reads an int64 field in milliseconds, or a time.Time field.
func TimestampFromField(name string) TimestampAssigner {
	return func(v any, _ int64) int64 {
		switch t := Field(v, name).(type) {
		case time.Time:
			return t.UnixMilli()
		case int64:
			return t
		default:
			return int64(Float(v, name))
		}
	}
}

// WatermarkStrategy says how a source's records get timestamps and watermarks. Build one with
// ForBoundedOutOfOrderness, ForMonotonousTimestamps, ForGenerator or NoWatermarks, then refine it with the
// With methods. A strategy is a value: every With returns a new one.
type WatermarkStrategy struct {
	generator func() WatermarkGenerator
	assigner  TimestampAssigner
	idle      time.Duration
	perRecord bool
	interval  time.Duration
	name      string
	align     *watermarkAlignment
}

// ForBoundedOutOfOrderness expects records to arrive at most bound late: the watermark is the largest timestamp
// seen minus bound minus 1 ms (Flink's BoundedOutOfOrdernessWatermarks), so a record exactly bound behind the
// maximum is still on time.
func ForBoundedOutOfOrderness(bound time.Duration) WatermarkStrategy {
	b := bound.Milliseconds()
	return WatermarkStrategy{
		generator: func() WatermarkGenerator { return &boundedGen{bound: b, max: MinWatermark + b + 1} },
		name:      fmt.Sprintf("BoundedOutOfOrderness(%v)", bound),
	}
}

// ForMonotonousTimestamps expects timestamps never to decrease: the watermark is the largest timestamp seen
// minus 1 ms.
func ForMonotonousTimestamps() WatermarkStrategy {
	s := ForBoundedOutOfOrderness(0)
	s.name = "MonotonousTimestamps"
	return s
}

// ForGenerator uses a custom generator, made once per source reader.
func ForGenerator(name string, newGen func() WatermarkGenerator) WatermarkStrategy {
	return WatermarkStrategy{generator: newGen, name: name}
}

// NoWatermarks assigns timestamps (if given an assigner) but emits no watermark until a bounded input ends.
func NoWatermarks() WatermarkStrategy {
	return WatermarkStrategy{generator: func() WatermarkGenerator { return WatermarkGeneratorFuncs{} }, name: "NoWatermarks"}
}

// WithTimestampAssigner sets how each record's timestamp is read. Without one, the source's timestamps are used.
func (s WatermarkStrategy) WithTimestampAssigner(f TimestampAssigner) WatermarkStrategy {
	s.assigner = f
	return s
}

// WithTimestampField is WithTimestampAssigner(TimestampFromField(name)).
func (s WatermarkStrategy) WithTimestampField(name string) WatermarkStrategy {
	return s.WithTimestampAssigner(TimestampFromField(name))
}

// WithIdleness marks a source reader idle after timeout of processing time without records, so that the
// minimum over inputs downstream ignores it until it has records again.
func (s WatermarkStrategy) WithIdleness(timeout time.Duration) WatermarkStrategy {
	s.idle = timeout
	return s
}

// WithPerRecordEmission asks for a watermark check after every record instead of periodically. Scripted
// replays and tests use it so that watermarks do not depend on how fast the machine is.
func (s WatermarkStrategy) WithPerRecordEmission() WatermarkStrategy {
	s.perRecord = true
	return s
}

// WithEmitInterval sets the processing-time interval of periodic emission; the default is the job's
// Config.AutoWatermarkInterval (200ms, as Flink's pipeline.auto-watermark-interval).
func (s WatermarkStrategy) WithEmitInterval(d time.Duration) WatermarkStrategy {
	s.interval = d
	return s
}

// WithWatermarkAlignment makes the readers of every source built with this strategy, and of every other
// source whose strategy names the same group, keep their watermarks within maxDrift of each other (Flink's
// WatermarkStrategy.withWatermarkAlignment, FLIP-182 and FLIP-217): every update interval of processing time
// (the optional last argument; default DefaultAlignmentUpdateInterval, 1s, as Flink's; the sources of one
// group share the shortest of their intervals) the job takes the lowest watermark over the group's readers
// that have one and are neither idle nor finished, and a reader whose watermark is above that minimum plus
// its source's maxDrift stops reading until an announcement allows it again. A paused reader still takes
// part in checkpoints and is never marked idle. A reader that finishes releases the group at once, and with
// Config.DeterministicTime a reader that pauses re-announces, since the clock then moves only with reading
// sources. Sources only: AssignTimestampsAndWatermarks refuses a strategy with alignment. An empty group, a
// maxDrift or interval under 1ms, or more than one interval is refused with a panic.
func (s WatermarkStrategy) WithWatermarkAlignment(group string, maxDrift time.Duration, updateInterval ...time.Duration) WatermarkStrategy {
	a, err := newWatermarkAlignment(group, maxDrift, updateInterval)
	if err != nil {
		panic(err.Error())
	}
	s.align = a
	return s
}

// String describes the strategy.
func (s WatermarkStrategy) String() string {
	n := s.name
	if s.perRecord {
		n += ", per record"
	}
	if s.idle > 0 {
		n += fmt.Sprintf(", idle after %v", s.idle)
	}
	if a := s.align; a != nil {
		n += ", " + a.String()
	}
	return n
}

type boundedGen struct {
	bound, max int64
}

func (g *boundedGen) OnEvent(_ any, ts int64, _ WatermarkOutput) {
	if ts > g.max {
		g.max = ts
	}
}
func (g *boundedGen) OnPeriodicEmit(out WatermarkOutput) { out.EmitWatermark(g.max - g.bound - 1) }
