package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"reflect"

	"github.com/de4e/weir/engine/internal/memory"
	"github.com/de4e/weir/engine/internal/state"
)

// The hash aggregation of Batch mode (Config.RuntimeMode): KeyedStream.Reduce and the rolling aggregations
// built on it (Sum, Min, Max, MinBy, MaxBy) fold each key's records into one accumulator, a combinable reduce,
// so in Batch mode they run as Flink's hash-based reduce does (ReduceCombineDriver over its
// InPlaceMutableHashTable, CombineHint.HASH) instead of sorting their whole input by key: a hash table in the
// operator's share of its slot's managed memory holds each key's accumulator, updated in place as records
// arrive. When the table's pages are full its partial accumulators go into an external sorter (which spills
// sorted runs to disk beyond its own pages) and the table starts empty; when the input ends the sorter
// returns every partial accumulator by key, and a key's partials are reduced in the order they were made.
// This relies on the ReduceFunc being associative, as Flink's ReduceFunction contract requires.
//
// Each key's final value is emitted when the input ends, keys in ascending order (compareKeys), with the
// timestamp MaxWatermark, as BatchGroupedReduceOperator emits it (see rollingOp.onTimer).
//
// Keys are encoded with the state codec (keys are equal when their encodings are). Accumulators that are nil,
// strings, booleans or numbers are encoded with the state codec, other values with the operator's batchCodec
// when gob gives them back as they were (gobKeepsAll: numbers, strings, arrays and structs of exported
// fields); values of any other type (pointers, slices, maps, unexported fields) are kept on the Go heap in a
// side table, whose index the pages hold, as batchSort keeps them.

// batchHashReduceOp runs a rollingOp in Batch mode as a hash aggregation.
type batchHashReduceOp struct {
	*rollingOp
	agg     *hashAggregate
	finalWM bool
}

func (o *batchHashReduceOp) ownsBatchInput() {}

func (o *batchHashReduceOp) open() error {
	m, dir, err := batchResources(&o.opBase)
	if err != nil {
		return err
	}
	o.onSubtaskEnd(func() { // a failed subtask may not have closed it
		if o.agg != nil {
			o.agg.close()
			o.agg = nil
		}
	})
	o.agg, err = newHashAggregate(m, dir, o.reduce)
	if err != nil {
		return fmt.Errorf("%s: %w", o.name, err)
	}
	o.agg.spills.report = slotSpillReport(&o.opBase)
	return nil
}

func (o *batchHashReduceOp) processElement(_ int, r record) {
	if err := o.agg.add(r.key, r.v); err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
}

// processWatermark keeps only the final watermark, passed on after the results (Batch mode).
func (o *batchHashReduceOp) processWatermark(wm int64) {
	if wm == MaxWatermark {
		o.finalWM = true
	}
}

// endInput emits every key's final value, then the final watermark.
func (o *batchHashReduceOp) endInput() {
	err := o.agg.finish(func(key, v any) {
		o.key, o.hasKey = key, true
		o.metrics.out++
		o.out.collect(record{v: v, ts: MaxWatermark})
	})
	o.hasKey = false
	if err != nil {
		panic(fmt.Errorf("%s: %w", o.name, err))
	}
	if o.finalWM {
		o.rollingOp.processWatermark(MaxWatermark)
	}
	o.rollingOp.endInput()
}

func (o *batchHashReduceOp) close() error {
	if o.agg == nil {
		return nil
	}
	err := o.agg.close()
	o.agg = nil
	return err
}

// hashAggregate is the hash table of accumulators in managed pages and the sorter its partial accumulators
// spill to.
type hashAggregate struct {
	reduce  ReduceFunc
	table   aggTable
	sorter  *memory.Sorter
	codec   *batchCodec
	heap    []any // accumulators kept on the Go heap, by index
	free    []int // indexes of heap that hold nothing
	seed    maphash.Seed
	kb      []byte
	enc     []byte
	frame   []byte
	flushes int64 // times the table was full and went to the sorter
	spills  spillCounter
}

// aggSorterShare is the share of the operator's pages its sorter gets (at least memory.MinSorterPages); the
// table gets the rest, one aggBucketShare-th of it for its buckets.
const (
	aggSorterShare = 4
	aggBucketShare = 8
)

