package engine

import (
	"fmt"
	"math"
	"time"
)

// TriggerResult says what a window does after a trigger has looked at it.
type TriggerResult uint8

// The results a Trigger can return, as in Flink.
const (
	Continue     TriggerResult = iota // do nothing
	Fire                              // emit the window's result, keep its contents
	Purge                             // drop the window's contents without emitting
	FireAndPurge                      // emit, then drop the contents
)

func (r TriggerResult) fires() bool  { return r == Fire || r == FireAndPurge }
func (r TriggerResult) purges() bool { return r == Purge || r == FireAndPurge }

// TriggerContext is what a Trigger may do for the window and key it is called for.
type TriggerContext interface {
	CurrentWatermark() int64
	CurrentProcessingTime() int64
	RegisterEventTimeTimer(t int64)
	RegisterProcessingTimeTimer(t int64)
	DeleteEventTimeTimer(t int64)
	DeleteProcessingTimeTimer(t int64)
	// TriggerState returns the trigger's value called name for this key and window.
	TriggerState(name string) (any, bool)
	SetTriggerState(name string, v any)
	ClearTriggerState(name string)
	// MergeTriggerState, called from OnMerge, combines the state called name of the windows being merged into
	// the merged window's state with reduce.
	MergeTriggerState(name string, reduce ReduceFunc)
}

// Trigger decides when a window fires. Use the constructors below, or implement it in compiled code.
type Trigger interface {
	OnElement(v any, ts int64, w Window, ctx TriggerContext) TriggerResult
	OnEventTime(t int64, w Window, ctx TriggerContext) TriggerResult
	OnProcessingTime(t int64, w Window, ctx TriggerContext) TriggerResult
	// CanMerge reports whether the trigger supports merging windows; OnMerge is then called on merges.
	CanMerge() bool
	OnMerge(w Window, ctx TriggerContext)
	// Clear removes the trigger's timers and state for w when the window is dropped.
	Clear(w Window, ctx TriggerContext)
	String() string
}

type eventTimeTrigger struct{}

// EventTimeTrigger fires a window once the watermark passes its end, and again for every late record that
// arrives within the allowed lateness (a late firing). It is the default of event-time windows.
func EventTimeTrigger() Trigger { return eventTimeTrigger{} }

