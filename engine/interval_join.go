package engine

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/de4e/weir/engine/internal/state"
)

// ErrNoTimestamp is the error (wrapped, with the input it came from) of an interval join that receives a
// record without an event timestamp, as Flink's IntervalJoinOperator fails on a Long.MIN_VALUE timestamp.
var ErrNoTimestamp = errors.New("engine: interval join needs records with timestamps (a WatermarkStrategy with a timestamp assigner)")

// ProcessJoinFunction handles the pairs of an interval join, Flink's ProcessJoinFunction.
type ProcessJoinFunction struct {
	// Open, if set, runs once per parallel instance before the first record.
	Open func(ctx *Context) error
	// ProcessElement is called for every pair of records with equal keys whose timestamps are within the
	// bounds; what it emits carries ctx.Timestamp(), the larger of the two timestamps.
	ProcessElement func(ctx *JoinContext, left, right any, out Collector)
}

// JoinContext is what a ProcessJoinFunction sees of the pair it handles, Flink's ProcessJoinFunction.Context.
// It is valid only during the call it is passed to.
type JoinContext struct {
	op          *intervalJoinOp
	left, right int64
}

// LeftTimestamp returns the timestamp of the left (first input's) record.
func (c *JoinContext) LeftTimestamp() int64 { return c.left }

// RightTimestamp returns the timestamp of the right (second input's) record.
func (c *JoinContext) RightTimestamp() int64 { return c.right }

// Timestamp returns the timestamp of the result, the larger of the two records' timestamps.
func (c *JoinContext) Timestamp() int64 { return max(c.left, c.right) }

// CurrentKey returns the key the two records share.
func (c *JoinContext) CurrentKey() any { return c.op.key }

// CurrentWatermark returns the operator's current event-time watermark.
func (c *JoinContext) CurrentWatermark() int64 { return c.op.wm }

// Output emits v to the side output tag with the result's timestamp.
func (c *JoinContext) Output(tag *OutputTag, v any) {
	c.op.out.side(tag, record{v: v, ts: c.Timestamp()})
}

// ValueState returns the current key's ValueState described by d.
func (c *JoinContext) ValueState(d StateDescriptor) *ValueState { return c.op.ctx.ValueState(d) }

// ListState returns the current key's ListState described by d.
func (c *JoinContext) ListState(d StateDescriptor) *ListState { return c.op.ctx.ListState(d) }

// MapState returns the current key's MapState described by d.
func (c *JoinContext) MapState(d StateDescriptor) *MapState { return c.op.ctx.MapState(d) }

// IntervalJoin is the start of an interval join of two keyed streams, Flink's KeyedStream.IntervalJoin: a
// record of the first (left) stream with timestamp t joins every record of the second (right) stream with an
// equal key and a timestamp in [t+lower, t+upper], set with Between. Each pair goes to a ProcessJoinFunction
// and what it emits carries the larger of the two timestamps. Interval joins run in event time only. Records
// wait in keyed state until the watermark passes the last time they can still be joined; a record whose
// timestamp is below the watermark is late: dropped (counted, and logged as a job event), or sent to the side
// output set with SideOutputLeftLateData or SideOutputRightLateData.
type IntervalJoin struct {
	left, right    *KeyedStream
	processingTime bool
}

// IntervalJoin starts an interval join of k with other; records meet when k's key of one equals other's key
// of the other.
func (k *KeyedStream) IntervalJoin(other *KeyedStream) *IntervalJoin {
	if other == nil {
		panic("engine: IntervalJoin needs another KeyedStream, got nil")
	}
	return &IntervalJoin{left: k, right: other}
}

// InEventTime makes the join use event time, the default and the only time an interval join supports.
func (j *IntervalJoin) InEventTime() *IntervalJoin { j.processingTime = false; return j }

// InProcessingTime asks for a join in processing time, which Between then refuses, as Flink does.
func (j *IntervalJoin) InProcessingTime() *IntervalJoin { j.processingTime = true; return j }

// Between sets the bounds of the join: a left record at t joins right records from t+lower to t+upper, both
// inclusive unless LowerBoundExclusive or UpperBoundExclusive is called. lower must not exceed upper; both may
// be negative. Bounds are counted in whole milliseconds.
func (j *IntervalJoin) Between(lower, upper time.Duration) *IntervalJoined {
	if j.processingTime {
		panic("engine: IntervalJoin.Between: time-bounded stream joins are only supported in event time (InProcessingTime was set)")
	}
	if lower > upper {
		panic(fmt.Sprintf("engine: IntervalJoin.Between: the lower bound %v must not be greater than the upper bound %v", lower, upper))
	}
	return &IntervalJoined{left: j.left, right: j.right, lower: lower.Milliseconds(), upper: upper.Milliseconds()}
}