func newHashAggregate(m batchOperatorMemory, dir string, reduce ReduceFunc) (*hashAggregate, error) {
	sorterPages := max(memory.MinSorterPages, m.pages/aggSorterShare)
	tablePages := m.pages - sorterPages
	if tablePages < 2 {
		return nil, fmt.Errorf("hash aggregation: %d pages of managed memory, want at least %d", m.pages, memory.MinSorterPages+2)
	}
	a := &hashAggregate{reduce: reduce, codec: newBatchCodec(), seed: maphash.MakeSeed()}
	var err error
	a.sorter, err = memory.NewSorter(memory.SorterConfig{Manager: m.manager, Owner: m.owner("hash aggregation: spilled partials"),
		Pages: sorterPages, Grow: true, TempDir: dir, CompareRecords: compareJoinFrames, Encode: appendFrameBytes, Decode: copyFrameBytes})
	if err != nil {
		return nil, fmt.Errorf("hash aggregation: %w", err)
	}
	owner := m.owner("hash aggregation: table")
	pages, err := m.manager.Allocate(owner, 2)
	if err != nil {
		a.sorter.Close()
		return nil, fmt.Errorf("hash aggregation: %w", err)
	}
	a.table = aggTable{manager: m.manager, owner: owner, seed: a.seed, maxPages: tablePages, all: pages,
		buckets: pages[:1], data: pages[1:], ps: len(pages[0])}
	a.table.nb = bucketsIn(1, a.table.ps)
	a.table.reset()
	return a, nil
}

// bucketsIn is how many buckets pages pages of ps bytes hold: a power of two.
func bucketsIn(pages, ps int) uint64 {
	return uint64(1) << (63 - bits.LeadingZeros64(uint64(pages*ps/8)))
}

// Accumulator encodings in the table: a tag byte, then the state codec's encoding, the batchCodec's frame,
// or the uvarint index of a value on the heap.
const (
	aggAccState byte = iota
	aggAccCodec
	aggAccHeap
)

func (a *hashAggregate) encodeAcc(dst []byte, v any) ([]byte, error) {
	if isScalar(v) {
		return state.AppendValue(append(dst, aggAccState), v)
	}
	if a.encodable(v) {
		return a.codec.appendRecord(append(dst, aggAccCodec), v)
	}
	i := len(a.heap)
	if n := len(a.free); n > 0 {
		i, a.free = a.free[n-1], a.free[:n-1]
		a.heap[i] = v
	} else {
		a.heap = append(a.heap, v)
	}
	return binary.AppendUvarint(append(dst, aggAccHeap), uint64(i)), nil
}

// encodable reports whether a value that is not a scalar goes into the pages (else onto the heap).
func (a *hashAggregate) encodable(v any) bool {
	return gobKeepsAll(reflect.TypeOf(v), map[reflect.Type]bool{})
}

// heapIndex returns the index of a heap accumulator's encoding, or -1 for an encoded one.
func (a *hashAggregate) heapIndex(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, errors.New("hash aggregation: empty accumulator")
	}
	if b[0] != aggAccHeap {
		return -1, nil
	}
	i, n := binary.Uvarint(b[1:])
	if n <= 0 || i >= uint64(len(a.heap)) {
		return 0, fmt.Errorf("hash aggregation: heap accumulator %d of %d", i, len(a.heap))
	}
	return int(i), nil
}

// decodeAcc decodes an accumulator. release frees a heap accumulator's slot (it is then decoded for the last
// time).
func (a *hashAggregate) decodeAcc(b []byte, release bool) (any, error) {
	i, err := a.heapIndex(b)
	if err != nil {
		return nil, err
	}
	if i >= 0 {
		v := a.heap[i]
		if release {
			a.releaseHeap(i)
		}
		return v, nil
	}
	if b[0] == aggAccState {
		return state.DecodeValue(b[1:])
	}
	return a.codec.decodeRecord(b[1:])
}

func (a *hashAggregate) releaseHeap(i int) {
	a.heap[i] = nil
	a.free = append(a.free, i)
}

// gobKeepsAll reports whether a value of type t comes back from encoding/gob as it went in: t is built of
// booleans, numbers, strings, arrays and structs whose fields are all exported. Pointers, slices and maps are
// not (gob gives back a new pointer, and an empty slice or map inside a struct as nil), nor are interfaces,
// functions and channels.
func gobKeepsAll(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64,
		reflect.String:
		return true
	case reflect.Array:
		return gobKeepsAll(t.Elem(), seen)
	case reflect.Struct:
		if t.NumField() == 0 {
			return false
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || !gobKeepsAll(f.Type, seen) {
				return false
			}
		}
		return true
	}
	return false
}

