package engine

import "fmt"

// The batch form of Map, Filter and FlatMap: the user function gets a slice of records per call instead of
// one record, so an interpreted function (a notebook cell's) pays the interpreter's per-call cost once per
// batch. Flink has no exact equivalent (its user functions always take one record); the names say what they
// do.
//
// Batching never changes what a job computes. A batch holds the records that arrived since the last call, at
// most BatchSize of them, and the operator hands it over before anything that must follow those records:
// a watermark, a checkpoint barrier (before any operator of the chain snapshots, as Flink's
// prepareSnapshotPreBarrier), the end of the input, and whenever the subtask flushes its network buffers
// (a source with no data at hand, a move of the virtual clock). So no batch spans a watermark or a barrier,
// and a batch waits no longer than the records in a network buffer would.

// BatchSize is the most records a batch function (MapBatch, FilterBatch, FlatMapBatch) gets per call: 256.
// A batch is handed over when it is full and, earlier, before a watermark, before a checkpoint barrier, at
// the end of the input and whenever the subtask flushes its network buffers (its input has nothing more at
// hand, a source has no data, the virtual clock moves), so no batch spans a watermark or a barrier and a
// batch waits no longer than a network buffer would.
const BatchSize = 256

// MapBatchFunc maps a batch of records: it returns one result per record of in, in the same order (the
// result of in[i] at index i). The slice in is reused after the call returns: keep its records, not the
// slice.
type MapBatchFunc func(in []any) []any

// FilterBatchFunc decides, for a batch of records, which to keep: it returns one bool per record of in
// (true keeps in[i]). The slice in is reused after the call returns.
type FilterBatchFunc func(in []any) []bool

// FlatMapBatchFunc maps a batch of records to zero or more records each, emitted with out.Collect(i, v) as
// results of in[i]. The slice in is reused after the call returns.
type FlatMapBatchFunc func(in []any, out BatchCollector)

// BatchCollector emits the results of a FlatMapBatchFunc.
type BatchCollector interface {
	// Collect emits v as a result of record i of the batch: it carries that record's timestamp.
	Collect(i int, v any)
}

// MapBatch is Map with the batch form of its function: f gets up to BatchSize records per call and returns
// their results in order, each stamped with its record's timestamp. A result slice of another length than
// the batch fails the job with both lengths.
func (s *DataStream) MapBatch(f MapBatchFunc) *DataStream {
	return s.add("MapBatch", func() operator {
		o := &batchOp{}
		o.call = func() {
			res := f(o.vals)
			if len(res) != len(o.vals) {
				panic(fmt.Sprintf("engine: MapBatch: the function returned %d results for a batch of %d records", len(res), len(o.vals)))
			}
			for i, v := range res {
				o.metrics.out++
				o.out.collect(record{v: v, ts: o.recs[i].ts, noTs: o.recs[i].noTs})
			}
		}
		return o
	}, false)
}

// FilterBatch is Filter with the batch form of its function: f gets up to BatchSize records per call and
// returns which to keep. A slice of another length than the batch fails the job with both lengths.
func (s *DataStream) FilterBatch(f FilterBatchFunc) *DataStream {
	return s.add("FilterBatch", func() operator {
		o := &batchOp{}
		o.call = func() {
			keep := f(o.vals)
			if len(keep) != len(o.vals) {
				panic(fmt.Sprintf("engine: FilterBatch: the function returned %d decisions for a batch of %d records", len(keep), len(o.vals)))
			}
			for i, k := range keep {
				if k {
					o.metrics.out++
					o.out.collect(o.recs[i])
				}
			}
		}
		return o
	}, false)
}

// FlatMapBatch is FlatMap with the batch form of its function: f gets up to BatchSize records per call and
// emits any number of results for each through its BatchCollector. An index outside the batch fails the job
// with the index and the batch's length.
func (s *DataStream) FlatMapBatch(f FlatMapBatchFunc) *DataStream {
	return s.add("FlatMapBatch", func() operator {
		o := &batchOp{}
		col := &batchCollector{op: o}
		o.call = func() { f(o.vals, col) }
		return o
	}, false)
}

// batchOp gathers records into a batch and hands it to call, which emits the results: the operator of
// MapBatch, FilterBatch and FlatMapBatch.
type batchOp struct {
	opBase
	recs []record // the batch, for the timestamps of its results
	vals []any    // the batch's values, what the user function sees
	call func()
}

// batchFlusher is an operator that holds records back: the subtask calls flushBatch, in chain order, before
// a checkpoint's snapshots and whenever it flushes its writers.
type batchFlusher interface {
	flushBatch()
}

func (o *batchOp) open() error {
	o.recs = make([]record, 0, BatchSize)
	o.vals = make([]any, 0, BatchSize)
	return nil
}

func (o *batchOp) processElement(_ int, r record) {
	r.key, r.kg = nil, 0 // a non-keyed operator's output carries no key
	o.recs = append(o.recs, r)
	o.vals = append(o.vals, r.v)
	if len(o.recs) >= BatchSize {
		o.flushBatch()
	}
}

// flushBatch hands the batch in hand, if any, to the user function.
func (o *batchOp) flushBatch() {
	if len(o.recs) == 0 {
		return
	}
	o.call()
	clear(o.vals)
	clear(o.recs)
	o.recs, o.vals = o.recs[:0], o.vals[:0]
}

func (o *batchOp) processWatermark(wm int64) {
	o.flushBatch()
	o.advanceWatermark(o, wm)
}

func (o *batchOp) endInput() { o.flushBatch() }

// batchCollector is a FlatMapBatch's BatchCollector.
type batchCollector struct{ op *batchOp }

func (c *batchCollector) Collect(i int, v any) {
	o := c.op
	if i < 0 || i >= len(o.recs) {
		panic(fmt.Sprintf("engine: FlatMapBatch: Collect(%d, ...) outside the batch of %d records", i, len(o.recs)))
	}
	o.metrics.out++
	o.out.collect(record{v: v, ts: o.recs[i].ts, noTs: o.recs[i].noTs})
}

// flushBatches hands every batch operator's records on, in chain order, so that the operators after it
// (chained or over the network) receive them before what the subtask does next.
func (t *subtask) flushBatches() {
	prev := t.cur
	for _, op := range t.ops {
		if b, ok := op.(batchFlusher); ok {
			t.cur = op // names the batch operator if its function panics
			b.flushBatch()
		}
	}
	t.cur = prev
}
