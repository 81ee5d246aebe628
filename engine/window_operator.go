package engine

import (
	"fmt"
	"math"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// windowOp is Flink's WindowOperator (and, with an evictor, EvictingWindowOperator): it assigns records to
// windows per key, keeps each window's contents in keyed state under the window as namespace, asks the
// trigger when to fire, drops or side-outputs late records, and clears a window once the watermark passes
// its end plus the allowed lateness.
type windowOp struct {
	opBase
	assigner WindowAssigner
	trigger  Trigger
	evictor  Evictor
	lateness int64
	lateTag  *OutputTag
	fn       windowFunction

	contents windowContents // per (key, window): the reduced value, accumulator or element list
	merging  windowContents // per key: its mergingSet of merging (session) windows
	// sessionsInline is set on the heap backend for merging windows: each session's contents live in its
	// entry of the key's mergingSet, not in the contents table. sessions is then the current key's set
	// while a record or timer of it is processed (sessionHint: the entry used last), and sessionKeys and
	// sessionIdx the merging table's slot it was read from (nil: none), holding sessionBox.
	sessionsInline bool
	// sessionCount is set when sessionsInline and the window function is the built-in Count: the entries
	// keep the count unboxed (mergedWindow.n).
	sessionCount bool
	sessions     mergingSet
	sessionHint  int
	sessionKeys  *state.WindowKeys
	sessionIdx   int
	sessionBox   *sessionBox
	// spareBoxes are boxes of keys whose sets emptied, kept for new keys' sets (keepSpare), with
	// spareSessions the windows their arrays hold together.
	spareBoxes    []*sessionBox
	spareSessions int
	// hash is the current key's keygroup.Hash, by which the heap's window tables are keyed (hashed: there
	// are such tables).
	hash   uint32
	hashed bool
	merged []Window // addWindow's list of windows merged into a cover
	tctx   triggerCtx
	buf    []Window
	result [1]any // elements' slice of an incremental window's result when no window function takes it
	col    timestampedCollector
	// restored is set when the operator's state came from a checkpoint: open rebuilds the live view.
	restored bool
	// fastPath is true for non-merging event-time windows with the default trigger, whose timers never
	// change while a window has contents.
	fastPath bool
	// defaultTrigger is true for event-time windows (merging or not) with the default trigger, whose only
	// timer for a window is at its max timestamp: the same timer as the cleanup timer without lateness.
	defaultTrigger bool
	// firingLate is set while the trigger sees a record, so a firing then is a late firing.
	firingLate bool
	// uniqueTimers is set for merging event-time windows with the default trigger and no allowed lateness:
	// each window's one timer (at its max timestamp) is registered once, when the window is created or made
	// by a merge, and deleted once, when it fires or is merged away, so the trigger's timers skip the timer
	// queue's live set (timerQueue.addUnique and removeUnique).
	uniqueTimers bool
	// eventTime and mergingW are the assigner's IsEventTime and Merging, asked once at open.
	eventTime, mergingW bool
	// tumble is the assigner if it is a plain tumbling one; lastWin is the window it assigned last (zero:
	// none yet). A record whose timestamp falls in lastWin belongs to it, without the assigner's divisions.
	tumble  *tumbling
	lastWin Window

	// eventBudget limits the per-key window events logged between two watermarks (eventsPerWatermark);
	// suppressed counts those left out, reported in one summary event.
	eventBudget int
	suppressed  int64
	lastStat    *windowStat // openStat's last entry, of window lastStatW
	lastStatW   Window

	// openWins is the live view's summary of the windows in state: keys and elements per window; freeStats
	// keeps the entries of dropped windows for new ones (a session window lives for a few records).
	openWins  map[Window]*windowStat
	freeStats []*windowStat

	// wctx is the WindowContext of the window function; global is the view of the keyed state in the void
	// namespace that its GlobalState reads.
	wctx   WindowContext
	global opBase
}

type windowStat struct{ keys, elements int64 }

// windowFunction is how a window's contents are kept and turned into output.
type windowFunction struct {
	reduce  ReduceFunc
	agg     *AggregateFunction
	process ProcessWindowFunc // nil: emit the reduced or aggregated value itself
	clear   func(ctx *WindowContext)
}

func (o *windowOp) open() error {
	o.ctx.self = o
	if p, ok := o.assigner.(perInstanceAssigner); ok {
		o.assigner = p.forInstance(o)
	}
	o.eventTime, o.mergingW = o.assigner.IsEventTime(), o.assigner.Merging()
	if t, ok := o.assigner.(tumbling); ok {
		o.tumble = &t
	}
	_, isEventTrigger := o.trigger.(eventTimeTrigger)
	o.defaultTrigger = isEventTrigger && o.eventTime
	o.fastPath = o.defaultTrigger && !o.mergingW
	o.uniqueTimers = o.defaultTrigger && o.mergingW && o.lateness == 0
	var agg builtinAgg
	if o.incremental() && o.fn.agg != nil {
		agg = o.fn.agg.builtinKind()
	}
	o.merging.open(o, mergingWindowsTable, o.mergingW, builtinAgg{})
	o.sessionsInline = o.merging.wt != nil
	o.sessionCount = o.sessionsInline && agg.kind == aggCount
	if o.sessionsInline && o.restored {
		o.takeRestoredContents()
	}
	o.contents.open(o, windowContentsTable, !o.mergingW, agg)
	o.hashed = o.contents.wt != nil || o.merging.wt != nil
	o.tctx.op = o
	o.openWins = map[Window]*windowStat{}
	if o.restored { // rebuild the live view of open windows from the restored contents
		count := func(w Window) {
			st := o.openWins[w]
			if st == nil {
				st = &windowStat{}
				o.openWins[w] = st
			}
			st.keys++
		}
		if o.sessionsInline {
			o.merging.t.t.ForEach(func(_ int, _ any, _ state.Namespace, v any) bool {
				for _, e := range asMergingSet(v) {
					if e.Has {
						count(e.State)
					}
				}
				return true
			})
		} else {
			o.contents.t.t.ForEach(func(_ int, _ any, ns state.Namespace, _ any) bool {
				count(Window(ns))
				return true
			})
		}
	}
	return nil
}

// eventsPerWatermark is how many per-key window events an operator subtask logs between two watermarks.
// Teaching jobs (a few keys) log every firing; a job with 100,000 keys logs a sample and a summary, so that
// observing a job never slows it much.
const eventsPerWatermark = 64

// logEvent adds a per-key event to the job's log unless this watermark's budget is spent.
func (o *windowOp) logEvent(e Event) {
	if o.eventBudget >= eventsPerWatermark {
		o.suppressed++
		return
	}
	o.eventBudget++
	e.Operator, e.Subtask, e.Watermark = o.name, o.task.index, o.wm
	o.task.job.events.add(e)
}

func (o *windowOp) incremental() bool {
	return o.evictor == nil && (o.fn.reduce != nil || o.fn.agg != nil)
}

// cleanupTime is when a window's state is dropped: its end plus the allowed lateness in event time (guarding
// against overflow), its end in processing time.
func (o *windowOp) cleanupTime(w Window) int64 {
	if !o.eventTime {
		return w.MaxTimestamp()
	}
	return addSat(w.MaxTimestamp(), o.lateness)
}

func (o *windowOp) isWindowLate(w Window) bool {
	return o.eventTime && o.cleanupTime(w) <= o.wm
}

func (o *windowOp) isElementLate(ts int64) bool {
	return o.eventTime && addSat(ts, o.lateness) <= o.wm
}

func (o *windowOp) processElement(_ int, r record) {
	o.setKey(&r)
	if o.hashed {
		o.hash = keygroup.Hash(r.key)
	}
	o.assign(&r)
	skipped := true
	if o.mergingW {
		skipped = o.processMerging(r)
	} else {
		for _, w := range o.buf {
			if o.isWindowLate(w) {
				continue
			}
			skipped = false
			o.addToWindow(w, w, r, false)
		}
	}
	if skipped && o.isElementLate(r.ts) {
		if o.lateTag != nil {
			o.metrics.lateSide++
			o.out.side(o.lateTag, record{v: r.v, ts: r.ts})
		} else {
			o.metrics.lateDropped++
		}
		o.logEvent(Event{Kind: EventLateRecord, Key: r.key, Timestamp: r.ts, Detail: lateDetail(o.lateTag)})
	}
	o.ns = Window{}
}

// assign puts record r's windows in o.buf. A tumbling event-time window that held the previous record's
// timestamp holds this one's too (its bounds are the same, saturated or not), so it is reused.
func (o *windowOp) assign(r *record) {
	if !o.eventTime {
		o.buf = o.assigner.AssignWindows(r.v, r.ts, o.processingTime(), o.buf[:0])
		return
	}
	if r.noTs {
		panic(errNoTimestamp) // Flink: the event-time assigners refuse a record without a timestamp
	}
	if o.tumble != nil && r.ts >= o.lastWin.Start && r.ts < o.lastWin.End && r.ts != NoTimestamp {
		o.buf = append(o.buf[:0], o.lastWin)
		return
	}
	o.buf = o.assigner.AssignWindows(r.v, r.ts, 0, o.buf[:0])
	if o.tumble != nil {
		o.lastWin = o.buf[0]
	}
}

func lateDetail(tag *OutputTag) string {
	if tag != nil {
		return "to side output " + tag.Name
	}
	return "dropped"
}

// addToWindow adds r to the contents of stateWindow (the window itself unless merged) and runs the trigger
// for the actual window w. fresh says that stateWindow is known to hold no contents of the key.
func (o *windowOp) addToWindow(w, stateWindow Window, r record, fresh bool) {
	var ok bool
	if fresh {
		o.putContents(stateWindow, o.fn.add(o, nil, false, r))
	} else {
		ok = o.addContents(stateWindow, r)
	}
	st := o.openStat(stateWindow)
	if !ok {
		st.keys++
	}
	st.elements++
	o.ns = w
	if ok && o.defaultTrigger && w.MaxTimestamp() > o.wm && (o.fastPath || o.lateness == 0) {
		// The default trigger would register the timer at the window's max timestamp again and continue:
		// that timer (and the cleanup timer) exist since the window's first record (or, for a merged
		// session, since the merge: OnMerge registers the cover's timer, which is its cleanup timer without
		// lateness), because they are only deleted when they fire or the window is cleared or merged away,
		// none of which can have happened to a window with contents before the watermark passes its max
		// timestamp.
		return
	}
	var res TriggerResult
	if o.fastPath && w.MaxTimestamp() > o.wm {
		// The default trigger's OnElement for the window's first record: register the timer at its max
		// timestamp (new, since the window had no contents) and continue.
		o.eventTimers.addUnique(w.MaxTimestamp(), o.key, o.kg, w)
	} else {
		res = o.trigger.OnElement(r.v, r.ts, w, &o.tctx)
	}
	o.firingLate = true
	o.act(res, w, stateWindow)
	o.firingLate = false
	if o.defaultTrigger && o.lateness == 0 && res == Continue {
		return // the cleanup timer is the trigger's timer at the window's max timestamp, just registered
	}
	o.registerCleanupTimer(w)
}

// act carries out a trigger's result for window w, whose contents live under stateWindow.
func (o *windowOp) act(res TriggerResult, w, stateWindow Window) {
	if res.fires() {
		if contents, ok := o.getContents(stateWindow); ok {
			o.ns = w
			o.emitWindow(w, stateWindow, contents)
		}
	}
	if res.purges() {
		o.dropContents(stateWindow)
	}
	o.ns = w
}

// openStat returns the live view's entry of window w, creating it if needed. The last one is kept at hand:
// consecutive records mostly go to the same window.
func (o *windowOp) openStat(w Window) *windowStat {
	if o.lastStat != nil && o.lastStatW == w {
		return o.lastStat
	}
	st := o.openWins[w]
	if st == nil {
		if n := len(o.freeStats); n > 0 {
			st, o.freeStats = o.freeStats[n-1], o.freeStats[:n-1]
		} else {
			st = &windowStat{}
		}
		o.openWins[w] = st
	}
	o.lastStat, o.lastStatW = st, w
	return st
}

// dropContents removes the current key's contents of window w.
func (o *windowOp) dropContents(w Window) {
	if !o.delContents(w) {
		return
	}
	st := o.lastStat // timers fire a window's keys one after another
	if st == nil || o.lastStatW != w {
		if st = o.openWins[w]; st == nil {
			return
		}
		o.lastStat, o.lastStatW = st, w
	}
	st.keys--
	if st.keys <= 0 {
		delete(o.openWins, w)
		o.lastStat = nil
		if len(o.freeStats) < 1024 {
			*st = windowStat{}
			o.freeStats = append(o.freeStats, st)
		}
	}
}

func (o *windowOp) emitWindow(w, stateWindow Window, contents any) {
	elems := o.fn.elements(o, w, stateWindow, contents)
	o.ctx.ts = w.MaxTimestamp()
	o.col.op, o.col.ts = &o.opBase, w.MaxTimestamp()
	before := o.metrics.out
	if o.fn.process != nil {
		o.wctx = WindowContext{op: o, window: w}
		o.fn.process(&o.wctx, o.key, elems, &o.col)
	} else {
		for _, e := range elems {
			o.col.Collect(e)
		}
		o.result[0] = nil
	}
	kind := EventWindowFired
	if o.eventTime && w.MaxTimestamp() <= o.wm && o.firingLate {
		kind = EventWindowLateFired
	}
	o.logEvent(Event{Kind: kind, Key: o.key, Window: w, Count: o.metrics.out - before})
}

func (o *windowOp) registerCleanupTimer(w Window) {
	t := o.cleanupTime(w)
	if t == math.MaxInt64 {
		return // the global window is never cleaned up
	}
	if o.eventTime {
		o.eventTimers.add(t, o.key, o.kg, w)
	} else {
		o.procTimers.add(t, o.key, o.kg, w)
		o.scheduleProcWake(o)
	}
}

func (o *windowOp) deleteCleanupTimer(w Window) {
	t := o.cleanupTime(w)
	if t == math.MaxInt64 {
		return
	}
	if o.eventTime {
		o.eventTimers.remove(t, o.key, w)
	} else {
		o.procTimers.remove(t, o.key, w)
	}
}

func (o *windowOp) processWatermark(wm int64) {
	if wm <= o.wm {
		return
	}
	o.eventBudget = 0
	o.dropSpares()
	o.advanceWatermark(o, wm)
	if o.suppressed > 0 {
		o.task.job.events.add(Event{Kind: EventWindowsSummarized, Operator: o.name, Subtask: o.task.index,
			Watermark: wm, Count: o.suppressed, Detail: fmt.Sprintf("%d more window events at this watermark", o.suppressed)})
		o.suppressed = 0
	}
}

func (o *windowOp) onTimer(t timer, domain TimeDomain) {
	if o.hashed {
		o.hash = keygroup.Hash(t.key)
	}
	w := t.ns
	stateWindow := w
	var set mergingSet
	if o.mergingW {
		set = o.mergingSet()
		i := set.find(w)
		if i < 0 {
			o.sessionKeys = nil
			return // the window was merged into another after this timer was set
		}
		stateWindow = set[i].State
		o.sessions, o.sessionHint = set, i
		defer func() { o.sessions, o.sessionKeys = nil, nil }()
	}
	o.ns = w
	var res TriggerResult
	if domain == EventTime {
		res = o.trigger.OnEventTime(t.ts, w, &o.tctx)
	} else {
		res = o.trigger.OnProcessingTime(t.ts, w, &o.tctx)
	}
	o.act(res, w, stateWindow)
	if t.ts == o.cleanupTime(w) && (domain == EventTime) == o.eventTime {
		o.clearAllState(w, stateWindow, set)
	}
}

// clearAllState drops a window for good: its contents, its trigger's state and timers, and its entry in
// the merging set.
func (o *windowOp) clearAllState(w, stateWindow Window, set mergingSet) {
	o.dropContents(stateWindow)
	o.ns = w
	if !o.defaultTrigger {
		o.trigger.Clear(w, &o.tctx)
	} // else the default trigger's only timer, at the window's max timestamp <= its cleanup time, has fired
	if o.fn.clear != nil { // Flink: ProcessWindowFunction.clear(Context), for the user's per-window state
		o.ctx.ts = w.MaxTimestamp()
		o.wctx = WindowContext{op: o, window: w}
		o.fn.clear(&o.wctx)
		o.ns = w
	}
	if i := set.find(w); i >= 0 {
		o.putMergingSet(set.without(i))
	}
	if o.lateness > 0 {
		// With allowed lateness the state outlives the firing; say when it goes.
		o.logEvent(Event{Kind: EventWindowPurged, Key: o.key, Window: w})
	}
}

// onMerge moves everything that belonged to the merged windows to the cover.
func (o *windowOp) onMerge(cover Window, merged []Window, stateWindow Window, mergedState []Window) {
	if o.eventTime && o.cleanupTime(cover) <= o.wm {
		panic("the end timestamp of an event-time window cannot become earlier than the current watermark by merging")
	}
	o.ns = cover
	o.tctx.merged = merged
	o.trigger.OnMerge(cover, &o.tctx)
	o.tctx.merged = nil
	for _, m := range merged {
		o.ns = m
		o.trigger.Clear(m, &o.tctx)
		if !o.defaultTrigger || o.lateness > 0 { // else Clear deleted the same timer
			o.deleteCleanupTimer(m)
		}
	}
	o.logEvent(Event{Kind: EventWindowMerged, Key: o.key, Window: cover, Count: int64(len(merged))})
	if len(mergedState) == 0 {
		return // the contents stay in stateWindow
	}
	// Merge the contents of the other state windows into stateWindow.
	acc, ok := o.getContents(stateWindow)
	for _, sw := range mergedState {
		v, vok := o.getContents(sw)
		if vok {
			if ok {
				acc = o.fn.merge(o, acc, v)
			} else {
				acc, ok = v, true
			}
			o.dropContents(sw)
		}
	}
	if ok {
		_, existed := o.getContents(stateWindow)
		o.putContents(stateWindow, acc)
		if !existed {
			o.openStat(stateWindow).keys++
		}
	}
}

// add folds record r into a window's contents.
func (f windowFunction) add(o *windowOp, cur any, ok bool, r record) any {
	switch {
	case !o.incremental():
		var l []TimestampedValue
		if ok {
			l = cur.([]TimestampedValue)
		}
		return append(l, TimestampedValue{Value: r.v, Timestamp: r.ts, Untimed: r.noTs})
	case f.reduce != nil:
		if !ok {
			return r.v
		}
		return f.reduce(cur, r.v)
	default:
		if !ok {
			cur = f.agg.CreateAccumulator()
		}
		return f.agg.Add(r.v, cur)
	}
}

func (f windowFunction) merge(o *windowOp, a, b any) any {
	switch {
	case !o.incremental():
		return append(append([]TimestampedValue(nil), a.([]TimestampedValue)...), b.([]TimestampedValue)...)
	case f.reduce != nil:
		return f.reduce(a, b)
	default:
		if f.agg.Merge == nil {
			panic("merging (session) windows need an AggregateFunction with Merge")
		}
		return f.agg.Merge(a, b)
	}
}

// elements turns contents into what the window function receives, running the evictor around it.
func (f windowFunction) elements(o *windowOp, w, stateWindow Window, contents any) []any {
	if o.incremental() {
		r := contents
		if f.agg != nil {
			r = f.agg.GetResult(contents)
		}
		if f.process == nil { // emitWindow only collects the result: no slice escapes
			o.result[0] = r
			return o.result[:]
		}
		return []any{r}
	}
	l := contents.([]TimestampedValue)
	if o.evictor != nil {
		l = o.evictor.EvictBefore(l, w)
	}
	var out []any
	switch {
	case f.reduce != nil:
		if len(l) > 0 {
			acc := l[0].Value
			for _, e := range l[1:] {
				acc = f.reduce(acc, e.Value)
			}
			out = []any{acc}
		}
	case f.agg != nil:
		acc := f.agg.CreateAccumulator()
		for _, e := range l {
			acc = f.agg.Add(e.Value, acc)
		}
		out = []any{f.agg.GetResult(acc)}
	default:
		out = make([]any, len(l))
		for i, e := range l {
			out[i] = e.Value
		}
	}
	if o.evictor != nil {
		l = o.evictor.EvictAfter(l, w)
		if len(l) == 0 {
			o.dropContents(stateWindow)
		} else {
			o.putContents(stateWindow, l)
		}
		o.ns = w
	}
	return out
}

// triggerCtx is the TriggerContext of the window operator's current key and window.
type triggerCtx struct {
	op     *windowOp
	merged []Window // during OnMerge: the windows being merged
}

func (c *triggerCtx) CurrentWatermark() int64      { return c.op.wm }
func (c *triggerCtx) CurrentProcessingTime() int64 { return c.op.processingTime() }
func (c *triggerCtx) RegisterEventTimeTimer(t int64) {
	if c.op.uniqueTimers {
		c.op.eventTimers.addUnique(t, c.op.key, c.op.kg, c.op.ns)
		return
	}
	c.op.eventTimers.add(t, c.op.key, c.op.kg, c.op.ns)
}
func (c *triggerCtx) RegisterProcessingTimeTimer(t int64) {
	c.op.procTimers.add(t, c.op.key, c.op.kg, c.op.ns)
	c.op.scheduleProcWake(c.op)
}
func (c *triggerCtx) DeleteEventTimeTimer(t int64) {
	if c.op.uniqueTimers {
		c.op.eventTimers.removeUnique(t, c.op.key, c.op.ns)
		return
	}
	c.op.eventTimers.remove(t, c.op.key, c.op.ns)
}
func (c *triggerCtx) DeleteProcessingTimeTimer(t int64) {
	c.op.procTimers.remove(t, c.op.key, c.op.ns)
}

func (c *triggerCtx) table(name string) state.Table { return c.op.backend.Table("trigger/" + name) }

func (c *triggerCtx) TriggerState(name string) (any, bool) {
	return c.table(name).Get(c.op.kg, c.op.key, state.Namespace(c.op.ns))
}
func (c *triggerCtx) SetTriggerState(name string, v any) {
	c.table(name).Put(c.op.kg, c.op.key, state.Namespace(c.op.ns), v)
}
func (c *triggerCtx) ClearTriggerState(name string) {
	c.table(name).Delete(c.op.kg, c.op.key, state.Namespace(c.op.ns))
}
func (c *triggerCtx) MergeTriggerState(name string, reduce ReduceFunc) {
	t := c.table(name)
	acc, ok := t.Get(c.op.kg, c.op.key, state.Namespace(c.op.ns))
	for _, m := range c.merged {
		if m == c.op.ns {
			continue
		}
		v, vok := t.Get(c.op.kg, c.op.key, state.Namespace(m))
		if !vok {
			continue
		}
		if ok {
			acc = reduce(acc, v)
		} else {
			acc, ok = v, true
		}
		t.Delete(c.op.kg, c.op.key, state.Namespace(m))
	}
	if ok {
		t.Put(c.op.kg, c.op.key, state.Namespace(c.op.ns), acc)
	}
}