// add folds v into key's accumulator.
func (a *hashAggregate) add(key, v any) error {
	var err error
	if a.kb, err = state.AppendValue(a.kb[:0], key); err != nil {
		return fmt.Errorf("encoding a key %T: %w", key, err)
	}
	h := maphash.Bytes(a.seed, a.kb)
	slot, off, found := a.table.find(a.kb, h)
	if found {
		old := a.table.acc(off)
		oldHeap, err := a.heapIndex(old)
		if err != nil {
			return err
		}
		acc, err := a.decodeAcc(old, false)
		if err != nil {
			return err
		}
		next := a.reduce(acc, v)
		if oldHeap >= 0 && !isScalar(next) && !a.encodable(next) {
			a.heap[oldHeap] = next // the entry keeps its heap slot
			return nil
		}
		if a.enc, err = a.encodeAcc(a.enc[:0], next); err != nil {
			return err
		}
		for {
			if a.table.replace(slot, off, a.kb, a.enc) {
				if oldHeap >= 0 {
					a.releaseHeap(oldHeap)
				}
				return nil
			}
			if !a.table.grow() {
				break
			}
			slot, off, _ = a.table.find(a.kb, h)
		}
		// The table is full: its partials (this key's too, still the one before v) go to the sorter, and v
		// starts the key's next partial.
		if i, _ := a.heapIndex(a.enc); i >= 0 {
			a.releaseHeap(i)
		}
		if err := a.flush(); err != nil {
			return err
		}
		slot, _, _ = a.table.find(a.kb, h)
	}
	if a.enc, err = a.encodeAcc(a.enc[:0], v); err != nil {
		return err
	}
	for !a.table.insert(slot, a.kb, a.enc) {
		switch {
		case a.table.grow():
		case a.table.entries == 0:
			return fmt.Errorf("%w: hash aggregation: a key of %d bytes and an accumulator of %d bytes in pages of %d bytes",
				memory.ErrRecordTooLarge, len(a.kb), len(a.enc), a.table.ps)
		default: // full, and no more pages: the partials go to the sorter
			if err := a.flush(); err != nil {
				return err
			}
		}
		slot, _, _ = a.table.find(a.kb, h)
	}
	return nil
}

// flush moves every accumulator of the table into the sorter and empties the table.
func (a *hashAggregate) flush() error {
	var err error
	a.table.each(func(key, acc []byte) bool {
		a.frame = binary.AppendUvarint(a.frame[:0], uint64(len(key)))
		a.frame = append(append(a.frame, key...), acc...)
		err = a.sorter.Add(a.frame)
		return err == nil
	})
	a.table.reset()
	a.flushes++
	return err
}

// finish reduces each key's partial accumulators and passes the key's final value to emit, keys in
// ascending order.
func (a *hashAggregate) finish(emit func(key, v any)) error {
	if err := a.flush(); err != nil {
		return err
	}
	it, err := a.sorter.Sort()
	if err != nil {
		return err
	}
	a.spills.note(a.sorter.Stats().Spills)
	var curKey []byte
	var acc any
	has := false
	done := func() error {
		if !has {
			return nil
		}
		k, err := state.DecodeValue(curKey)
		if err != nil {
			return fmt.Errorf("decoding a key: %w", err)
		}
		emit(k, acc)
		return nil
	}
	for {
		x, ok, err := it.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		k, enc := joinFrame(x.([]byte)).split()
		v, err := a.decodeAcc(enc, true)
		if err != nil {
			return err
		}
		if has && compareKeyBytes(k, curKey) == 0 {
			acc = a.reduce(acc, v)
			continue
		}
		if err := done(); err != nil {
			return err
		}
		curKey, acc, has = k, v, true
	}
	return done()
}

func (a *hashAggregate) close() error {
	var err error
	if a.sorter != nil {
		a.spills.note(a.sorter.Stats().Spills)
		err = a.sorter.Close()
		a.sorter = nil
	}
	if a.table.all != nil {
		a.table.manager.ReleasePages(a.table.owner, a.table.all)
		a.table = aggTable{}
	}
	a.heap, a.free = nil, nil
	return err
}

// isScalar reports whether the state codec encodes v itself.
func isScalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int32, int64, uint64, float64:
		return true
	}
	return false
}

// aggTable is an open-addressing hash table in pages: buckets of 8 bytes (the offset of an entry in the data
// pages plus one; 0 is empty), probed linearly, and entries appended to the data pages, each within one page:
// the key's and the accumulator's lengths and the accumulator's room (4 bytes each), the key, then the
// accumulator's room. An accumulator is replaced in place when its new encoding fits its room, else the entry
// is appended again (the old one is garbage until the table is emptied).
type aggTable struct {
	manager  *memory.Manager
	owner    string
	seed     maphash.Seed
	maxPages int // the most pages it grows to
	all      [][]byte
	buckets  [][]byte
	data     [][]byte
	ps       int
	nb       uint64 // buckets, a power of two
	entries  uint64
	page     int // the data page being appended to
	off      int // and where in it
}

const aggEntryHeader = 12

func (t *aggTable) reset() {
	for _, p := range t.buckets {
		clear(p)
	}
	t.entries, t.page, t.off = 0, 0, 0
}

func (t *aggTable) bucket(i uint64) []byte {
	per := uint64(t.ps / 8)
	return t.buckets[i/per][(i%per)*8:]
}

func (t *aggTable) entry(off uint64) []byte {
	return t.data[off/uint64(t.ps)][off%uint64(t.ps):]
}

