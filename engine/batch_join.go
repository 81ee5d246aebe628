package engine

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/de4e/weir/engine/internal/batchmem"
	"github.com/de4e/weir/engine/internal/memory"
)

// The bounded joins in Batch mode (Config.RuntimeMode), run as Flink's batch join drivers do, on managed
// memory (batch_memory.go) instead of keyed state:
//
//   - JoinHintRepartitionSortMerge (and JoinHintOptimizerChooses): each input goes through a spilling
//     external sorter (memory.Sorter) by key, and the two sorted streams are merged, Flink's
//     AbstractMergeOuterJoinIterator / SortMergeInnerJoinIterator: pairs in ascending key order. The records of
//     one key of the second input are held in memory while the first input's records of that key pass.
//   - JoinHintRepartitionHashFirst / Second: a hybrid hash join (memory.HashJoin) whose build side is the
//     input the hint names, Flink's MutableHashTable: build records go into managed pages as they arrive,
//     partitions spilling when the pages run out; spilled partitions are joined recursively at the end.
//   - JoinHintBroadcastHashFirst / Second: every subtask builds the whole broadcast input into the same hash
//     join and probes it with its share of the other input.
//
// Both inputs of a Weir operator arrive interleaved (there is no input selection that reads the build side
// first, as Flink's drivers do), so the probe input is held, in arrival order, in a spilling buffer of managed
// pages (a memory.Sorter whose records all compare equal) until the build side has ended. The boundedJoinOp
// of a repartitioned join reads its input itself instead of through batchKeyedOp (ownsBatchInput).

// ownsBatchInput marks an operator that reads its keyed input itself in Batch mode: batchOperator does not
// wrap it in a batchKeyedOp.
type ownsBatchInput interface{ ownsBatchInput() }

func (o *boundedJoinOp) ownsBatchInput() {}

// batchJoinStrategy is one way to run a boundedJoinOp in Batch mode: add takes each record of either input
// (second says which), run joins them when both inputs have ended, close releases pages and spill files.
type batchJoinStrategy interface {
	add(second bool, v any) error
	run(emit func(l, r any)) error
	close() error
	// reportSpills makes the strategy add its spills to a slot's figures through f.
	reportSpills(f func(int64))
}

// openBatchJoin sets up the operator's strategy for Batch mode.
func (o *boundedJoinOp) openBatchJoin() error {
	m, dir, err := batchResources(&o.opBase)
	if err != nil {
		return err
	}
	o.onSubtaskEnd(func() { // a failed subtask may not have closed it
		if o.batch != nil {
			o.batch.close()
			o.batch = nil
		}
	})
	switch o.hint {
	case JoinHintRepartitionHashFirst:
		o.batch, err = newHybridHashJoin(m, dir, o.key1, o.key2, o.leftOuter(), o.rightOuter(), false)
	case JoinHintRepartitionHashSecond:
		o.batch, err = newHybridHashJoin(m, dir, o.key2, o.key1, o.rightOuter(), o.leftOuter(), true)
	default:
		o.batch, err = newSortMergeJoin(m, dir, o.key1, o.key2, o.leftOuter(), o.rightOuter())
	}
	if err == nil {
		o.batch.reportSpills(slotSpillReport(&o.opBase))
	}
	return err
}

// addBatch passes a record to the Batch strategy; a failure (a record the codec cannot encode, a full disk)
// fails the subtask.
func (o *boundedJoinOp) addBatch(r record) {
	t := r.v.(taggedUnion)
	if err := o.batch.add(t.Second, t.V); err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
}

// endBatch joins what the Batch strategy holds.
func (o *boundedJoinOp) endBatch() {
	err := o.batch.run(func(l, r any) { o.f(l, r, &o.col) })
	if err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
}

func (o *boundedJoinOp) close() error {
	if o.batch == nil {
		return nil
	}
	err := o.batch.close()
	o.batch = nil
	return err
}

// compareKeys orders join and group keys: by compareValues, then, for distinct keys that compare equal (an
// int and an int64 of one value), by type name, so that equal keys, and only they, are adjacent.
func compareKeys(a, b any) int {
	if c := compareValues(a, b); c != 0 || a == b {
		return c
	}
	return cmp.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b))
}

