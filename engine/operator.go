package engine

import (
	"fmt"
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/state"
)

// record is one element on its way through a job: the value, its event timestamp, and, after a keyBy,
// its key and key group (so keyed operators need not extract the key again). noTs marks a record that carries
// no timestamp (Flink's StreamRecord with hasTimestamp false; ts is then NoTimestamp): every timestamp, even
// math.MinInt64, is a timestamp. The zero value is timestamped, so that an operator emitting record{v, ts}
// stamps it; the flag fits in the struct's padding, keeping a record at 48 bytes.
type record struct {
	v    any
	key  any
	ts   int64
	kg   int32
	noTs bool
}

// operator is one operator instance in a subtask's chain. The subtask's goroutine is the only caller of its
// methods, so operators need no locks: they are deterministic state machines driven by records, watermarks
// and timers, which is also how the test harness drives them.
type operator interface {
	base() *opBase
	open() error
	// processElement handles a record of input in (0, or 1 for the second input of connected streams).
	processElement(in int, r record)
	// processWatermark handles an advance of the operator's combined input watermark.
	processWatermark(wm int64)
	// onTimer handles a timer of this operator that has fired.
	onTimer(t timer, domain TimeDomain)
	// endInput runs once when every input has ended, before the operator's output ends.
	endInput()
	close() error
}

// opMetrics are one operator instance's counters. The subtask's goroutine writes the plain fields and
// publishes them to the atomic ones after every batch, so that readers never slow the job.
type opMetrics struct {
	in, out, lateDropped, lateSide int64
	pub                            struct {
		in, out, lateDropped, lateSide, watermark atomic.Int64
	}
}

func (m *opMetrics) publish(wm int64) {
	m.pub.in.Store(m.in)
	m.pub.out.Store(m.out)
	m.pub.lateDropped.Store(m.lateDropped)
	m.pub.lateSide.Store(m.lateSide)
	m.pub.watermark.Store(wm)
}

// opBase is the part every operator shares: its output, its watermark, and, on a keyed stream, its state
// backend, timers and current key.
type opBase struct {
	name    string
	node    *node
	task    *subtask
	out     output
	wm      int64
	metrics opMetrics
	samples recordSampler // recent records with timestamps, for the event-time timeline (record_samples.go)

	// Keyed operators only.
	backend     state.Backend
	handles     map[string]*stateHandle
	eventTimers *timerQueue
	procTimers  *timerQueue
	procWakeAt  int64       // the processing time the subtask is asked to wake us at, or 0
	procWake    func() bool // cancels that wake-up
	hasKey      bool
	key         any
	kg          int
	ns          Window // current namespace (window), zero outside windows

	ctx Context // reused for every call into user code

	mem *opMemory // what the operator holds of its slot's managed memory (managed_memory.go), nil if nothing
}

func (b *opBase) base() *opBase { return b }

func (b *opBase) init(name string) {
	b.name = name
	b.wm = MinWatermark
	b.metrics.pub.watermark.Store(MinWatermark) // read by Snapshot before the first publish
	b.ctx.op = b
	b.handles = map[string]*stateHandle{}
}

func (b *opBase) keyed() bool { return b.backend != nil }

// setKey makes r's key the current key, for state and timers.
func (b *opBase) setKey(r *record) {
	b.key, b.kg, b.hasKey = r.key, int(r.kg), true
}

func (b *opBase) setTimerKey(t timer) {
	b.key, b.kg, b.ns, b.hasKey = t.key, t.kg, t.ns, true
}

func (b *opBase) needKey(what string) {
	if b.backend == nil {
		panic(what + ": keyed state and timers are only available on a KeyedStream (call KeyBy first)")
	}
	if !b.hasKey {
		panic(what + ": no current key here (state is only reachable while processing a record or a timer)")
	}
}

func (b *opBase) processingTime() int64 { return b.task.now() }

// emitLike sends a value downstream with the timestamp of r, or none if r has none (Flink's
// StreamRecord.replace).
func (b *opBase) emitLike(v any, r *record) {
	b.metrics.out++
	b.out.collect(record{v: v, ts: r.ts, noTs: r.noTs})
}

// advanceWatermark fires the event-time timers up to wm and forwards wm: what every operator does with a
// watermark unless it has more to do.
func (b *opBase) advanceWatermark(op operator, wm int64) {
	if wm <= b.wm {
		return
	}
	b.wm = wm
	if b.eventTimers != nil {
		b.eventTimers.dropSpares()
		for {
			t, ok := b.eventTimers.pop(wm)
			if !ok {
				break
			}
			b.setTimerKey(t)
			op.onTimer(t, EventTime)
		}
		b.ns = Window{}
	}
	b.out.watermark(wm)
}

