package engine

import (
	"fmt"
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

// CountTrigger fires a window every n records.
func CountTrigger(n int64) Trigger { return countTrigger{n} }

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
func PurgingTrigger(t Trigger) Trigger { return purgingTrigger{t} }

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

// ContinuousEventTimeTrigger fires a window every interval of event time (early results), and at its end.
func ContinuousEventTimeTrigger(interval time.Duration) Trigger {
	return continuousTrigger{interval.Milliseconds(), true}
}

// ContinuousProcessingTimeTrigger fires a window every interval of processing time.
func ContinuousProcessingTimeTrigger(interval time.Duration) Trigger {
	return continuousTrigger{interval.Milliseconds(), false}
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

func (c continuousTrigger) OnElement(_ any, ts int64, w Window, ctx TriggerContext) TriggerResult {
	if c.eventTime {
		if w.MaxTimestamp() <= ctx.CurrentWatermark() {
			return Fire
		}
		ctx.RegisterEventTimeTimer(w.MaxTimestamp())
	} else {
		ts = ctx.CurrentProcessingTime()
	}
	if _, ok := ctx.TriggerState(fireState); !ok {
		next := WindowStart(ts, 0, c.interval) + c.interval
		if c.eventTime {
			next = min(next, w.MaxTimestamp())
		}
		ctx.SetTriggerState(fireState, next)
		c.register(next, ctx)
	}
	return Continue
}

func (c continuousTrigger) onTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	if c.eventTime && t == w.MaxTimestamp() {
		return Fire
	}
	if f, ok := ctx.TriggerState(fireState); ok && f.(int64) == t {
		next := t + c.interval
		if c.eventTime {
			next = min(next, w.MaxTimestamp())
		}
		ctx.SetTriggerState(fireState, next)
		c.register(next, ctx)
		return Fire
	}
	return Continue
}

func (c continuousTrigger) OnEventTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	if !c.eventTime {
		return Continue
	}
	return c.onTime(t, w, ctx)
}
func (c continuousTrigger) OnProcessingTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	if c.eventTime {
		return Continue
	}
	return c.onTime(t, w, ctx)
}
func (c continuousTrigger) CanMerge() bool { return true }
func (c continuousTrigger) OnMerge(w Window, ctx TriggerContext) {
	ctx.MergeTriggerState(fireState, minInt64)
	if f, ok := ctx.TriggerState(fireState); ok {
		c.register(f.(int64), ctx)
	}
	if c.eventTime && w.MaxTimestamp() > ctx.CurrentWatermark() {
		ctx.RegisterEventTimeTimer(w.MaxTimestamp())
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

// TimestampedValue is a window element with its timestamp, as evictors see it, or a collected record.
type TimestampedValue struct {
	Value     any
	Timestamp int64 // NoTimestamp when Untimed
	// Untimed is true for an element that carries no timestamp (Flink's TimestampedValue.hasTimestamp()
	// false). The zero value has a timestamp, so TimestampedValue{Value: v, Timestamp: t} is stamped t.
	Untimed bool
}

// HasTimestamp reports whether the element carries a timestamp, Flink's TimestampedValue.hasTimestamp().
func (t TimestampedValue) HasTimestamp() bool { return !t.Untimed }

// Evictor removes elements from a window before and/or after the window function runs. A window with an
// evictor keeps every element (no incremental aggregation), as in Flink.
type Evictor interface {
	// EvictBefore returns the elements kept before the window function runs.
	EvictBefore(elems []TimestampedValue, w Window) []TimestampedValue
	// EvictAfter returns the elements kept after it.
	EvictAfter(elems []TimestampedValue, w Window) []TimestampedValue
	String() string
}

type countEvictor struct {
	n     int
	after bool
}

// CountEvictor keeps the last n elements of a window, evicting before the window function (or after, if
// after is true).
func CountEvictor(n int, after ...bool) Evictor {
	return countEvictor{n, len(after) > 0 && after[0]}
}

func (c countEvictor) evict(e []TimestampedValue) []TimestampedValue {
	if len(e) <= c.n {
		return e
	}
	return e[len(e)-c.n:]
}
func (c countEvictor) EvictBefore(e []TimestampedValue, _ Window) []TimestampedValue {
	if c.after {
		return e
	}
	return c.evict(e)
}
func (c countEvictor) EvictAfter(e []TimestampedValue, _ Window) []TimestampedValue {
	if !c.after {
		return e
	}
	return c.evict(e)
}
func (c countEvictor) String() string { return fmt.Sprintf("CountEvictor(%d)", c.n) }

type timeEvictor struct {
	keep  int64
	after bool
}

// TimeEvictor keeps the elements whose timestamp is within keep of the newest element of the window.
func TimeEvictor(keep time.Duration, after ...bool) Evictor {
	return timeEvictor{keep.Milliseconds(), len(after) > 0 && after[0]}
}

func (t timeEvictor) evict(e []TimestampedValue) []TimestampedValue {
	if len(e) == 0 {
		return e
	}
	newest := e[0].Timestamp
	for _, x := range e {
		newest = max(newest, x.Timestamp)
	}
	cut := newest - t.keep
	out := e[:0:0]
	for _, x := range e {
		if x.Timestamp > cut {
			out = append(out, x)
		}
	}
	return out
}
func (t timeEvictor) EvictBefore(e []TimestampedValue, _ Window) []TimestampedValue {
	if t.after {
		return e
	}
	return t.evict(e)
}
func (t timeEvictor) EvictAfter(e []TimestampedValue, _ Window) []TimestampedValue {
	if !t.after {
		return e
	}
	return t.evict(e)
}
func (t timeEvictor) String() string {
	return fmt.Sprintf("TimeEvictor(%v)", time.Duration(t.keep)*time.Millisecond)
}