// sortMergeJoin sorts each input by its key through a spilling sorter and merges the two sorted streams.
// Records go into the sorters as joinFrames, ordered by their key's encoding (compareKeyBytes), and are
// decoded only when they are emitted.
type sortMergeJoin struct {
	sorters               [2]*memory.Sorter
	keys                  [2]KeySelector
	leftOuter, rightOuter bool
	codec                 *batchCodec
	buf                   []byte
	spills                [2]spillCounter // one a sorter
}

func newSortMergeJoin(m batchOperatorMemory, dir string, key1, key2 KeySelector, leftOuter, rightOuter bool) (*sortMergeJoin, error) {
	j := &sortMergeJoin{keys: [2]KeySelector{key1, key2}, leftOuter: leftOuter, rightOuter: rightOuter, codec: newBatchCodec()}
	pages := m.pages / 2
	for i := range j.sorters {
		s, err := memory.NewSorter(memory.SorterConfig{Manager: m.manager, Owner: m.owner(fmt.Sprintf("sort input %d", i+1)),
			Pages: pages, TempDir: dir, CompareRecords: compareJoinFrames, Encode: appendFrameBytes, Decode: copyFrameBytes})
		if err != nil {
			j.close()
			return nil, fmt.Errorf("sort-merge join: %w", err)
		}
		j.sorters[i] = s
	}
	return j, nil
}

// compareJoinFrames orders two joinFrames by key, on their bytes in the sorter's pages: a comparison decodes
// nothing (and so allocates nothing) when both keys are of one ordered scalar type.
func compareJoinFrames(a, b []byte) int {
	ka, _ := joinFrame(a).split()
	kb, _ := joinFrame(b).split()
	return compareKeyBytes(ka, kb)
}

// appendFrameBytes and copyFrameBytes are a sorter's Encode and Decode for joinFrames: a frame goes into the
// pages as it is, and comes back as a copy (the pages are reused once the iterator moves on).
func appendFrameBytes(dst []byte, v any) ([]byte, error) { return append(dst, v.([]byte)...), nil }

func copyFrameBytes(rec []byte) (any, error) { return append([]byte(nil), rec...), nil }

func (j *sortMergeJoin) add(second bool, v any) error {
	side := 0
	if second {
		side = 1
	}
	var err error
	if j.buf, err = j.codec.appendJoinFrame(j.buf[:0], j.keys[side](v), v); err != nil {
		return err
	}
	return j.sorters[side].Add(j.buf)
}

// sortedInput is one sorted input of the merge with its next record read ahead: its key's encoding and its
// record frame.
type sortedInput struct {
	it     *memory.Iterator
	k, rec []byte
	ok     bool
}

func (in *sortedInput) advance() error {
	v, ok, err := in.it.Next()
	if err != nil {
		return err
	}
	in.ok = ok
	if ok {
		in.k, in.rec = joinFrame(v.([]byte)).split()
	}
	return nil
}

// run merges the sorted inputs as Flink's SortMergeFullOuterJoinIterator does: for each key present on
// either side, every record of the first input with every record of the second, or the records of the side
// present paired with nil where the join is outer on that side.
func (j *sortMergeJoin) run(emit func(l, r any)) error {
	var in [2]*sortedInput
	for i, s := range j.sorters {
		it, err := s.Sort()
		if err != nil {
			return err
		}
		j.spills[i].note(s.Stats().Spills)
		in[i] = &sortedInput{it: it}
		if err := in[i].advance(); err != nil {
			return err
		}
	}
	left, right := in[0], in[1]
	var group []any // the second input's records of the current key, decoded
	for left.ok || right.ok {
		var c int
		switch {
		case !left.ok:
			c = 1
		case !right.ok:
			c = -1
		default:
			c = compareKeyBytes(left.k, right.k)
		}
		switch {
		case c < 0:
			if j.leftOuter {
				l, err := j.codec.decodeRecord(left.rec)
				if err != nil {
					return err
				}
				emit(l, nil)
			}
			if err := left.advance(); err != nil {
				return err
			}
		case c > 0:
			if j.rightOuter {
				r, err := j.codec.decodeRecord(right.rec)
				if err != nil {
					return err
				}
				emit(nil, r)
			}
			if err := right.advance(); err != nil {
				return err
			}
		default:
			k := right.k
			group = group[:0]
			for right.ok && compareKeyBytes(right.k, k) == 0 {
				r, err := j.codec.decodeRecord(right.rec)
				if err != nil {
					return err
				}
				group = append(group, r)
				if err := right.advance(); err != nil {
					return err
				}
			}
			for left.ok && compareKeyBytes(left.k, k) == 0 {
				l, err := j.codec.decodeRecord(left.rec)
				if err != nil {
					return err
				}
				for _, r := range group {
					emit(l, r)
				}
				if err := left.advance(); err != nil {
					return err
				}
			}
			clear(group)
		}
	}
	return nil
}

