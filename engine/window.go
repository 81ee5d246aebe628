package engine

import (
	"fmt"
	"math"
	"time"
)

// Window is a window of a WindowedStream: a time window [Start, End) or the one global window.
type Window struct {
	Start int64 // inclusive, milliseconds
	End   int64 // exclusive, milliseconds; math.MaxInt64 for the global window
}

// GlobalWindow is the single window of GlobalWindows, which holds every record of a key.
var GlobalWindow = Window{Start: math.MinInt64, End: math.MaxInt64}

// MaxTimestamp returns the largest timestamp that still belongs to w, End-1 (Flink's TimeWindow.maxTimestamp),
// or math.MaxInt64 for the global window. Window results carry this timestamp.
func (w Window) MaxTimestamp() int64 {
	if w.End == math.MaxInt64 {
		return math.MaxInt64
	}
	return w.End - 1
}

// Intersects reports whether w and o overlap or touch, the condition under which session windows merge.
func (w Window) Intersects(o Window) bool { return w.Start <= o.End && w.End >= o.Start }

// Cover returns the smallest window that contains w and o.
func (w Window) Cover(o Window) Window { return Window{min(w.Start, o.Start), max(w.End, o.End)} }

// String formats w as [start, end) in milliseconds.
func (w Window) String() string {
	if w == GlobalWindow {
		return "GlobalWindow"
	}
	return fmt.Sprintf("[%d, %d)", w.Start, w.End)
}

// WindowStart returns the start of the tumbling window of the given size and offset that holds timestamp ts
// (Flink's TimeWindow.getWindowStartWithOffset).
func WindowStart(ts, offset, size int64) int64 {
	return addSat(ts, -windowRem(ts, offset, size))
}

// windowRem returns how far ts lies past the start of its window of size (with offset): ts - WindowStart
// without the overflow of (ts - offset) % size near the int64 limits.
func windowRem(ts, offset, size int64) int64 {
	rem := (ts%size - offset%size) % size
	if rem < 0 {
		rem += size
	}
	return rem
}

// tumblingWindow returns the window of size (with offset) that holds ts, its bounds saturated at the int64
// limits.
func tumblingWindow(ts, offset, size int64) Window {
	rem := windowRem(ts, offset, size)
	return Window{addSat(ts, -rem), addSat(ts, size-rem)}
}

// WindowAssigner decides which windows a record belongs to. Use the constructors below.
type WindowAssigner interface {
	// AssignWindows appends the windows of a record with timestamp ts (now is the processing time) to buf.
	AssignWindows(v any, ts, now int64, buf []Window) []Window
	// DefaultTrigger returns the trigger the assigner's windows use unless one is set.
	DefaultTrigger() Trigger
	// IsEventTime reports whether windows are in event time (else processing time).
	IsEventTime() bool
	// Merging reports whether windows merge (session windows).
	Merging() bool
	// String describes the assigner, for plans and the workbench.
	String() string
}

type tumbling struct {
	size, offset int64
	eventTime    bool
}

// TumblingEventTimeWindows assigns each record to the one window of the given size that holds its event
// timestamp; windows are aligned to the epoch, shifted by an optional offset (default 0). The size must be at
// least 1ms and abs(offset) < size, as Flink's TumblingEventTimeWindows requires.
func TumblingEventTimeWindows(size time.Duration, offset ...time.Duration) WindowAssigner {
	return newTumbling("TumblingEventTimeWindows", size, offset, true)
}

// TumblingProcessingTimeWindows is TumblingEventTimeWindows on processing time.
func TumblingProcessingTimeWindows(size time.Duration, offset ...time.Duration) WindowAssigner {
	return newTumbling("TumblingProcessingTimeWindows", size, offset, false)
}

func newTumbling(builder string, size time.Duration, offset []time.Duration, eventTime bool) tumbling {
	t := tumbling{size: positiveMillis(builder, "size", size), offset: optOffset(builder, offset), eventTime: eventTime}
	checkOffset(builder, "size", t.offset, t.size)
	return t
}

func (t tumbling) AssignWindows(_ any, ts, now int64, buf []Window) []Window {
	if !t.eventTime {
		ts = now
	} else if ts == NoTimestamp {
		panic(errNoTimestamp)
	}
	return append(buf, tumblingWindow(ts, t.offset, t.size))
}
func (t tumbling) DefaultTrigger() Trigger {
	if t.eventTime {
		return EventTimeTrigger()
	}
	return ProcessingTimeTrigger()
}
func (t tumbling) IsEventTime() bool { return t.eventTime }
func (t tumbling) Merging() bool     { return false }
func (t tumbling) String() string {
	return fmt.Sprintf("Tumbling%sWindows(%v)", domainName(t.eventTime), time.Duration(t.size)*time.Millisecond)
}

func domainName(eventTime bool) string {
	if eventTime {
		return "EventTime"
	}
	return "ProcessingTime"
}

type sliding struct {
	size, slide, offset int64
	eventTime           bool
}

// SlidingEventTimeWindows assigns each record to every window of the given size that starts at a multiple of
// slide (plus offset, default 0) and holds its event timestamp: size/slide windows per record. Size and slide
// must be at least 1ms and abs(offset) < slide, as Flink's SlidingEventTimeWindows requires.
func SlidingEventTimeWindows(size, slide time.Duration, offset ...time.Duration) WindowAssigner {
	return newSliding("SlidingEventTimeWindows", size, slide, offset, true)
}

// SlidingProcessingTimeWindows is SlidingEventTimeWindows on processing time.
func SlidingProcessingTimeWindows(size, slide time.Duration, offset ...time.Duration) WindowAssigner {
	return newSliding("SlidingProcessingTimeWindows", size, slide, offset, false)
}