// IntervalJoined is an interval join with its bounds, waiting for its ProcessJoinFunction, Flink's
// KeyedStream.IntervalJoined.
type IntervalJoined struct {
	left, right               *KeyedStream
	lower, upper              int64
	lowerExclusive            bool
	upperExclusive            bool
	leftLateTag, rightLateTag *OutputTag
}

// LowerBoundExclusive excludes the lower bound: a left record at t joins right records after t+lower.
func (j *IntervalJoined) LowerBoundExclusive() *IntervalJoined { j.lowerExclusive = true; return j }

// UpperBoundExclusive excludes the upper bound: a left record at t joins right records before t+upper.
func (j *IntervalJoined) UpperBoundExclusive() *IntervalJoined { j.upperExclusive = true; return j }

// SideOutputLeftLateData sends left records that arrive behind the watermark to the side output tag instead
// of dropping them (Flink 1.16's sideOutputLeftLateData).
func (j *IntervalJoined) SideOutputLeftLateData(tag *OutputTag) *IntervalJoined {
	j.leftLateTag = tag
	return j
}

// SideOutputRightLateData sends right records that arrive behind the watermark to the side output tag
// instead of dropping them (Flink 1.16's sideOutputRightLateData).
func (j *IntervalJoined) SideOutputRightLateData(tag *OutputTag) *IntervalJoined {
	j.rightLateTag = tag
	return j
}

// Process runs f on every joined pair; the result stream's records carry the larger of the pair's
// timestamps.
func (j *IntervalJoined) Process(f ProcessJoinFunction) *DataStream {
	if f.ProcessElement == nil {
		panic("engine: IntervalJoin.Process: ProcessJoinFunction needs ProcessElement")
	}
	lower, upper := j.lower, j.upper
	if j.lowerExclusive {
		lower++
	}
	if j.upperExclusive {
		upper--
	}
	leftTag, rightTag := j.leftLateTag, j.rightLateTag
	out := j.left.add("Interval Join", func() operator {
		return &intervalJoinOp{lower: lower, upper: upper, lateTags: [2]*OutputTag{leftTag, rightTag}, fn: f}
	}, true)
	n := out.inputs[0].node
	for _, in := range j.right.inputs {
		n.inputs = append(n.inputs, edgeSpec{from: in.node, side: in.side, part: in.part, key: in.key, input: 1})
	}
	return out
}

// Timer namespaces of the interval join's cleanup timers, one per side (Flink's CLEANUP_NAMESPACE_LEFT
// and CLEANUP_NAMESPACE_RIGHT).
var (
	cleanupLeft  = Window{Start: 0, End: 1}
	cleanupRight = Window{Start: 0, End: 2}
)

// intervalJoinOp is Flink's IntervalJoinOperator. Each side's records wait in a buffer in keyed state, per
// key and timestamp; every record is joined with the other side's buffered records whose timestamps fall
// within the bounds (relative to the record, mirrored for the right side), then buffered itself. An
// event-time timer per key, side and timestamp drops a bucket once no record of the other side can join it
// any more. Records behind the watermark are late: dropped, or sent to the side's late-data output.
type intervalJoinOp struct {
	opBase
	lower, upper int64 // inclusive, exclusivity applied
	lateTags     [2]*OutputTag
	fn           ProcessJoinFunction
	bufs         [2]joinBuffer
	jctx         JoinContext
	col          timestampedCollector
	lateLogged   int // late records logged as job events since the watermark last advanced
}

// joinBuffer is one side's buffered records: Flink's MapState<Long, List<BufferEntry>>, kept as one entry
// per key and timestamp plus a sorted index of each key's timestamps, so that a record finds the buckets
// within its bounds by binary search and a bucket is read, grown or dropped without rewriting the others.
type joinBuffer struct {
	elems state.Table // (key, namespace {ts, ts}) -> []any, the side's records with timestamp ts
	times state.Table // key -> []int64, the timestamps of the key's buckets, ascending
}

func tsNamespace(ts int64) state.Namespace { return state.Namespace{Start: ts, End: ts} }

// timestamps returns the current key's bucket timestamps, ascending. The slice must not be changed.
func (b *joinBuffer) timestamps(o *opBase) []int64 {
	x, ok := b.times.Get(o.kg, o.key, state.Namespace{})
	if !ok {
		return nil
	}
	return x.([]int64)
}

func (b *joinBuffer) bucket(o *opBase, ts int64) []any {
	x, _ := b.elems.Get(o.kg, o.key, tsNamespace(ts))
	l, _ := x.([]any)
	return l
}