func (j *sortMergeJoin) close() error {
	var errs []error
	for i, s := range j.sorters {
		if s == nil {
			continue
		}
		j.spills[i].note(s.Stats().Spills)
		errs = append(errs, s.Close())
		j.sorters[i] = nil
	}
	return errors.Join(errs...)
}

// hybridHashJoin builds one input into a memory.HashJoin and holds the other, in arrival order, in a
// spilling buffer until run probes the join with it. Records go in as joinFrames, matched on their key's
// encoding.
type hybridHashJoin struct {
	join               *memory.HashJoin
	probe              *memory.Sorter
	buildKey, probeKey KeySelector
	buildSecond        bool // the build side is the second input: emit swaps the pair back
	codec              *batchCodec
	buf                []byte
	spills             spillCounter
}

// probeBufferShare is the share of the pages the probe input's buffer gets; the hash join gets the rest.
const probeBufferShare = 4

// newHybridHashJoin makes a hash join that builds with buildKey's input and probes with probeKey's;
// buildOuter and probeOuter make it outer on either side; buildSecond says the build side is the second
// input of the join.
func newHybridHashJoin(m batchOperatorMemory, dir string, buildKey, probeKey KeySelector, buildOuter, probeOuter, buildSecond bool) (*hybridHashJoin, error) {
	free := m.pages
	bufPages := max(memory.MinSorterPages, free/probeBufferShare)
	j := &hybridHashJoin{buildKey: buildKey, probeKey: probeKey, buildSecond: buildSecond, codec: newBatchCodec()}
	frameKey := func(v any) any { k, _ := joinFrame(v.([]byte)).split(); return k }
	var err error
	j.join, err = memory.NewHashJoin(memory.HashJoinConfig{Manager: m.manager, Owner: m.owner("hash table"), Pages: free - bufPages,
		TempDir: dir, BuildKey: frameKey, ProbeKey: frameKey, BuildOuter: buildOuter, ProbeOuter: probeOuter})
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	j.probe, err = memory.NewSorter(memory.SorterConfig{Manager: m.manager, Owner: m.owner("probe buffer"), Pages: bufPages,
		TempDir: dir, CompareRecords: func([]byte, []byte) int { return 0 }, Encode: appendFrameBytes, Decode: copyFrameBytes})
	if err != nil {
		j.close()
		return nil, fmt.Errorf("hash join: %w", err)
	}
	return j, nil
}

// add builds a record of the build side and holds one of the probe side. second says the record is of
// the join's second input.
func (j *hybridHashJoin) add(second bool, v any) error {
	build := second == j.buildSecond
	key := j.probeKey
	if build {
		key = j.buildKey
	}
	var err error
	if j.buf, err = j.codec.appendJoinFrame(j.buf[:0], key(v), v); err != nil {
		return err
	}
	if build {
		return j.join.Build(j.buf)
	}
	return j.probe.Add(j.buf)
}

// decodeFrame decodes the record of a joinFrame the hash join hands back, or returns nil for nil (the
// missing side of an outer join).
func (j *hybridHashJoin) decodeFrame(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	_, rec := joinFrame(v.([]byte)).split()
	return j.codec.decodeRecord(rec)
}