func newSliding(builder string, size, slide time.Duration, offset []time.Duration, eventTime bool) sliding {
	s := sliding{positiveMillis(builder, "size", size), positiveMillis(builder, "slide", slide),
		optOffset(builder, offset), eventTime}
	checkOffset(builder, "slide", s.offset, s.slide)
	return s
}

func (s sliding) AssignWindows(_ any, ts, now int64, buf []Window) []Window {
	if !s.eventTime {
		ts = now
	} else if ts == NoTimestamp {
		panic(errNoTimestamp)
	}
	// Every window starting off = rem, rem+slide, ... before ts (off < size) holds ts. Its bounds are
	// computed from ts, not from a start that may have been saturated, so that each stays exact until it
	// passes a limit.
	for off := windowRem(ts, s.offset, s.slide); off < s.size; off += s.slide {
		buf = append(buf, Window{addSat(ts, -off), addSat(ts, s.size-off)})
	}
	return buf
}
func (s sliding) DefaultTrigger() Trigger { return tumbling{eventTime: s.eventTime}.DefaultTrigger() }
func (s sliding) IsEventTime() bool       { return s.eventTime }
func (s sliding) Merging() bool           { return false }
func (s sliding) String() string {
	return fmt.Sprintf("Sliding%sWindows(%v, %v)", domainName(s.eventTime),
		time.Duration(s.size)*time.Millisecond, time.Duration(s.slide)*time.Millisecond)
}

type session struct {
	gap       int64
	dynamic   func(v any) time.Duration
	eventTime bool
}

// EventTimeSessionWindows puts each record in a window [ts, ts+gap) and merges windows that overlap, so a
// session closes after gap of event time without records for its key. The gap must be at least 1ms.
func EventTimeSessionWindows(gap time.Duration) WindowAssigner {
	return session{gap: positiveMillis("EventTimeSessionWindows", "gap", gap), eventTime: true}
}

// ProcessingTimeSessionWindows is EventTimeSessionWindows on processing time.
func ProcessingTimeSessionWindows(gap time.Duration) WindowAssigner {
	return session{gap: positiveMillis("ProcessingTimeSessionWindows", "gap", gap)}
}

// SessionWindowTimeGapExtractor computes the session gap of one record, for dynamic session windows
// (Flink's SessionWindowTimeGapExtractor). A gap under 1ms fails the job when the record arrives, as in Flink.
type SessionWindowTimeGapExtractor func(v any) time.Duration

// DynamicEventTimeSessionWindows is EventTimeSessionWindows with a gap computed from each record by gap.
func DynamicEventTimeSessionWindows(gap SessionWindowTimeGapExtractor) WindowAssigner {
	if gap == nil {
		panic("engine: DynamicEventTimeSessionWindows: gap extractor is nil")
	}
	return session{dynamic: gap, eventTime: true}
}

// DynamicProcessingTimeSessionWindows is ProcessingTimeSessionWindows with a gap computed from each record by
// gap (Flink's DynamicProcessingTimeSessionWindows).
func DynamicProcessingTimeSessionWindows(gap SessionWindowTimeGapExtractor) WindowAssigner {
	if gap == nil {
		panic("engine: DynamicProcessingTimeSessionWindows: gap extractor is nil")
	}
	return session{dynamic: gap}
}

func (s session) AssignWindows(v any, ts, now int64, buf []Window) []Window {
	if !s.eventTime {
		ts = now
	} else if ts == NoTimestamp {
		panic(errNoTimestamp)
	}
	gap := s.gap
	if s.dynamic != nil {
		d := s.dynamic(v)
		if gap = d.Milliseconds(); gap <= 0 {
			panic(fmt.Sprintf("%v: dynamic session gap must be at least 1ms, got %v for record %v", s, d, v))
		}
	}
	return append(buf, Window{ts, addSat(ts, gap)})
}
func (s session) DefaultTrigger() Trigger { return tumbling{eventTime: s.eventTime}.DefaultTrigger() }
func (s session) IsEventTime() bool       { return s.eventTime }
func (s session) Merging() bool           { return true }
func (s session) String() string {
	if s.dynamic != nil {
		return fmt.Sprintf("Dynamic%sSessionWindows", domainName(s.eventTime))
	}
	return fmt.Sprintf("%sSessionWindows(%v)", domainName(s.eventTime), time.Duration(s.gap)*time.Millisecond)
}

type global struct{ endOfStream bool }

// GlobalWindows assigns every record of a key to the single GlobalWindow. Its default trigger never fires,
// so it is used with a custom trigger (as count windows are).
func GlobalWindows() WindowAssigner { return global{} }

// GlobalWindowsWithEndOfStreamTrigger is GlobalWindows whose default trigger fires the window once, when the
// input ends (at the final watermark): Flink's GlobalWindows.createWithEndOfStreamTrigger(), a whole-input
// aggregation per key of a bounded stream.
func GlobalWindowsWithEndOfStreamTrigger() WindowAssigner { return global{endOfStream: true} }

func (global) AssignWindows(_ any, _, _ int64, buf []Window) []Window {
	return append(buf, GlobalWindow)
}
func (g global) DefaultTrigger() Trigger {
	if g.endOfStream {
		return EndOfStreamTrigger()
	}
	return NeverTrigger()
}
func (global) IsEventTime() bool { return false }
func (global) Merging() bool     { return false }
func (g global) String() string {
	if g.endOfStream {
		return "GlobalWindows(trigger=EndOfStreamTrigger)"
	}
	return "GlobalWindows"
}
