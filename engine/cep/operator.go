package cep

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/internal/emitbridge"
)

// Input is a stream a pattern can be matched on: an *engine.DataStream (one NFA for the whole stream,
// run by one subtask, as Flink runs a non-keyed CEP operator at parallelism 1) or an *engine.KeyedStream
// (one NFA per key).
type Input interface {
	Process(f engine.ProcessFunction) *engine.DataStream
}

// CEPLibrary is the type of CEP, the entry point named as Flink's class CEP.
type CEPLibrary struct{}

// CEP is Flink's CEP entry point: CEP.Pattern(input, pattern) makes a PatternStream.
var CEP CEPLibrary

// Pattern applies pattern p to input and returns the PatternStream on which Process, Select or
// FlatSelect emit its matches. A pattern Flink would refuse panics here, naming the problem (an error
// wrapping ErrMalformedPattern), as the engine's builders refuse bad arguments when the program is built.
// Matching is in event time unless InProcessingTime is called.
func (CEPLibrary) Pattern(input Input, p *Pattern) *PatternStream {
	if input == nil {
		panic("cep: CEP.Pattern: input is nil")
	}
	n, err := compile(p)
	if err != nil {
		panic(fmt.Sprintf("cep: CEP.Pattern: %v", err))
	}
	switch input.(type) {
	case *engine.KeyedStream, *engine.DataStream:
	default:
		panic(fmt.Sprintf("cep: CEP.Pattern: input must be an *engine.DataStream or *engine.KeyedStream, got %T", input))
	}
	return &PatternStream{input: input, nfa: n, stats: newStatsRegistry(n)}
}

// PatternStream is a pattern applied to a stream (Flink: PatternStream).
type PatternStream struct {
	input          Input
	nfa            *compiledNFA
	processingTime bool
	lateTag        *engine.OutputTag
	comparator     EventComparator
	limit          KeyLimit
	stats          *statsRegistry
}

// EventComparator orders events of the same timestamp: negative if a comes first, positive if b does, 0 to
// keep their arrival order (Flink: EventComparator).
type EventComparator func(a, b any) int

// WithComparator feeds events of the same timestamp to the NFA in the order cmp gives (stable: equal events
// keep their arrival order) instead of the order they arrived in (Flink: CEP.pattern(input, pattern,
// comparator)). It applies in event time, where events wait for the watermark anyway; in processing time
// events are matched as they arrive and cmp is not used (Flink instead buffers them for a millisecond).
func (s *PatternStream) WithComparator(cmp EventComparator) *PatternStream {
	if cmp == nil {
		panic("cep: WithComparator: comparator is nil")
	}
	c := *s
	c.comparator = cmp
	return &c
}

// InProcessingTime matches events in the order they arrive, stamped with the processing time (Flink:
// PatternStream.inProcessingTime); Within then counts processing time.
func (s *PatternStream) InProcessingTime() *PatternStream {
	c := *s
	c.processingTime = true
	return &c
}

// InEventTime matches events in timestamp order once the watermark has passed them (the default; Flink:
// PatternStream.inEventTime).
func (s *PatternStream) InEventTime() *PatternStream {
	c := *s
	c.processingTime = false
	return &c
}

// SideOutputLateData sends events that arrive at or behind the watermark to tag instead of dropping them
// (event time only; Flink: PatternStream.sideOutputLateData).
func (s *PatternStream) SideOutputLateData(tag *engine.OutputTag) *PatternStream {
	if tag == nil {
		panic("cep: SideOutputLateData: tag is nil")
	}
	c := *s
	c.lateTag = tag
	return &c
}

// ProcessContext is what a PatternProcessFunction sees (Flink: PatternProcessFunction.Context): the
// time of the match and side outputs.
type ProcessContext struct {
	ctx    *engine.Context
	ts     int64
	stages []string
}

// Timestamp returns the match's time: in event time the timestamp of the event that completed it (or, for
// a NotFollowedBy match released by time, the time the NFA was advanced to: the next event's or the
// watermark; for a timeout, the time its window closed); in processing time the processing time then. What
// the function emits, to its collector or a side output, carries this timestamp, as in Flink.
func (c *ProcessContext) Timestamp() int64 { return c.ts }

