package engine

import (
	"cmp"
	"errors"
	"fmt"

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
}

// openBatchJoin sets up the operator's strategy for Batch mode.
func (o *boundedJoinOp) openBatchJoin() error {
	m, err := batchMemory(&o.opBase)
	if err != nil {
		return err
	}
	dir, err := batchSpillDir(&o.opBase)
	if err != nil {
		return err
	}
	switch o.hint {
	case JoinHintRepartitionHashFirst:
		o.batch, err = newHybridHashJoin(m, o.name, dir, o.key1, o.key2, o.leftOuter(), o.rightOuter(), false)
	case JoinHintRepartitionHashSecond:
		o.batch, err = newHybridHashJoin(m, o.name, dir, o.key2, o.key1, o.rightOuter(), o.leftOuter(), true)
	default:
		o.batch, err = newSortMergeJoin(m, o.name, dir, o.key1, o.key2, o.leftOuter(), o.rightOuter())
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
type sortMergeJoin struct {
	sorters               [2]*memory.Sorter
	keys                  [2]KeySelector
	leftOuter, rightOuter bool
}

func newSortMergeJoin(m *memory.Manager, name, dir string, key1, key2 KeySelector, leftOuter, rightOuter bool) (*sortMergeJoin, error) {
	j := &sortMergeJoin{keys: [2]KeySelector{key1, key2}, leftOuter: leftOuter, rightOuter: rightOuter}
	pages := freePages(m) / 2
	for i, key := range j.keys {
		s, err := memory.NewSorter(memory.SorterConfig{Manager: m, Owner: fmt.Sprintf("%s: sort input %d", name, i+1),
			Pages: pages, TempDir: dir, Compare: func(a, b any) int { return compareKeys(key(a), key(b)) }})
		if err != nil {
			j.close()
			return nil, fmt.Errorf("sort-merge join: %w", err)
		}
		j.sorters[i] = s
	}
	return j, nil
}

func (j *sortMergeJoin) add(second bool, v any) error {
	if second {
		return j.sorters[1].Add(v)
	}
	return j.sorters[0].Add(v)
}

// sortedInput is one sorted input of the merge with its next record read ahead.
type sortedInput struct {
	it  *memory.Iterator
	key KeySelector
	v   any
	k   any
	ok  bool
}

func (in *sortedInput) advance() error {
	v, ok, err := in.it.Next()
	if err != nil {
		return err
	}
	in.v, in.ok = v, ok
	if ok {
		in.k = in.key(v)
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
		in[i] = &sortedInput{it: it, key: j.keys[i]}
		if err := in[i].advance(); err != nil {
			return err
		}
	}
	left, right := in[0], in[1]
	var group []any // the second input's records of the current key
	for left.ok || right.ok {
		var c int
		switch {
		case !left.ok:
			c = 1
		case !right.ok:
			c = -1
		default:
			c = compareKeys(left.k, right.k)
		}
		switch {
		case c < 0:
			if j.leftOuter {
				emit(left.v, nil)
			}
			if err := left.advance(); err != nil {
				return err
			}
		case c > 0:
			if j.rightOuter {
				emit(nil, right.v)
			}
			if err := right.advance(); err != nil {
				return err
			}
		default:
			k := right.k
			group = group[:0]
			for right.ok && compareKeys(right.k, k) == 0 {
				group = append(group, right.v)
				if err := right.advance(); err != nil {
					return err
				}
			}
			for left.ok && compareKeys(left.k, k) == 0 {
				for _, r := range group {
					emit(left.v, r)
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
		batchSpills.Add(s.Stats().Spills)
		errs = append(errs, s.Close())
		j.sorters[i] = nil
	}
	return errors.Join(errs...)
}

// hybridHashJoin builds one input into a memory.HashJoin and holds the other, in arrival order, in a
// spilling buffer until run probes the join with it.
type hybridHashJoin struct {
	join        *memory.HashJoin
	probe       *memory.Sorter
	buildSecond bool // the build side is the second input: emit swaps the pair back
}

// probeBufferShare is the share of the pages the probe input's buffer gets; the hash join gets the rest.
const probeBufferShare = 4

// newHybridHashJoin makes a hash join that builds with buildKey's input and probes with probeKey's;
// buildOuter and probeOuter make it outer on either side; buildSecond says the build side is the second
// input of the join.
func newHybridHashJoin(m *memory.Manager, name, dir string, buildKey, probeKey KeySelector, buildOuter, probeOuter, buildSecond bool) (*hybridHashJoin, error) {
	free := freePages(m)
	bufPages := max(memory.MinSorterPages, free/probeBufferShare)
	j := &hybridHashJoin{buildSecond: buildSecond}
	var err error
	j.join, err = memory.NewHashJoin(memory.HashJoinConfig{Manager: m, Owner: name + ": hash table", Pages: free - bufPages,
		TempDir: dir, BuildKey: buildKey, ProbeKey: probeKey, BuildOuter: buildOuter, ProbeOuter: probeOuter})
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	j.probe, err = memory.NewSorter(memory.SorterConfig{Manager: m, Owner: name + ": probe buffer", Pages: bufPages,
		TempDir: dir, Compare: func(any, any) int { return 0 }})
	if err != nil {
		j.close()
		return nil, fmt.Errorf("hash join: %w", err)
	}
	return j, nil
}

// add builds a record of the build side and holds one of the probe side. second says the record is of
// the join's second input.
func (j *hybridHashJoin) add(second bool, v any) error {
	if second == j.buildSecond {
		return j.join.Build(v)
	}
	return j.probe.Add(v)
}

// run probes the join with the held probe records in arrival order, then joins the spilled partitions and
// emits the build side's unmatched records (Finish).
func (j *hybridHashJoin) run(emit func(l, r any)) error {
	pair := func(b, p any) error {
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
	if j.probe != nil {
		batchSpills.Add(j.probe.Stats().Spills)
		errs = append(errs, j.probe.Close())
		j.probe = nil
	}
	if j.join != nil {
		batchSpills.Add(j.join.Stats().SpilledPartitions)
		errs = append(errs, j.join.Close())
		j.join = nil
	}
	return errors.Join(errs...)
}

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
	m, err := batchMemory(&o.opBase)
	if err != nil {
		return err
	}
	dir, err := batchSpillDir(&o.opBase)
	if err != nil {
		return err
	}
	o.batch, err = newHybridHashJoin(m, o.name, dir, o.buildKey, o.probeKey, false, o.probeOuter, !o.buildFirst)
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