// add buffers v at ts for the current key. Stored slices are never changed in place where a snapshot
// may still see them: they only grow at their end, or are replaced.
func (b *joinBuffer) add(o *opBase, ts int64, v any) {
	times := b.timestamps(o)
	switch i, found := slices.BinarySearch(times, ts); {
	case found:
		b.elems.Put(o.kg, o.key, tsNamespace(ts), append(b.bucket(o, ts), v))
		return
	case i == len(times):
		b.times.Put(o.kg, o.key, state.Namespace{}, append(times, ts))
	default:
		b.times.Put(o.kg, o.key, state.Namespace{}, slices.Insert(slices.Clone(times), i, ts))
	}
	b.elems.Put(o.kg, o.key, tsNamespace(ts), []any{v})
}

// remove drops the current key's bucket at ts.
func (b *joinBuffer) remove(o *opBase, ts int64) {
	times := b.timestamps(o)
	i, found := slices.BinarySearch(times, ts)
	if !found {
		return
	}
	b.elems.Delete(o.kg, o.key, tsNamespace(ts))
	switch {
	case len(times) == 1:
		b.times.Delete(o.kg, o.key, state.Namespace{})
	case i == 0:
		b.times.Put(o.kg, o.key, state.Namespace{}, times[1:])
	default:
		b.times.Put(o.kg, o.key, state.Namespace{}, slices.Delete(slices.Clone(times), i, i+1))
	}
}

func (o *intervalJoinOp) open() error {
	o.ctx.self = o
	o.jctx.op = o
	o.bufs[0] = joinBuffer{elems: o.backend.Table("interval-join/left"), times: o.backend.Table("interval-join/left-times")}
	o.bufs[1] = joinBuffer{elems: o.backend.Table("interval-join/right"), times: o.backend.Table("interval-join/right-times")}
	if o.fn.Open != nil {
		return o.fn.Open(&o.ctx)
	}
	return nil
}

func (o *intervalJoinOp) processElement(in int, r record) {
	o.setKey(&r)
	if r.ts == NoTimestamp {
		panic(fmt.Errorf("%w: a record of input %d has none", ErrNoTimestamp, in+1))
	}
	if o.wm != MinWatermark && r.ts < o.wm {
		tag := o.lateTags[in]
		if tag != nil {
			o.metrics.lateSide++
			o.out.side(tag, record{v: r.v, ts: r.ts})
		} else {
			o.metrics.lateDropped++
		}
		if o.lateLogged < eventsPerWatermark { // as the window operator, a sample per watermark
			o.lateLogged++
			o.task.job.events.add(Event{Kind: EventLateRecord, Operator: o.name, Subtask: o.task.index, Key: r.key,
				Timestamp: r.ts, Watermark: o.wm, Detail: fmt.Sprintf("input %d, %s", in+1, lateDetail(tag))})
		}
		return
	}
	// The right side mirrors the left: a right record at t joins left records in [t-upper, t-lower].
	lo, hi := o.lower, o.upper
	ours, other, ns := &o.bufs[0], &o.bufs[1], cleanupLeft
	if in == 1 {
		lo, hi = -o.upper, -o.lower
		ours, other, ns = &o.bufs[1], &o.bufs[0], cleanupRight
	}
	ours.add(&o.opBase, r.ts, r.v)
	times := other.timestamps(&o.opBase)
	from, to := addSat(r.ts, lo), addSat(r.ts, hi)
	for i, _ := slices.BinarySearch(times, from); i < len(times) && times[i] <= to; i++ {
		for _, e := range other.bucket(&o.opBase, times[i]) {
			if in == 0 {
				o.collect(r.v, e, r.ts, times[i])
			} else {
				o.collect(e, r.v, times[i], r.ts)
			}
		}
	}
	cleanup := r.ts
	if hi > 0 {
		cleanup = addSat(r.ts, hi)
	}
	o.eventTimers.add(cleanup, o.key, o.kg, ns)
}

func (o *intervalJoinOp) collect(left, right any, lts, rts int64) {
	o.jctx.left, o.jctx.right = lts, rts
	ts := max(lts, rts)
	o.ctx.ts = ts
	o.col.op, o.col.ts = &o.opBase, ts
	o.fn.ProcessElement(&o.jctx, left, right, &o.col)
}

func (o *intervalJoinOp) processWatermark(wm int64) {
	if wm > o.wm {
		o.lateLogged = 0
	}
	o.advanceWatermark(o, wm)
}

// onTimer drops the bucket a cleanup timer was set for: the left bucket at t-upper (at t when upper <= 0),
// the right bucket at t+lower (at t when lower >= 0), as Flink's IntervalJoinOperator.onEventTime.
func (o *intervalJoinOp) onTimer(t timer, domain TimeDomain) {
	if domain != EventTime {
		return
	}
	switch t.ns {
	case cleanupLeft:
		ts := t.ts
		if o.upper > 0 {
			ts -= o.upper
		}
		o.bufs[0].remove(&o.opBase, ts)
	case cleanupRight:
		ts := t.ts
		if o.lower < 0 {
			ts += o.lower
		}
		o.bufs[1].remove(&o.opBase, ts)
	}
}