// run probes the join with the held probe records in arrival order, then joins the spilled partitions and
// emits the build side's unmatched records (Finish).
func (j *hybridHashJoin) run(emit func(l, r any)) error {
	pair := func(bf, pf any) error {
		b, err := j.decodeFrame(bf)
		if err != nil {
			return err
		}
		p, err := j.decodeFrame(pf)
		if err != nil {
			return err
		}
		if j.buildSecond {
			emit(p, b)
		} else {
			emit(b, p)
		}
		return nil
	}
	it, err := j.probe.Sort()
	if err != nil {
		return err
	}
	j.spills.note(j.probe.Stats().Spills + j.join.Stats().SpilledPartitions)
	for {
		v, ok, err := it.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := j.join.Probe(v, pair); err != nil {
			return err
		}
	}
	return j.join.Finish(pair)
}

func (j *hybridHashJoin) close() error {
	var errs []error
	if j.probe != nil && j.join != nil {
		j.spills.note(j.probe.Stats().Spills + j.join.Stats().SpilledPartitions)
	}
	if j.probe != nil {
		errs = append(errs, j.probe.Close())
		j.probe = nil
	}
	if j.join != nil {
		errs = append(errs, j.join.Close())
		j.join = nil
	}
	return errors.Join(errs...)
}

// spillCounter adds a strategy's spills to batchmem's count and to its slot's figures (JobSnapshot.Memory)
// as it learns them: at the start of its output (a join that fails later is counted too) and when it closes.
type spillCounter struct {
	counted int64
	report  func(n int64) // adds n spills to the slot's figures; nil outside a job
}

// note adds what the total n (of one sorter or hash join) has that was not counted yet.
func (c *spillCounter) note(n int64) {
	if n > c.counted {
		batchmem.AddSpills(n - c.counted)
		if c.report != nil {
			c.report(n - c.counted)
		}
		c.counted = n
	}
}

// slotSpillReport returns the function that adds an operator's spills to its slot's figures.
func slotSpillReport(b *opBase) func(int64) {
	if b.task == nil || b.task.job == nil {
		return nil
	}
	job, slot := b.task.job, b.task.slot
	return func(n int64) { job.mem.addSpills(slot, n, 0) }
}

func (j *sortMergeJoin) reportSpills(f func(int64)) {
	j.spills[0].report, j.spills[1].report = f, f
}

func (j *hybridHashJoin) reportSpills(f func(int64)) { j.spills.report = f }

// broadcastHashJoinOp is the broadcast hash join: in Streaming mode the broadcast set operator with a Go map
// of the broadcast side (see BoundedJoin.broadcastHash), in Batch mode a hybridHashJoin that builds the
// broadcast input (input 1) and probes with the main input (input 0).
type broadcastHashJoinOp struct {
	broadcastSetOp
	buildKey, probeKey KeySelector
	buildFirst         bool // the broadcast side is the join's first input
	probeOuter         bool
	join               FlatJoinFunc
	batch              *hybridHashJoin
}

func (o *broadcastHashJoinOp) open() error {
	if !batchMode(&o.opBase) {
		return o.broadcastSetOp.open()
	}
	m, dir, err := batchResources(&o.opBase)
	if err != nil {
		return err
	}
	o.onSubtaskEnd(func() { // a failed subtask may not have closed it
		if o.batch != nil {
			o.batch.close()
			o.batch = nil
		}
	})
	o.batch, err = newHybridHashJoin(m, dir, o.buildKey, o.probeKey, false, o.probeOuter, !o.buildFirst)
	if err == nil {
		o.batch.reportSpills(slotSpillReport(&o.opBase))
	}
	return err
}

func (o *broadcastHashJoinOp) processElement(in int, r record) {
	if o.batch == nil {
		o.broadcastSetOp.processElement(in, r)
		return
	}
	// Input 1 is the build side; add takes "second input" in the join's terms.
	second := (in == 1) != o.buildFirst
	if err := o.batch.add(second, r.v); err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
}

func (o *broadcastHashJoinOp) endInput() {
	if o.batch == nil {
		o.broadcastSetOp.endInput()
		return
	}
	o.col = timestampedCollector{op: &o.opBase, ts: NoTimestamp, noTs: true}
	if err := o.batch.run(func(l, r any) { o.join(l, r, &o.col) }); err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
}

func (o *broadcastHashJoinOp) close() error {
	if o.batch == nil {
		return o.broadcastSetOp.close()
	}
	err := o.batch.close()
	o.batch = nil
	return err
}