// advanceProcessingTime fires the processing-time timers due at now.
func (b *opBase) advanceProcessingTime(op operator, now int64) {
	if b.procTimers == nil {
		return
	}
	b.procWakeAt = 0
	for {
		t, ok := b.procTimers.pop(now)
		if !ok {
			break
		}
		b.setTimerKey(t)
		op.onTimer(t, ProcessingTime)
	}
	b.ns = Window{}
	b.scheduleProcWake(op)
}

// scheduleProcWake asks the subtask to wake this operator when its earliest processing-time timer is due.
func (b *opBase) scheduleProcWake(op operator) {
	if b.task.inband {
		return // in-band processing time fires timers as it advances (subtask.advanceTime)
	}
	next, ok := b.procTimers.peek()
	if !ok || (b.procWakeAt != 0 && b.procWakeAt <= next) {
		return
	}
	if b.procWake != nil {
		b.procWake()
	}
	b.procWakeAt = next
	b.procWake = b.task.wakeAt(next, op)
}

func (b *opBase) registerTimer(domain TimeDomain, op operator, ts int64) {
	b.needKey("timer")
	if domain == EventTime {
		b.eventTimers.add(ts, b.key, b.kg, b.ns)
		return
	}
	b.procTimers.add(ts, b.key, b.kg, b.ns)
	b.scheduleProcWake(op)
}

func (b *opBase) deleteTimer(domain TimeDomain, ts int64) {
	b.needKey("timer")
	if domain == EventTime {
		b.eventTimers.remove(ts, b.key, b.ns)
	} else {
		b.procTimers.remove(ts, b.key, b.ns)
	}
}

func (b *opBase) open() error               { return nil }
func (b *opBase) endInput()                 {}
func (b *opBase) close() error              { return nil }
func (b *opBase) onTimer(timer, TimeDomain) {}

// Context is what user functions see of the operator running them: the current record's timestamp and key,
// time, timers, keyed state and side outputs. It is valid only during the call it is passed to.
type Context struct {
	op      *opBase
	self    operator
	ts      int64
	noTs    bool // the current record has no timestamp
	domain  TimeDomain
	onTimer bool
}

// Timestamp returns the event timestamp of the current record (NoTimestamp if it has none, see
// HasTimestamp), or the time of the timer being fired.
func (c *Context) Timestamp() int64 { return c.ts }

// HasTimestamp reports whether the current record carries an event timestamp (Flink's Context.timestamp()
// being non-null). A record has one once a source gave it one or a timestamp assigner ran, even if that
// timestamp is math.MinInt64; records emitted by processing-time timers have none. In OnTimer it is true:
// Timestamp is the timer's time.
func (c *Context) HasTimestamp() bool { return !c.noTs }

// CurrentKey returns the key of the current record or timer; nil on a non-keyed stream.
func (c *Context) CurrentKey() any {
	if !c.op.hasKey {
		return nil
	}
	return c.op.key
}

// CurrentWatermark returns the operator's current event-time watermark.
func (c *Context) CurrentWatermark() int64 { return c.op.wm }

// CurrentProcessingTime returns the job clock's time in milliseconds.
func (c *Context) CurrentProcessingTime() int64 { return c.op.processingTime() }

// TimeDomain returns the clock of the timer being fired (only meaningful in OnTimer).
func (c *Context) TimeDomain() TimeDomain { return c.domain }

// Subtask returns the index of the parallel instance running the function.
func (c *Context) Subtask() int { return c.op.task.index }

// Parallelism returns the number of parallel instances of the operator.
func (c *Context) Parallelism() int { return c.op.task.parallelism }

// RegisterEventTimeTimer asks for OnTimer to be called for the current key once the watermark reaches t.
// Registering the same time twice for a key sets one timer.
func (c *Context) RegisterEventTimeTimer(t int64) { c.op.registerTimer(EventTime, c.self, t) }

// RegisterProcessingTimeTimer asks for OnTimer to be called for the current key once the job clock reaches t.
func (c *Context) RegisterProcessingTimeTimer(t int64) { c.op.registerTimer(ProcessingTime, c.self, t) }

// DeleteEventTimeTimer removes an event-time timer of the current key.
func (c *Context) DeleteEventTimeTimer(t int64) { c.op.deleteTimer(EventTime, t) }

// DeleteProcessingTimeTimer removes a processing-time timer of the current key.
func (c *Context) DeleteProcessingTimeTimer(t int64) { c.op.deleteTimer(ProcessingTime, t) }

// Output emits v to the side output tag, with the current timestamp. As in Flink (ProcessOperator's
// ContextImpl.output builds a new StreamRecord from element.getTimestamp()), the side record is always
// timestamped: with NoTimestamp if the current record has none.
func (c *Context) Output(tag *OutputTag, v any) {
	c.op.out.side(tag, record{v: v, ts: c.ts})
}

