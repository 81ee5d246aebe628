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

// DeltaFunction measures how far newDataPoint is from oldDataPoint, for DeltaTrigger and DeltaEvictor
// (Flink's DeltaFunction).
type DeltaFunction func(oldDataPoint, newDataPoint any) float64

type deltaTrigger struct {
	threshold float64
	delta     DeltaFunction
}

// DeltaTrigger fires a window when delta between the record that last fired it (or the window's first record)
// and a new record exceeds threshold; that record is then the one later records are measured against
// (Flink's DeltaTrigger). It does not support merging windows.
func DeltaTrigger(threshold float64, delta DeltaFunction) Trigger {
	if delta == nil {
		panic("engine: DeltaTrigger: delta function is nil")
	}
	return deltaTrigger{threshold, delta}
}

const deltaState = "delta-last"

func (d deltaTrigger) OnElement(v any, _ int64, _ Window, ctx TriggerContext) TriggerResult {
	last, ok := ctx.TriggerState(deltaState)
	if !ok {
		ctx.SetTriggerState(deltaState, v)
		return Continue
	}
	if d.delta(last, v) > d.threshold {
		ctx.SetTriggerState(deltaState, v)
		return Fire
	}
	return Continue
}
func (deltaTrigger) OnEventTime(int64, Window, TriggerContext) TriggerResult      { return Continue }
func (deltaTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult { return Continue }
func (deltaTrigger) CanMerge() bool                                               { return false }
func (deltaTrigger) OnMerge(Window, TriggerContext) {
	panic("engine: DeltaTrigger does not support merging windows")
}
func (deltaTrigger) Clear(_ Window, ctx TriggerContext) { ctx.ClearTriggerState(deltaState) }
func (d deltaTrigger) String() string                   { return fmt.Sprintf("DeltaTrigger(%v)", d.threshold) }

type processingTimeoutTrigger struct {
	nested               Trigger
	timeout              int64
	resetOnNewRecord     bool
	shouldClearOnTimeout bool
}

// ProcessingTimeoutTrigger wraps nested so that a window also fires once timeout of processing time has
// passed since its first record (or, if resetTimerOnNewRecord, since its latest record): Flink's
// ProcessingTimeoutTrigger.of(nested, timeout, resetTimerOnNewRecord, shouldClearOnTimeout). When nested fires
// on a record the timeout is cleared; when any timer of the window fires the window fires (and purges if
// nested purges), and, if shouldClearOnTimeout, the nested trigger's state is cleared too. Pass no flags for
// Flink's of(nested, timeout): resetTimerOnNewRecord false, shouldClearOnTimeout true. The timeout must be
// at least 1ms. It does not support merging windows.
func ProcessingTimeoutTrigger(nested Trigger, timeout time.Duration, flags ...bool) Trigger {
	if nested == nil {
		panic("engine: ProcessingTimeoutTrigger: nested trigger is nil")
	}
	t := processingTimeoutTrigger{nested: nested, shouldClearOnTimeout: true,
		timeout: positiveMillis("ProcessingTimeoutTrigger", "timeout", timeout)}
	switch len(flags) {
	case 0:
	case 2:
		t.resetOnNewRecord, t.shouldClearOnTimeout = flags[0], flags[1]
	default:
		panic(fmt.Sprintf("engine: ProcessingTimeoutTrigger: give both resetTimerOnNewRecord and "+
			"shouldClearOnTimeout or neither, got %d flags", len(flags)))
	}
	return t
}

const timeoutState = "timeout"

func (p processingTimeoutTrigger) OnElement(v any, ts int64, w Window, ctx TriggerContext) TriggerResult {
	res := p.nested.OnElement(v, ts, w, ctx)
	if res.fires() {
		p.Clear(w, ctx)
		return res
	}
	next := addSat(ctx.CurrentProcessingTime(), p.timeout)
	cur, ok := ctx.TriggerState(timeoutState)
	if ok && p.resetOnNewRecord {
		ctx.DeleteProcessingTimeTimer(cur.(int64))
		ctx.ClearTriggerState(timeoutState)
		ok = false
	}
	if !ok {
		ctx.SetTriggerState(timeoutState, next)
		ctx.RegisterProcessingTimeTimer(next)
	}
	return res
}

// onTimeout is Flink's reaction to any timer of the window: it fires (and purges if nested purges).
func (p processingTimeoutTrigger) onTimeout(res TriggerResult, w Window, ctx TriggerContext) TriggerResult {
	if p.shouldClearOnTimeout {
		p.Clear(w, ctx)
	}
	if res.purges() {
		return FireAndPurge
	}
	return Fire
}
func (p processingTimeoutTrigger) OnEventTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	return p.onTimeout(p.nested.OnEventTime(t, w, ctx), w, ctx)
}
func (p processingTimeoutTrigger) OnProcessingTime(t int64, w Window, ctx TriggerContext) TriggerResult {
	return p.onTimeout(p.nested.OnProcessingTime(t, w, ctx), w, ctx)
}
func (processingTimeoutTrigger) CanMerge() bool { return false }
func (processingTimeoutTrigger) OnMerge(Window, TriggerContext) {
	panic("engine: ProcessingTimeoutTrigger does not support merging windows")
}
func (p processingTimeoutTrigger) Clear(w Window, ctx TriggerContext) {
	if cur, ok := ctx.TriggerState(timeoutState); ok {
		ctx.DeleteProcessingTimeTimer(cur.(int64))
		ctx.ClearTriggerState(timeoutState)
	}
	p.nested.Clear(w, ctx)
}
func (p processingTimeoutTrigger) String() string {
	return fmt.Sprintf("ProcessingTimeoutTrigger(%s, %v)", p.nested, time.Duration(p.timeout)*time.Millisecond)
}

type endOfStreamTrigger struct{}

// EndOfStreamTrigger fires the global window once, when the input ends (at the final watermark): the
// default trigger of GlobalWindowsWithEndOfStreamTrigger (Flink's GlobalWindows.EndOfStreamTrigger).
func EndOfStreamTrigger() Trigger { return endOfStreamTrigger{} }

func (endOfStreamTrigger) OnElement(_ any, _ int64, w Window, ctx TriggerContext) TriggerResult {
	ctx.RegisterEventTimeTimer(w.MaxTimestamp())
	return Continue
}
func (endOfStreamTrigger) OnEventTime(t int64, w Window, _ TriggerContext) TriggerResult {
	if t == w.MaxTimestamp() {
		return Fire
	}
	return Continue
}
func (endOfStreamTrigger) OnProcessingTime(int64, Window, TriggerContext) TriggerResult {
	return Continue
}
func (endOfStreamTrigger) CanMerge() bool                 { return false }
func (endOfStreamTrigger) OnMerge(Window, TriggerContext) {}
func (endOfStreamTrigger) Clear(Window, TriggerContext)   {}
func (endOfStreamTrigger) String() string                 { return "EndOfStreamTrigger" }