// StageNames returns the names of the stages the match in hand (or timed-out partial match) took events
// for, in the pattern's order: the order in which Flink's match map (a LinkedHashMap) lists its keys, which
// the Go map handed to ProcessMatch does not keep. Each call returns a new slice.
func (c *ProcessContext) StageNames() []string { return slices.Clone(c.stages) }

// CurrentProcessingTime returns the job clock's time in milliseconds.
func (c *ProcessContext) CurrentProcessingTime() int64 { return c.ctx.CurrentProcessingTime() }

// CurrentKey returns the key of the match (0 on a non-keyed stream).
func (c *ProcessContext) CurrentKey() any { return c.ctx.CurrentKey() }

// Output sends v to the side output tag.
func (c *ProcessContext) Output(tag *engine.OutputTag, v any) { c.ctx.Output(tag, v) }

// PatternProcessFunction handles the matches of a pattern (Flink: PatternProcessFunction, with
// TimedOutPartialMatchHandler). A match maps each stage's name to the events it took, in order.
type PatternProcessFunction struct {
	// ProcessMatch is called for every match.
	ProcessMatch func(match map[string][]any, ctx *ProcessContext, out engine.Collector)
	// ProcessTimedOutMatch, if set, is called for every partial match whose Within window passed before
	// it completed (typically to send it to a side output with ctx.Output); if nil, such partial matches
	// are dropped silently.
	ProcessTimedOutMatch func(match map[string][]any, ctx *ProcessContext)
}

// PatternSelectFunc turns a match into one result (Flink: PatternSelectFunction).
type PatternSelectFunc func(match map[string][]any) any

// PatternFlatSelectFunc turns a match into any number of results (Flink: PatternFlatSelectFunction).
type PatternFlatSelectFunc func(match map[string][]any, out engine.Collector)

// PatternFlatTimeoutFunc turns a timed-out partial match and the time it timed out into any number of
// results (Flink: PatternFlatTimeoutFunction).
type PatternFlatTimeoutFunc func(match map[string][]any, timeoutTimestamp int64, out engine.Collector)

// PatternTimeoutFunc turns a timed-out partial match and the time it timed out into one result (Flink:
// PatternTimeoutFunction).
type PatternTimeoutFunc func(match map[string][]any, timeoutTimestamp int64) any

// Select emits f's result for every match.
func (s *PatternStream) Select(f PatternSelectFunc) *engine.DataStream {
	if f == nil {
		panic("cep: Select: function is nil")
	}
	return s.Process(PatternProcessFunction{ProcessMatch: func(m map[string][]any, _ *ProcessContext, out engine.Collector) {
		out.Collect(f(m))
	}})
}

// FlatSelect emits what f collects for every match.
func (s *PatternStream) FlatSelect(f PatternFlatSelectFunc) *engine.DataStream {
	if f == nil {
		panic("cep: FlatSelect: function is nil")
	}
	return s.Process(PatternProcessFunction{ProcessMatch: func(m map[string][]any, _ *ProcessContext, out engine.Collector) {
		f(m, out)
	}})
}

// SelectWithTimeout emits f's result for every match and timeout's result for every timed-out partial
// match to the side output tag (Flink: PatternStream.select(outputTag, timeoutFunction, selectFunction)).
func (s *PatternStream) SelectWithTimeout(tag *engine.OutputTag, timeout PatternTimeoutFunc, f PatternSelectFunc) *engine.DataStream {
	if tag == nil || timeout == nil || f == nil {
		panic("cep: SelectWithTimeout: tag, timeout function and select function must not be nil")
	}
	return s.Process(PatternProcessFunction{
		ProcessMatch: func(m map[string][]any, _ *ProcessContext, out engine.Collector) { out.Collect(f(m)) },
		ProcessTimedOutMatch: func(m map[string][]any, ctx *ProcessContext) {
			ctx.Output(tag, timeout(m, ctx.Timestamp()))
		},
	})
}