// ValueState returns the current key's ValueState described by d.
func (c *Context) ValueState(d StateDescriptor) *ValueState {
	return &ValueState{c.op.handle(d, "ValueState")}
}

// ListState returns the current key's ListState described by d.
func (c *Context) ListState(d StateDescriptor) *ListState {
	return &ListState{c.op.handle(d, "ListState")}
}

// MapState returns the current key's MapState described by d.
func (c *Context) MapState(d StateDescriptor) *MapState {
	return &MapState{c.op.handle(d, "MapState")}
}

// ReducingState returns the current key's ReducingState described by d, which must have Reduce set.
func (c *Context) ReducingState(d StateDescriptor) *ReducingState {
	if d.Reduce == nil {
		panic(fmt.Sprintf("ReducingState %q needs a Reduce function in its descriptor", d.Name))
	}
	return &ReducingState{c.op.handle(d, "ReducingState")}
}

// AggregatingState returns the current key's AggregatingState described by d, which must have Aggregate set.
func (c *Context) AggregatingState(d StateDescriptor) *AggregatingState {
	if d.Aggregate.Add == nil || d.Aggregate.CreateAccumulator == nil || d.Aggregate.GetResult == nil {
		panic(fmt.Sprintf("AggregatingState %q needs an Aggregate function in its descriptor", d.Name))
	}
	return &AggregatingState{c.op.handle(d, "AggregatingState")}
}

// enterElement points the operator's Context and col at record r: what a function called for r sees, and
// the timestamp its output carries (r's, or none).
func (b *opBase) enterElement(col *timestampedCollector, r *record) {
	b.ctx.ts, b.ctx.noTs, b.ctx.onTimer = r.ts, r.noTs, false
	col.op, col.ts, col.noTs = b, r.ts, r.noTs
}

// enterTimer points the operator's Context and col at a firing timer: the Context's timestamp is the timer's
// time; what an event-time timer emits carries it, and what a processing-time timer emits carries no
// timestamp, as in Flink (KeyedProcessOperator#onProcessingTime erases the collector's timestamp).
func (b *opBase) enterTimer(col *timestampedCollector, t timer, domain TimeDomain) {
	b.ctx.ts, b.ctx.noTs, b.ctx.domain, b.ctx.onTimer = t.ts, false, domain, true
	col.op, col.ts, col.noTs = b, t.ts, false
	if domain == ProcessingTime {
		col.ts, col.noTs = NoTimestamp, true
	}
}

// timestampedCollector emits what user code collects with a fixed timestamp, or none if noTs (Flink's
// TimestampedCollector: setTimestamp, setAbsoluteTimestamp, eraseTimestamp), and counts it.
type timestampedCollector struct {
	op   *opBase
	ts   int64
	noTs bool
}

func (c *timestampedCollector) Collect(v any) {
	c.op.metrics.out++
	c.op.out.collect(record{v: v, ts: c.ts, noTs: c.noTs})
}

// output is where an operator sends what it emits: the next operators of its chain and the network.
type output interface {
	collect(r record)
	side(tag *OutputTag, r record)
	watermark(wm int64)
	idle(idle bool)
	// end is called once the operator has ended its input: chained operators end theirs, writers close.
	end()
}

// target is one receiver of an operator's output.
type target interface {
	push(r record)
	pushWatermark(wm int64)
	pushIdle(idle bool)
	end()
}

// fanout sends an operator's main output to its targets and each side output to that tag's targets.
type fanout struct {
	main  []target
	sides map[*OutputTag][]target
}

func (f *fanout) collect(r record) {
	for _, t := range f.main {
		t.push(r)
	}
}

func (f *fanout) side(tag *OutputTag, r record) {
	for _, t := range f.sides[tag] {
		t.push(r)
	}
}

func (f *fanout) each(fn func(target)) {
	for _, t := range f.main {
		fn(t)
	}
	for _, ts := range f.sides {
		for _, t := range ts {
			fn(t)
		}
	}
}

func (f *fanout) watermark(wm int64) { f.each(func(t target) { t.pushWatermark(wm) }) }
func (f *fanout) idle(idle bool)     { f.each(func(t target) { t.pushIdle(idle) }) }
func (f *fanout) end()               { f.each(func(t target) { t.end() }) }

// chained is a target that calls the next operator of a chain directly, in the same goroutine.
type chained struct {
	op   operator
	task *subtask
}

func (c chained) push(r record) {
	defer c.task.blame(c.op, r.v)
	b := c.op.base()
	b.metrics.in++
	b.took(&r)
	c.op.processElement(0, r)
}
func (c chained) pushWatermark(wm int64) { c.op.processWatermark(wm) }
func (c chained) pushIdle(idle bool)     { forwardIdle(c.op, idle) }
func (c chained) end() {
	c.op.endInput()
	c.op.base().out.end()
}
