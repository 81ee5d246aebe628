package engine

import (
	"cmp"
	"fmt"
)

// batchKeyedOp runs a keyed operator in Batch mode (Config.RuntimeMode), as Flink's BATCH execution does
// with its sorted inputs (SortingDataInput, MultiInputSortingDataInput) and BatchExecutionKeyedStateBackend:
// the operator's input is held until it has ended, sorted by key and then by timestamp, and handed to the
// operator one key at a time. When a key's records are done, its event-time timers and then its
// processing-time timers fire with the watermark at +inf (BatchExecutionInternalTimeService fires them when
// the current key changes), so windows fire and timers run at the end of each key; while records are processed the operator's watermark is
// MinWatermark, so nothing is late. The final watermark and the end of input reach the operator after the
// last key.
//
// The input is held in the slot's managed memory by a batchSort (batch_sort.go), which spills sorted runs to
// disk when the operator's share is full; the broadcast input of a keyed broadcast operator is held on the
// heap, in arrival order.
type batchKeyedOp struct {
	operator
	held     *batchSort     // the keyed input, made on the first record
	bcast    []batchElement // the broadcast input (input 1 of a keyed broadcast operator)
	finalWM  bool
	seqCount int
}

// batchElement is one held record, with its input (for connected streams) and arrival order.
type batchElement struct {
	in  int
	seq int
	r   record
}

// unwrapBatch returns the operator a batchKeyedOp runs, or op itself.
func unwrapBatch(op operator) operator {
	if b, ok := op.(*batchKeyedOp); ok {
		return b.operator
	}
	return op
}

func (o *batchKeyedOp) processElement(in int, r record) {
	e := batchElement{in: in, seq: o.seqCount, r: r}
	o.seqCount++
	if _, ok := o.operator.(*broadcastOp); ok && in == 1 {
		o.bcast = append(o.bcast, e)
		return
	}
	b := o.base()
	if o.held == nil {
		var err error
		if o.held, err = newBatchSort(b); err != nil {
			o.fail(b, err)
			return
		}
	}
	if err := o.held.add(e); err != nil {
		o.fail(b, fmt.Errorf("engine: %s holding its input: %w", b.name, err))
	}
}

// fail fails the subtask with err.
func (o *batchKeyedOp) fail(b *opBase, err error) {
	if b.task == nil {
		panic(err)
	}
	b.task.fail(err)
}

// processWatermark drops every watermark but the final one, which waits for the end of input: in Batch
// mode event time only decides windows and timers.
func (o *batchKeyedOp) processWatermark(wm int64) {
	if wm == MaxWatermark {
		o.finalWM = true
	}
}

// endInput sorts the held records by key and timestamp (ties in arrival order) and runs the operator key
// by key, then passes on the final watermark and the end of input.
func (o *batchKeyedOp) endInput() {
	b := o.base()
	if b.task != nil && b.task.failed != nil {
		return
	}
	o.broadcastFirst(b)
	if o.held != nil {
		if err := o.runKeys(b); err != nil {
			o.fail(b, fmt.Errorf("engine: %s reading its sorted input: %w", b.name, err))
		}
		if err := o.held.close(); err != nil && (b.task == nil || b.task.failed == nil) {
			o.fail(b, err)
		}
		o.held = nil
		if b.task != nil && b.task.failed != nil {
			return
		}
	}
	if o.finalWM {
		o.operator.processWatermark(MaxWatermark)
	}
	o.operator.endInput()
}

// broadcastFirst hands a keyed broadcast operator its broadcast input (input 1) first, in arrival order:
// Flink's BATCH mode reads the broadcast side before the keyed side (FLINK-20491), so every keyed element
// sees the complete broadcast state.
func (o *batchKeyedOp) broadcastFirst(b *opBase) {
	for _, e := range o.bcast {
		if b.task != nil {
			b.task.curRec = e.r.v
		}
		o.operator.processElement(e.in, e.r)
	}
	o.bcast = nil
}