// FlatSelectWithTimeout emits what f collects for every match and sends what timeout collects for every
// timed-out partial match to the side output tag (Flink: PatternStream.flatSelect(outputTag,
// timeoutFunction, selectFunction)).
func (s *PatternStream) FlatSelectWithTimeout(tag *engine.OutputTag, timeout PatternFlatTimeoutFunc, f PatternFlatSelectFunc) *engine.DataStream {
	if tag == nil || timeout == nil || f == nil {
		panic("cep: FlatSelectWithTimeout: tag, timeout function and select function must not be nil")
	}
	return s.Process(PatternProcessFunction{
		ProcessMatch: func(m map[string][]any, _ *ProcessContext, out engine.Collector) { f(m, out) },
		ProcessTimedOutMatch: func(m map[string][]any, ctx *ProcessContext) {
			timeout(m, ctx.Timestamp(), sideCollector{ctx: ctx, tag: tag})
		},
	})
}

// sideCollector collects into a side output.
type sideCollector struct {
	ctx *ProcessContext
	tag *engine.OutputTag
}

func (c sideCollector) Collect(v any) { c.ctx.Output(c.tag, v) }

// Process runs the pattern and hands every match to f (Flink: PatternStream.process).
func (s *PatternStream) Process(f PatternProcessFunction) *engine.DataStream {
	if f.ProcessMatch == nil {
		panic("cep: Process: PatternProcessFunction.ProcessMatch is nil")
	}
	op := &cepOperator{nfa: s.nfa, fn: f, processingTime: s.processingTime, lateTag: s.lateTag, comparator: s.comparator,
		limit: s.limit.bounds(), stats: s.stats}
	pf := engine.ProcessFunction{ProcessElement: op.processElement, OnTimer: op.onTimer}
	var out *engine.DataStream
	switch in := s.input.(type) {
	case *engine.KeyedStream:
		out = in.Process(pf)
	case *engine.DataStream:
		out = in.KeyBy(func(any) any { return 0 }).Process(pf)
	default:
		panic("unreachable")
	}
	stats := s.stats
	return out.Gauge(StatsGauge, func() any { return stats.snapshot(LiveKeys) })
}

// The CEP operator's keyed state: the NFA state with the shared buffer (Flink: CepOperator's
// computationStates and the SharedBuffer's entries, events and eventsCount states), and the events waiting
// for the watermark (elementQueueState).
var (
	nfaStateDesc = engine.State("cep-nfa")
	queueDesc    = engine.State("cep-element-queue")
)

// keyState is one key's NFA state and shared buffer, stored as one value so that a disk backend reads and
// writes it once per batch of events. Its maps are never changed in place once stored: a batch works on
// copies, so that a snapshot being written keeps what it saw.
type keyState struct {
	NFA    nfaState
	Events map[eventID]bufferedEvent
	Nodes  map[nodeID]bufferNode
	Counts map[int64]int32
}

func init() { engine.RegisterType(keyState{}) }

// cepOperator is Flink's CepOperator as a keyed process function: event-time input waits, sorted by
// timestamp, in keyed state until the watermark passes it; the NFA's state and shared buffer live in
// keyed state, so they are checkpointed, restored and rescaled with the job.
type cepOperator struct {
	nfa            *compiledNFA
	fn             PatternProcessFunction
	processingTime bool
	lateTag        *engine.OutputTag
	comparator     EventComparator
	limit          keyBounds
	stats          *statsRegistry
}

// runPool recycles the nfaRun of a batch and, when the key's state did not keep them (its NFA went back to
// the start state), its shared buffer's maps, emptied: a key without partial matches then costs no
// allocation for them, and a key with some has its state copied into maps that have the room.
var runPool = sync.Pool{New: func() any { return new(nfaRun) }}

// copyInto empties dst, or makes it if nil, and copies src into it.
func copyInto[K comparable, V any](dst, src map[K]V) map[K]V {
	if dst == nil {
		dst = make(map[K]V, len(src))
	} else {
		clear(dst)
	}
	maps.Copy(dst, src)
	return dst
}