// find returns key's bucket and, when found, its entry's offset.
func (t *aggTable) find(key []byte, h uint64) (slot, off uint64, found bool) {
	for i := h & (t.nb - 1); ; i = (i + 1) & (t.nb - 1) {
		ref := binary.LittleEndian.Uint64(t.bucket(i))
		if ref == 0 {
			return i, 0, false
		}
		e := t.entry(ref - 1)
		kl := binary.LittleEndian.Uint32(e)
		if int(kl) == len(key) && bytes.Equal(e[aggEntryHeader:aggEntryHeader+kl], key) {
			return i, ref - 1, true
		}
	}
}

// acc returns the accumulator of the entry at off.
func (t *aggTable) acc(off uint64) []byte {
	e := t.entry(off)
	kl, al := binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:])
	return e[aggEntryHeader+kl : aggEntryHeader+kl+al]
}

// insert adds an entry for key in the empty bucket slot; false when the table is full.
func (t *aggTable) insert(slot uint64, key, acc []byte) bool {
	if (t.entries+1)*4 > t.nb*3 { // at most 3/4 of the buckets in use
		return false
	}
	room := len(acc) + len(acc)/4 + 4
	size := aggEntryHeader + len(key) + room
	if size > t.ps {
		room = len(acc)
		size = aggEntryHeader + len(key) + room
		if size > t.ps {
			return false
		}
	}
	if t.off+size > t.ps {
		if t.page+1 >= len(t.data) {
			return false
		}
		t.page, t.off = t.page+1, 0
	}
	e := t.data[t.page][t.off:]
	binary.LittleEndian.PutUint32(e, uint32(len(key)))
	binary.LittleEndian.PutUint32(e[4:], uint32(len(acc)))
	binary.LittleEndian.PutUint32(e[8:], uint32(room))
	copy(e[aggEntryHeader:], key)
	copy(e[aggEntryHeader+len(key):], acc)
	off := uint64(t.page*t.ps + t.off)
	binary.LittleEndian.PutUint64(t.bucket(slot), off+1)
	t.off += size
	t.entries++
	return true
}

// replace sets the accumulator of the entry at off (in bucket slot) to acc, in place when it fits its room,
// else in a new entry; false when the table is full.
func (t *aggTable) replace(slot, off uint64, key, acc []byte) bool {
	e := t.entry(off)
	kl, room := binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[8:])
	if len(acc) <= int(room) {
		binary.LittleEndian.PutUint32(e[4:], uint32(len(acc)))
		copy(e[aggEntryHeader+kl:], acc)
		return true
	}
	t.entries--
	if t.insert(slot, key, acc) {
		return true
	}
	t.entries++
	return false
}

// grow takes more pages from the manager (doubling what the table holds, up to maxPages), as memory.Sorter
// does with SorterConfig.Grow, so that a small input takes little of the budget: an eighth of them are
// buckets, rehashed into a larger array when they grow; false when there are no more pages to take.
func (t *aggTable) grow() bool {
	held := len(t.all)
	if held >= t.maxPages {
		return false
	}
	more := min(held, t.maxPages-held)
	got, err := t.manager.Allocate(t.owner, more)
	if err != nil {
		return false
	}
	t.all = append(t.all, got...)
	if want := max(1, len(t.all)/aggBucketShare); want > len(t.buckets) && len(got) >= want {
		old, oldNB := t.buckets, t.nb
		t.buckets, got = got[:want], got[want:]
		t.nb = bucketsIn(want, t.ps)
		for _, p := range t.buckets {
			clear(p)
		}
		per := uint64(t.ps / 8)
		for i := range oldNB {
			ref := binary.LittleEndian.Uint64(old[i/per][(i%per)*8:])
			if ref == 0 {
				continue
			}
			e := t.entry(ref - 1)
			kl := binary.LittleEndian.Uint32(e)
			slot, _, _ := t.find(e[aggEntryHeader:aggEntryHeader+kl], maphash.Bytes(t.seed, e[aggEntryHeader:aggEntryHeader+kl]))
			binary.LittleEndian.PutUint64(t.bucket(slot), ref)
		}
		got = append(got, old...) // the old buckets hold entries from now on
	}
	t.data = append(t.data, got...)
	return true
}

// each calls f with every entry's key and accumulator until f returns false.
func (t *aggTable) each(f func(key, acc []byte) bool) {
	for i := range t.nb {
		ref := binary.LittleEndian.Uint64(t.bucket(i))
		if ref == 0 {
			continue
		}
		e := t.entry(ref - 1)
		kl, al := binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:])
		if !f(e[aggEntryHeader:aggEntryHeader+kl], e[aggEntryHeader+kl:aggEntryHeader+kl+al]) {
			return
		}
	}
}
