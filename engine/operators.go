package engine

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine/internal/state"
)

// mapOp applies a MapFunc.
type mapOp struct {
	opBase
	f MapFunc
}

func (o *mapOp) processElement(_ int, r record) { o.emitLike(o.f(r.v), &r) }
func (o *mapOp) processWatermark(wm int64)      { o.advanceWatermark(o, wm) }

// filterOp keeps the records a FilterFunc accepts.
type filterOp struct {
	opBase
	f FilterFunc
}

func (o *filterOp) processElement(_ int, r record) {
	if o.f(r.v) {
		o.metrics.out++
		o.out.collect(record{v: r.v, ts: r.ts, noTs: r.noTs})
	}
}
func (o *filterOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

// flatMapOp applies a FlatMapFunc.
type flatMapOp struct {
	opBase
	f   FlatMapFunc
	col timestampedCollector
}

func (o *flatMapOp) processElement(_ int, r record) {
	o.col.op, o.col.ts, o.col.noTs = &o.opBase, r.ts, r.noTs
	o.f(r.v, &o.col)
}
func (o *flatMapOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

// processOp runs a ProcessFunction or a CoProcessFunction, keyed or not.
type processOp struct {
	opBase
	open1    func(*Context) error
	fn1, fn2 func(*Context, any, Collector)
	timerFn  func(*Context, int64, Collector)
	col      timestampedCollector
}

func (o *processOp) open() error {
	o.ctx.self = o
	if o.open1 != nil {
		return o.open1(&o.ctx)
	}
	return nil
}

func (o *processOp) processElement(in int, r record) {
	if o.keyed() {
		o.setKey(&r)
	}
	o.enterElement(&o.col, &r)
	fn := o.fn1
	if in == 1 {
		fn = o.fn2
	}
	fn(&o.ctx, r.v, &o.col)
}

func (o *processOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func (o *processOp) onTimer(t timer, domain TimeDomain) {
	if o.timerFn == nil {
		return
	}
	o.enterTimer(&o.col, t, domain)
	o.timerFn(&o.ctx, t.ts, &o.col)
}

// rollingOp is a keyed rolling aggregation (reduce, sum, min, max, minBy, maxBy): it keeps one value per key
// and emits the updated value for every record, as Flink's StreamGroupedReduceOperator. With finalOnly (Batch
// mode) it emits only each key's final value, from a timer at MaxWatermark, as BatchGroupedReduceOperator.
type rollingOp struct {
	opBase
	reduce    ReduceFunc
	table     stateTable
	finalOnly bool
}

func (o *rollingOp) open() error {
	o.table = stateTable{t: o.backend.Table("rolling")}
	return nil
}

func (o *rollingOp) processElement(_ int, r record) {
	o.setKey(&r)
	v := r.v
	cur, ok := o.table.get(&o.opBase)
	if ok {
		v = o.reduce(cur, r.v)
	}
	o.table.put(&o.opBase, v)
	if o.finalOnly {
		if !ok {
			o.registerTimer(EventTime, o, MaxWatermark)
		}
		return
	}
	o.emitLike(v, &r)
}

// onTimer emits the key's final value in Batch mode, with the timer's timestamp (MaxWatermark), as Flink's
// BatchGroupedReduceOperator#onEventTime.
func (o *rollingOp) onTimer(t timer, _ TimeDomain) {
	if v, ok := o.table.get(&o.opBase); ok {
		o.metrics.out++
		o.out.collect(record{v: v, ts: t.ts})
	}
}
func (o *rollingOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

// rollingField builds the reduce function of Sum, Min, Max (which change only field) and MinBy, MaxBy
// (which keep the whole record that holds the extreme value).
func rollingField(kind, field string) ReduceFunc {
	switch kind {
	case "sum":
		return func(a, b any) any {
			x, y := Field(a, field), Field(b, field)
			return withField(a, field, addNumbers(x, y))
		}
	case "min", "max":
		return func(a, b any) any {
			x, y := Float(a, field), Float(b, field)
			if (kind == "min" && y < x) || (kind == "max" && y > x) {
				return withField(a, field, Field(b, field))
			}
			return a
		}
	case "minBy", "maxBy":
		return func(a, b any) any {
			x, y := Float(a, field), Float(b, field)
			if (kind == "minBy" && y < x) || (kind == "maxBy" && y > x) {
				return b
			}
			return a // Flink keeps the first record on ties
		}
	}
	panic("unknown rolling aggregation " + kind)
}

// addNumbers adds two values of the same numeric type and keeps the type.
func addNumbers(x, y any) any {
	switch a := x.(type) {
	case int:
		return a + y.(int)
	case int64:
		return a + y.(int64)
	case int32:
		return a + y.(int32)
	case float64:
		return a + y.(float64)
	case float32:
		return a + y.(float32)
	case uint64:
		return a + y.(uint64)
	}
	panic(fmt.Sprintf("cannot sum values of type %T", x))
}

// stateTable is a raw keyed table for the engine's own operators, without TTL, read and written for the
// operator's current key and namespace.
type stateTable struct{ t state.Table }

func (s stateTable) get(b *opBase) (any, bool) { return s.t.Get(b.kg, b.key, state.Namespace(b.ns)) }
func (s stateTable) put(b *opBase, v any)      { s.t.Put(b.kg, b.key, state.Namespace(b.ns), v) }
func (s stateTable) del(b *opBase)             { s.t.Delete(b.kg, b.key, state.Namespace(b.ns)) }

// sinkOp hands every record to a SinkFunc.
type sinkOp struct {
	opBase
	f       SinkFunc
	rec     func(r record) error // instead of f: the engine's own sinks that need the whole record
	openFn  func(subtask, parallelism int) error
	closeFn func() error
}

func (o *sinkOp) open() error {
	if o.openFn != nil {
		return o.openFn(o.task.index, o.task.parallelism)
	}
	return nil
}

func (o *sinkOp) processElement(_ int, r record) {
	var err error
	switch {
	case o.rec != nil:
		err = o.rec(r)
	case r.noTs:
		err = o.f(r.v, NoTimestamp)
	default:
		err = o.f(r.v, r.ts)
	}
	if err != nil {
		o.task.cur, o.task.curRec = o, r.v // a chained sink is not named per record (chained.push)
		o.task.fail(fmt.Errorf("sink: %w", err))
	}
}
func (o *sinkOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }
func (o *sinkOp) close() error {
	if o.closeFn != nil {
		return o.closeFn()
	}
	return nil
}

// watermarkOp assigns timestamps and generates watermarks in the middle of a pipeline, Flink's
// TimestampsAndWatermarksOperator. Watermarks from upstream are swallowed, except the final one of a
// bounded input.
type watermarkOp struct {
	opBase
	gen wmEmitter
}

func (o *watermarkOp) open() error {
	o.gen.init(o.task, o.strategyInterval())
	o.gen.emit = func(wm int64) { o.wm = wm; o.out.watermark(wm) }
	o.gen.markIdle = func(idle bool) { o.out.idle(idle) }
	if !o.gen.s.perRecord {
		o.task.everyInterval(o.gen.interval, o.tick)
	}
	return nil
}

func (o *watermarkOp) strategyInterval() time.Duration { return o.gen.s.interval }

func (o *watermarkOp) tick() { o.gen.periodic() }

func (o *watermarkOp) processElement(_ int, r record) {
	r.ts, r.noTs = o.gen.assignRecord(r.v, r.ts, r.noTs)
	o.metrics.out++
	o.out.collect(record{v: r.v, ts: r.ts, noTs: r.noTs})
	o.gen.observe(r.v, r.ts)
}

func (o *watermarkOp) processWatermark(wm int64) {
	if wm == MaxWatermark {
		o.gen.emitWatermark(MaxWatermark)
	}
}

// wmEmitter applies a WatermarkStrategy for one source reader or watermark operator: it assigns timestamps,
// feeds the generator, emits watermarks that advance, and tracks idleness.
type wmEmitter struct {
	s         WatermarkStrategy
	gen       WatermarkGenerator
	task      *subtask
	interval  time.Duration
	current   int64
	isIdle    bool
	idleTimer idlenessTimer // WithIdleness
	nextEmit  int64
	emit      func(wm int64)
	markIdle  func(idle bool)
}

func (e *wmEmitter) init(t *subtask, interval time.Duration) {
	e.task = t
	e.current = MinWatermark
	e.gen = e.s.generator()
	e.interval = interval
	if e.interval <= 0 {
		e.interval = t.job.cfg.AutoWatermarkInterval
	}
	e.idleTimer = idlenessTimer{timeout: e.s.idle.Milliseconds()}
	e.nextEmit = t.now() + e.interval.Milliseconds()
}

// EmitWatermark and MarkIdle make wmEmitter the WatermarkOutput its generator writes to.
func (e *wmEmitter) EmitWatermark(t int64) { e.emitWatermark(t) }
func (e *wmEmitter) MarkIdle()             { e.setIdle(true) }

func (e *wmEmitter) emitWatermark(t int64) {
	if t <= e.current {
		return
	}
	e.setIdle(false)
	e.current = t
	e.emit(t)
}

func (e *wmEmitter) setIdle(idle bool) {
	if idle != e.isIdle {
		e.isIdle = idle
		e.markIdle(idle)
	}
}

// assignRecord is assign for a record that may have no timestamp (noTs): the assigner sees NoTimestamp
// then, and its result, whatever it is, is a timestamp (Flink's TimestampsAndWatermarksOperator and
// SourceOutputWithWatermarks). Without an assigner the record keeps what it had.
func (e *wmEmitter) assignRecord(v any, ts int64, noTs bool) (int64, bool) {
	if noTs {
		ts = NoTimestamp
	}
	ts = e.assign(v, ts)
	return ts, noTs && e.s.assigner == nil
}

// assign gives a record its timestamp and marks the input active; call it before the record is emitted.
func (e *wmEmitter) assign(v any, ts int64) int64 {
	if e.s.assigner != nil {
		ts = e.s.assigner(v, ts)
	}
	if e.isIdle {
		e.setIdle(false)
	}
	e.idleTimer.activity()
	return ts
}

// observe feeds the emitted record to the generator, and with per-record emission emits the watermark that
// follows it. As in Flink's SourceOutputWithWatermarks, the record goes downstream first: a watermark the
// record itself advances must not overtake it (it would fire other keys' timers, or a window the record
// does not belong to, before the record is processed).
func (e *wmEmitter) observe(v any, ts int64) {
	e.gen.OnEvent(v, ts, e)
	if e.s.perRecord {
		e.gen.OnPeriodicEmit(e)
	}
}

// periodic runs the generator's periodic emission and the idleness check.
func (e *wmEmitter) periodic() {
	if e.s.idle > 0 && e.idleTimer.checkIfIdle(e.task.now()) {
		e.setIdle(true) // Flink's WatermarksWithIdleness#onPeriodicEmit: no watermark while idle
		return
	}
	e.gen.OnPeriodicEmit(e)
}

// maybePeriodic runs periodic when the interval has passed; sources call it between records.
func (e *wmEmitter) maybePeriodic() {
	if now := e.task.now(); now >= e.nextEmit {
		e.nextEmit = now + e.interval.Milliseconds()
		e.periodic()
	}
}