// runKeys reads the held records in sorted order and processes them key by key: when the key changes (and
// after the last record) the finished key's event-time timers fire, including those the timers themselves
// register, at watermark +inf.
func (o *batchKeyedOp) runKeys(b *opBase) error {
	it, err := o.held.sorted()
	if err != nil {
		return err
	}
	t := b.task
	var cur any
	started := false
	for {
		x, ok, err := it.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		e := x.(batchElement)
		if started && e.r.key != cur {
			o.endKey(b)
		}
		cur, started = e.r.key, true
		if t != nil {
			t.curRec = e.r.v
		}
		o.operator.processElement(e.in, e.r)
		if t != nil && t.failed != nil {
			return nil
		}
	}
	if started {
		o.endKey(b)
	}
	return nil
}

// endKey fires the finished key's timers.
func (o *batchKeyedOp) endKey(b *opBase) {
	if b.task != nil {
		b.task.curRec = nil
	}
	if b.eventTimers != nil {
		o.fireKeyTimers(b)
	}
}

// fireKeyTimers fires the current key's event-time timers, then its processing-time timers, with the
// watermark at +inf, as Flink's BatchExecutionInternalTimeService#setCurrentKey does when the key changes.
// Timers registered by these callbacks are ignored (the timer service is quiesced), so a timer that
// re-registers itself cannot loop; deleting one still works.
func (o *batchKeyedOp) fireKeyTimers(b *opBase) {
	if b.eventTimers.len() == 0 && b.procTimers.len() == 0 {
		return
	}
	b.wm = MaxWatermark
	b.eventTimers.quiesced, b.procTimers.quiesced = true, true
	for _, d := range []TimeDomain{EventTime, ProcessingTime} {
		q := b.eventTimers
		if d == ProcessingTime {
			q = b.procTimers
		}
		for {
			tm, ok := q.pop(MaxWatermark)
			if !ok {
				break
			}
			b.setTimerKey(tm)
			o.operator.onTimer(tm, d)
		}
	}
	b.eventTimers.quiesced, b.procTimers.quiesced = false, false
	if b.procWake != nil { // the clock need not wake the operator for timers that have fired
		b.procWake()
		b.procWake, b.procWakeAt = nil, 0
	}
	b.ns = Window{}
	b.wm = MinWatermark
}

// compareBatchElements orders held records by key (compareValues, then key group and type to separate
// distinct keys that compare equal), then timestamp, then arrival: Flink's KeyAndTimestampComparator.
func compareBatchElements(a, b batchElement) int {
	if c := compareValues(a.r.key, b.r.key); c != 0 {
		return c
	}
	if a.r.key != b.r.key {
		if c := cmp.Compare(a.r.kg, b.r.kg); c != 0 {
			return c
		}
		if c := cmp.Compare(fmt.Sprintf("%T", a.r.key), fmt.Sprintf("%T", b.r.key)); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.r.ts, b.r.ts); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// batchOutput is an operator's output in Batch mode: it passes on only the final watermark.
type batchOutput struct{ output }

func (o batchOutput) watermark(wm int64) {
	if wm == MaxWatermark {
		o.output.watermark(wm)
	}
}

// batchOperator returns the operator of node n to run in Batch mode: a keyed operator wrapped to get its
// input sorted by key (unless it reads its input itself: ownsBatchInput), a rolling aggregation (Reduce, Sum,
// Min, Max, MinBy, MaxBy) run as a hash aggregation that emits final values only.
func batchOperator(op operator, n *node) operator {
	if _, own := op.(ownsBatchInput); !n.keyed || own {
		return op
	}
	if r, ok := op.(*rollingOp); ok { // a combinable reduce: a hash aggregation (batch_hash_aggregate.go)
		r.finalOnly = true
		return &batchHashReduceOp{rollingOp: r}
	}
	return &batchKeyedOp{operator: op}
}