func (eventTimeTrigger) OnElement(_ any, _ int64, w Window, ctx TriggerContext) TriggerResult {
	if w.MaxTimestamp() <= ctx.CurrentWatermark() {
		return Fire // the watermark is already past the window: a late firing
	}
	ctx.RegisterEventTimeTimer(w.MaxTimestamp())
	return Continue
}
func (eventTimeTrigger) OnEventTime(t int64, w Window, _ TriggerContext) TriggerResult {
	if t == w.MaxTimestamp() {
		return Fire
	}
	return Continue
}
func (eventTimeTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult {
	return Continue
}
func (eventTimeTrigger) CanMerge() bool { return true }
func (eventTimeTrigger) OnMerge(w Window, ctx TriggerContext) {
	if w.MaxTimestamp() > ctx.CurrentWatermark() {
		ctx.RegisterEventTimeTimer(w.MaxTimestamp())
	}
}
func (eventTimeTrigger) Clear(w Window, ctx TriggerContext) {
	ctx.DeleteEventTimeTimer(w.MaxTimestamp())
}
func (eventTimeTrigger) String() string { return "EventTimeTrigger" }

type processingTimeTrigger struct{}

// ProcessingTimeTrigger fires a window when processing time passes its end. It is the default of
// processing-time windows.
func ProcessingTimeTrigger() Trigger { return processingTimeTrigger{} }

func (processingTimeTrigger) OnElement(_ any, _ int64, w Window, ctx TriggerContext) TriggerResult {
	ctx.RegisterProcessingTimeTimer(w.MaxTimestamp())
	return Continue
}
func (processingTimeTrigger) OnEventTime(int64, Window, TriggerContext) TriggerResult {
	return Continue
}
func (processingTimeTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult {
	return Fire
}
func (processingTimeTrigger) CanMerge() bool { return true }
func (processingTimeTrigger) OnMerge(w Window, ctx TriggerContext) {
	if w.MaxTimestamp() > ctx.CurrentProcessingTime() {
		ctx.RegisterProcessingTimeTimer(w.MaxTimestamp())
	}
}
func (processingTimeTrigger) Clear(w Window, ctx TriggerContext) {
	ctx.DeleteProcessingTimeTimer(w.MaxTimestamp())
}
func (processingTimeTrigger) String() string { return "ProcessingTimeTrigger" }

type countTrigger struct{ n int64 }

// CountTrigger fires a window every n records; n must be positive.
func CountTrigger(n int64) Trigger {
	if n <= 0 {
		panic(fmt.Sprintf("engine: CountTrigger: count must be positive, got %d", n))
	}
	return countTrigger{n}
}

const countState = "count"

func sumInt64(a, b any) any { return a.(int64) + b.(int64) }

func (c countTrigger) OnElement(_ any, _ int64, _ Window, ctx TriggerContext) TriggerResult {
	n := int64(1)
	if v, ok := ctx.TriggerState(countState); ok {
		n += v.(int64)
	}
	if n >= c.n {
		ctx.ClearTriggerState(countState)
		return Fire
	}
	ctx.SetTriggerState(countState, n)
	return Continue
}
func (countTrigger) OnEventTime(int64, Window, TriggerContext) TriggerResult      { return Continue }
func (countTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult { return Continue }
func (countTrigger) CanMerge() bool                                               { return true }
func (countTrigger) OnMerge(_ Window, ctx TriggerContext) {
	ctx.MergeTriggerState(countState, sumInt64)
}
func (countTrigger) Clear(_ Window, ctx TriggerContext) { ctx.ClearTriggerState(countState) }
func (c countTrigger) String() string                   { return fmt.Sprintf("CountTrigger(%d)", c.n) }

type purgingTrigger struct{ t Trigger }

// PurgingTrigger turns every Fire of t into FireAndPurge, so each firing starts the window afresh.
func PurgingTrigger(t Trigger) Trigger {
	if t == nil {
		panic("engine: PurgingTrigger: nested trigger is nil")
	}
	return purgingTrigger{t}
}

func purge(r TriggerResult) TriggerResult {
	if r == Fire {
		return FireAndPurge
	}
	return r
}
func (p purgingTrigger) OnElement(v any, ts int64, w Window, ctx TriggerContext) TriggerResult {
	return purge(p.t.OnElement(v, ts, w, ctx))
}
func (p purgingTrigger) OnEventTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	return purge(p.t.OnEventTime(t, w, ctx))
}
func (p purgingTrigger) OnProcessingTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	return purge(p.t.OnProcessingTime(t, w, ctx))
}
func (p purgingTrigger) CanMerge() bool                       { return p.t.CanMerge() }
func (p purgingTrigger) OnMerge(w Window, ctx TriggerContext) { p.t.OnMerge(w, ctx) }
func (p purgingTrigger) Clear(w Window, ctx TriggerContext)   { p.t.Clear(w, ctx) }
func (p purgingTrigger) String() string                       { return "PurgingTrigger(" + p.t.String() + ")" }

type neverTrigger struct{}

// NeverTrigger never fires; it is GlobalWindows' default.
func NeverTrigger() Trigger { return neverTrigger{} }

func (neverTrigger) OnElement(any, int64, Window, TriggerContext) TriggerResult   { return Continue }
func (neverTrigger) OnEventTime(int64, Window, TriggerContext) TriggerResult      { return Continue }
func (neverTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult { return Continue }
func (neverTrigger) CanMerge() bool                                               { return true }
func (neverTrigger) OnMerge(Window, TriggerContext)                               {}
func (neverTrigger) Clear(Window, TriggerContext)                                 {}
func (neverTrigger) String() string                                               { return "NeverTrigger" }

type continuousTrigger struct {
	interval  int64
	eventTime bool
}

// ContinuousEventTimeTrigger fires a window every interval of event time as the watermark passes (early
// results), and once more at the window's end. Each next firing is capped at the window's max timestamp, so
// the last one is the end-of-window firing and no timer is set past the window (Flink's
// ContinuousEventTimeTrigger). The interval must be at least 1ms.
func ContinuousEventTimeTrigger(interval time.Duration) Trigger {
	return continuousTrigger{positiveMillis("ContinuousEventTimeTrigger", "interval", interval), true}
}

// ContinuousProcessingTimeTrigger fires a window every interval of processing time, and at the window's end:
// each next firing is capped at the window's max timestamp (FLINK-20443), and none is registered after the
// end-of-window firing (FLINK-35069), so a window's last partial result is emitted before its state is
// dropped. The interval must be at least 1ms.
func ContinuousProcessingTimeTrigger(interval time.Duration) Trigger {
	return continuousTrigger{positiveMillis("ContinuousProcessingTimeTrigger", "interval", interval), false}
}

const fireState = "fire-time"

func minInt64(a, b any) any { return min(a.(int64), b.(int64)) }

func (c continuousTrigger) register(t int64, ctx TriggerContext) {
	if c.eventTime {
		ctx.RegisterEventTimeTimer(t)
	} else {
		ctx.RegisterProcessingTimeTimer(t)
	}
}

// registerNext sets the next firing interval after t, capped at the window's max timestamp.
func (c continuousTrigger) registerNext(t int64, w Window, ctx TriggerContext) {
	next := w.MaxTimestamp()
	if t <= math.MaxInt64-c.interval {
		next = min(t+c.interval, next)
	}
	ctx.SetTriggerState(fireState, next)
	c.register(next, ctx)
}

func (c continuousTrigger) OnElement(_ any, ts int64, w Window, ctx TriggerContext) TriggerResult {
	if c.eventTime {
		if w.MaxTimestamp() <= ctx.CurrentWatermark() {
			return Fire // the watermark is already past the window
		}
		ctx.RegisterEventTimeTimer(w.MaxTimestamp())
	} else {
		ts = ctx.CurrentProcessingTime()
	}
	if _, ok := ctx.TriggerState(fireState); !ok {
		c.registerNext(WindowStart(ts, 0, c.interval), w, ctx)
	}
	return Continue
}

func (c continuousTrigger) OnEventTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	if !c.eventTime {
		return Continue
	}
	if t == w.MaxTimestamp() {
		return Fire
	}
	if f, ok := ctx.TriggerState(fireState); ok && f.(int64) == t {
		c.registerNext(t, w, ctx)
		return Fire
	}
	return Continue
}

func (c continuousTrigger) OnProcessingTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	if c.eventTime {
		return Continue
	}
	if f, ok := ctx.TriggerState(fireState); ok && f.(int64) == t {
		ctx.ClearTriggerState(fireState)
		if t != w.MaxTimestamp() { // FLINK-35069: nothing after the end-of-window firing
			c.registerNext(t, w, ctx)
		}
		return Fire
	}
	return Continue
}
func (c continuousTrigger) CanMerge() bool { return true }
func (c continuousTrigger) OnMerge(_ Window, ctx TriggerContext) {
	ctx.MergeTriggerState(fireState, minInt64)
	if f, ok := ctx.TriggerState(fireState); ok {
		c.register(f.(int64), ctx)
	}
}
func (c continuousTrigger) Clear(w Window, ctx TriggerContext) {
	if f, ok := ctx.TriggerState(fireState); ok {
		if c.eventTime {
			ctx.DeleteEventTimeTimer(f.(int64))
		} else {
			ctx.DeleteProcessingTimeTimer(f.(int64))
		}
		ctx.ClearTriggerState(fireState)
	}
	if c.eventTime {
		ctx.DeleteEventTimeTimer(w.MaxTimestamp())
	}
}
func (c continuousTrigger) String() string {
	return fmt.Sprintf("Continuous%sTrigger(%v)", domainName(c.eventTime), time.Duration(c.interval)*time.Millisecond)
}