// load reads the key's NFA state into a run from runPool; the batch's maps are copies, never the stored
// ones, so that a snapshot being written keeps what it saw. store ends the run.
func (o *cepOperator) load(ctx *engine.Context) (*nfaRun, nfaState) {
	r := runPool.Get().(*nfaRun)
	r.nfa, r.handleTimeout, r.now, r.limit = o.nfa, o.fn.ProcessTimedOutMatch != nil, ctx.CurrentProcessingTime, o.limit
	r.buf = &r.mem
	var ks keyState
	v, ok := ctx.ValueState(nfaStateDesc).Get()
	if ok {
		ks = v.(keyState)
	}
	r.mem.events, r.mem.nodes, r.mem.counts = copyInto(r.mem.events, ks.Events), copyInto(r.mem.nodes, ks.Nodes), copyInto(r.mem.counts, ks.Counts)
	if ok {
		return r, ks.NFA
	}
	return r, r.initialState()
}

// store writes the NFA state back, dropping it when only the start state is left, and registers a timer
// for the earliest time a partial match can time out.
func (o *cepOperator) store(ctx *engine.Context, r *nfaRun, st nfaState) {
	defer o.release(r)
	o.stats.record(ctx.CurrentKey(), r, &st)
	vs := ctx.ValueState(nfaStateDesc)
	if len(st.Completed) == 0 && len(st.Partial) == 1 && !st.Partial[0].HasPrev && len(r.buf.nodes) == 0 {
		vs.Clear()
	} else {
		if len(st.Partial) > 0 && &st.Partial[0] == &r.initial[0] {
			st.Partial = slices.Clone(st.Partial) // r goes back to the pool
		}
		vs.Update(keyState{NFA: st, Events: r.buf.events, Nodes: r.buf.nodes, Counts: r.buf.counts})
		r.mem = sharedBuffer{} // the state keeps the maps
	}
	next := int64(math.MaxInt64)
	for i := range st.Partial {
		c := &st.Partial[i]
		s := r.state(c)
		if s.start {
			continue
		}
		if w := r.nfa.window; w > 0 && c.StartTS < math.MaxInt64-w {
			next = min(next, c.StartTS+w)
		}
		if s.window > 0 && c.PrevTS < math.MaxInt64-s.window {
			next = min(next, c.PrevTS+s.window)
		}
	}
	if next == math.MaxInt64 {
		return
	}
	if o.processingTime {
		if next > ctx.CurrentProcessingTime() {
			ctx.RegisterProcessingTimeTimer(next)
		}
	} else if next > ctx.CurrentWatermark() {
		ctx.RegisterEventTimeTimer(next)
	}
}

// release puts r back in runPool, keeping only its maps, emptied, and its scratch slices.
func (o *cepOperator) release(r *nfaRun) {
	mem := r.mem
	clear(mem.events)
	clear(mem.nodes)
	clear(mem.counts)
	*r = nfaRun{mem: mem, edges: r.edges[:0], next: r.next[:0]}
	runPool.Put(r)
}

// fail fails the task with err (a panic the engine turns into the task's error, keeping err's chain).
func (o *cepOperator) fail(err error) {
	panic(fmt.Errorf("cep: %w", err))
}

// advance moves the NFA's time to ts, emitting what that releases: pending matches stamped with ts, timed-out
// partial matches with the time their window closed (Flink: CepOperator#advanceTime).
func (o *cepOperator) advance(ctx *engine.Context, r *nfaRun, st *nfaState, ts int64, out engine.Collector) {
	ms, tos, err := r.advanceTime(st, ts)
	if err != nil {
		o.fail(err)
	}
	o.emit(ctx, out, ms, ts)
	for _, t := range tos {
		emitbridge.SetTimestamp(ctx, out, t.ts)
		o.fn.ProcessTimedOutMatch(t.match.events, &ProcessContext{ctx: ctx, ts: t.ts, stages: t.match.stages})
	}
	o.stats.count(ctx.CurrentKey(), len(ms), len(tos))
}

// processEvent feeds the event v with timestamp ts to the NFA and emits the matches it completes, stamped
// with ts (Flink: CepOperator#processEvent).
func (o *cepOperator) processEvent(ctx *engine.Context, r *nfaRun, st *nfaState, v any, ts int64, out engine.Collector) {
	ms, err := r.process(st, v, ts)
	if err != nil {
		o.fail(fmt.Errorf("key %v: %w", ctx.CurrentKey(), err))
	}
	if r.dropped > 0 {
		o.stats.drop(ctx.CurrentKey(), r.dropped)
		r.dropped = 0
	}
	o.emit(ctx, out, ms, ts)
	o.stats.count(ctx.CurrentKey(), len(ms), 0)
}

// emit hands matches to the function with timestamp ts: ProcessContext.Timestamp reports it and what the
// function emits carries it, whatever timer or record is being handled (Flink:
// CepOperator#processMatchedSequences, which sets the collector's and the context's timestamp).
func (o *cepOperator) emit(ctx *engine.Context, out engine.Collector, ms []match, ts int64) {
	if len(ms) == 0 {
		return
	}
	emitbridge.SetTimestamp(ctx, out, ts)
	pc := &ProcessContext{ctx: ctx, ts: ts}
	for _, m := range ms {
		pc.stages = m.stages
		o.fn.ProcessMatch(m.events, pc, out)
	}
}

func (o *cepOperator) processElement(ctx *engine.Context, v any, out engine.Collector) {
	if o.processingTime {
		// in processing time events come in order: no buffering
		now := ctx.CurrentProcessingTime()
		r, st := o.load(ctx)
		o.advance(ctx, r, &st, now, out)
		o.processEvent(ctx, r, &st, v, now, out)
		o.store(ctx, r, st)
		return
	}
	if !ctx.HasTimestamp() {
		panic("cep: an event-time pattern got a record without timestamp; assign timestamps or call InProcessingTime")
	}
	ts := ctx.Timestamp()
	if ts <= ctx.CurrentWatermark() {
		// late: the NFA has moved past it
		o.stats.lateEvent()
		if o.lateTag != nil {
			ctx.Output(o.lateTag, v)
		}
		return
	}
	q := ctx.MapState(queueDesc)
	key := any(ts) // boxed once for Get and Put
	var evs []any
	if x, ok := q.Get(key); ok {
		evs = x.([]any)
	} else {
		ctx.RegisterEventTimeTimer(ts)
	}
	q.Put(key, append(evs[:len(evs):len(evs)], v))
}

func (o *cepOperator) onTimer(ctx *engine.Context, t int64, out engine.Collector) {
	r, st := o.load(ctx)
	if ctx.TimeDomain() == engine.ProcessingTime {
		o.advance(ctx, r, &st, ctx.CurrentProcessingTime(), out)
		o.store(ctx, r, st)
		return
	}
	wm := ctx.CurrentWatermark()
	q := ctx.MapState(queueDesc)
	type queued struct {
		ts  int64
		evs []any
	}
	var dueBuf [4]queued
	due := dueBuf[:0]
	waiting := 0
	q.Range(func(k, v any) bool {
		waiting++
		if ts := k.(int64); ts <= wm {
			due = append(due, queued{ts, v.([]any)})
		}
		return true
	})
	slices.SortFunc(due, func(a, b queued) int { return cmp.Compare(a.ts, b.ts) })
	for _, d := range due {
		o.advance(ctx, r, &st, d.ts, out)
		evs := d.evs
		if o.comparator != nil && len(evs) > 1 {
			evs = slices.Clone(evs) // the stored slice may be the one a snapshot is writing
			slices.SortStableFunc(evs, o.comparator)
		}
		for _, v := range evs {
			o.processEvent(ctx, r, &st, v, d.ts, out)
		}
		if d.ts != t {
			ctx.DeleteEventTimeTimer(d.ts) // its events are done: one call per key and watermark, not per timestamp
		}
	}
	if len(due) == waiting {
		q.Clear()
	} else {
		for _, d := range due {
			q.Remove(d.ts)
		}
	}
	o.advance(ctx, r, &st, wm, out)
	o.store(ctx, r, st)
}
