package engine

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"

	"github.com/de4e/weir/engine/internal/memory"
	"github.com/de4e/weir/engine/internal/state"
)

// batchSort holds a keyed operator's input in Batch mode in its slot's managed memory, as Flink's
// SortingDataInput does with its ExternalSorter: each record (value, key, key group, timestamp, input and
// arrival number) is serialised into the pages of a memory.Sorter, which sorts them by key, then timestamp,
// then arrival (compareBatchElements' order), spills sorted runs to Config.TempDir when its share of the slot's
// memory is full, and merges them.
//
// Keys and values are serialised with the state codec (the Pebble backend's: package state's AppendValue)
// when they are nil, strings, booleans, int, int32, int64, uint64 or float64. Any other value (a struct, a
// slice, a map, a pointer) is kept on the Go heap, as Weir's heap state backend keeps it, and its record in
// the pages holds its index in a side table: such records are sorted and spilled like the others, but the
// values themselves are outside the budget until the operator has processed them. The codec's gob path is
// not used, since gob drops unexported fields and needs types registered.
type batchSort struct {
	op      *opBase
	sorter  *memory.Sorter
	heap    []any // values the codec does not serialise, by index
	held    int64 // records added
	scratch []byte
}

// batchSortNormalizedKeyLen is the length of a held record's normalised key: for keys of one integer type,
// the key, the timestamp and the arrival number (8 bytes each, the whole order); for strings, their first
// 24 bytes.
const batchSortNormalizedKeyLen = 24

// newBatchSort takes the operator's share of its slot's managed memory: the slot's pages divided evenly
// among the keyed operators of Batch mode that run in the slot at the same time.
func newBatchSort(b *opBase) (*batchSort, error) {
	bs := &batchSort{op: b}
	pages := b.managedPagesShare(b.task.batchSortsInSlot())
	if pages < memory.MinSorterPages {
		f := b.managedMemory().Figures()
		return nil, fmt.Errorf("engine: %s needs %d pages of managed memory to sort its input but its share of the slot's %d bytes is %d pages of %d bytes: raise Config.ManagedMemorySize",
			b.name, memory.MinSorterPages, f.BudgetBytes, pages, f.PageSize)
	}
	var err error
	bs.sorter, err = memory.NewSorter(memory.SorterConfig{
		Manager: b.managedMemory(), Owner: b.managedOwner("sort"), Pages: pages, Grow: true,
		TempDir: b.task.job.cfg.TempDir, CompareRecords: bs.compareRecords,
		NormalizedKeyLen: batchSortNormalizedKeyLen, NormalizedKey: batchNormalizedKey,
		Encode: bs.encode, Decode: bs.decode,
	})
	if err != nil {
		return nil, err
	}
	b.task.job.mem.started(b.task.slot, bs.sorter)
	b.onSubtaskEnd(func() { bs.close() })
	return bs, nil
}

// add holds one record.
func (bs *batchSort) add(e batchElement) error {
	bs.held++
	return bs.sorter.Add(e)
}

// sorted returns the held records in order; each is returned once.
func (bs *batchSort) sorted() (*memory.Iterator, error) { return bs.sorter.Sort() }

// close removes the spill files and returns the pages, adding what the sort did to its slot's figures.
func (bs *batchSort) close() error {
	if bs.sorter == nil {
		return nil
	}
	bs.op.task.job.mem.finished(bs.op.task.slot, bs.sorter)
	err := bs.sorter.Close()
	bs.sorter, bs.heap = nil, nil
	return err
}

// The tags of the state codec's scalar encodings whose bytes compare in the values' order.
var (
	codecTagString = codecTag("")
	codecTagInt    = codecTag(int(0))
	codecTagInt64  = codecTag(int64(0))
	codecTagInt32  = codecTag(int32(0))
	codecTagUint64 = codecTag(uint64(0))
)

func codecTag(v any) byte {
	b, err := state.AppendValue(nil, v)
	if err != nil {
		panic(err)
	}
	return b[0]
}

// A held record is framed as: the key (a uvarint length, then a value), the key group (uvarint), the
// timestamp (8 bytes, order-preserving), a no-timestamp flag, the input and the arrival number (uvarints),
// then the record's value. A value is a byte 0 and the state codec's encoding, or a byte 1 and the uvarint
// index of a value kept on the heap.
const (
	batchValueCodec = 0
	batchValueHeap  = 1
)

func (bs *batchSort) appendValue(dst []byte, v any) ([]byte, error) {
	switch v.(type) {
	case nil, string, bool, int, int32, int64, uint64, float64:
		return state.AppendValue(append(dst, batchValueCodec), v)
	}
	dst = binary.AppendUvarint(append(dst, batchValueHeap), uint64(len(bs.heap)))
	bs.heap = append(bs.heap, v)
	return dst, nil
}

// value decodes a value; take releases a heap value's slot (it is returned once, to the operator).
func (bs *batchSort) value(b []byte, take bool) (any, error) {
	if len(b) == 0 {
		return nil, errors.New("empty value")
	}
	if b[0] == batchValueCodec {
		return state.DecodeValue(b[1:])
	}
	i, n := binary.Uvarint(b[1:])
	if n <= 0 || i >= uint64(len(bs.heap)) {
		return nil, fmt.Errorf("heap value %d of %d", i, len(bs.heap))
	}
	v := bs.heap[i]
	if take {
		bs.heap[i] = nil
	}
	return v, nil
}

func (bs *batchSort) encode(dst []byte, x any) ([]byte, error) {
	e := x.(batchElement)
	var err error
	bs.scratch, err = bs.appendValue(bs.scratch[:0], e.r.key)
	if err != nil {
		return dst, err
	}
	dst = binary.AppendUvarint(dst, uint64(len(bs.scratch)))
	dst = append(dst, bs.scratch...)
	dst = binary.AppendUvarint(dst, uint64(e.r.kg))
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.r.ts)^(1<<63))
	flag := byte(0)
	if e.r.noTs {
		flag = 1
	}
	dst = append(dst, flag)
	dst = binary.AppendUvarint(dst, uint64(e.in))
	dst = binary.AppendUvarint(dst, uint64(e.seq))
	return bs.appendValue(dst, e.r.v)
}

// batchFrame is a held record's fields as bytes, parsed without decoding its key or value.
type batchFrame struct {
	key, value []byte
	kg         int32
	ts         int64
	noTs       bool
	in, seq    int
}

var errBatchFrame = errors.New("engine: damaged batch record")

func parseBatchFrame(b []byte) (f batchFrame, err error) {
	kl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < kl {
		return f, errBatchFrame
	}
	f.key, b = b[n:n+int(kl)], b[n+int(kl):]
	kg, n := binary.Uvarint(b)
	if n <= 0 || len(b) < n+9 {
		return f, errBatchFrame
	}
	f.kg, b = int32(kg), b[n:]
	f.ts, f.noTs, b = int64(binary.BigEndian.Uint64(b)^(1<<63)), b[8] == 1, b[9:]
	in, n := binary.Uvarint(b)
	if n <= 0 {
		return f, errBatchFrame
	}
	b = b[n:]
	seq, n := binary.Uvarint(b)
	if n <= 0 {
		return f, errBatchFrame
	}
	f.in, f.seq, f.value = int(in), int(seq), b[n:]
	return f, nil
}

func (bs *batchSort) decode(rec []byte) (any, error) {
	f, err := parseBatchFrame(rec)
	if err != nil {
		return nil, err
	}
	key, err := bs.value(f.key, true)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	v, err := bs.value(f.value, true)
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	return batchElement{in: f.in, seq: f.seq, r: record{v: v, key: key, ts: f.ts, kg: f.kg, noTs: f.noTs}}, nil
}

// compareRecords orders two held records as compareBatchElements orders the records themselves, comparing
// keys of one scalar type by their bytes and decoding the others.
func (bs *batchSort) compareRecords(a, b []byte) int {
	fa, erra := parseBatchFrame(a)
	fb, errb := parseBatchFrame(b)
	if erra != nil || errb != nil {
		panic(errBatchFrame) // the sorter's own pages and runs: not reachable unless memory is corrupted
	}
	ka, kb := fa.key, fb.key
	if len(ka) > 1 && len(kb) > 1 && ka[0] == batchValueCodec && kb[0] == batchValueCodec && ka[1] == kb[1] &&
		(ka[1] == codecTagString || ka[1] == codecTagInt || ka[1] == codecTagInt64 || ka[1] == codecTagInt32 || ka[1] == codecTagUint64) {
		// One scalar type, encoded in order: equal bytes are equal keys.
		if c := bytes.Compare(ka[2:], kb[2:]); c != 0 {
			return c
		}
	} else {
		va, err := bs.value(ka, false)
		if err != nil {
			panic(err)
		}
		vb, err := bs.value(kb, false)
		if err != nil {
			panic(err)
		}
		if c := compareValues(va, vb); c != 0 {
			return c
		}
		if va != vb {
			if c := cmp.Compare(fa.kg, fb.kg); c != 0 {
				return c
			}
			if c := cmp.Compare(reflect.TypeOf(va).String(), reflect.TypeOf(vb).String()); c != 0 {
				return c
			}
		}
	}
	if c := cmp.Compare(fa.ts, fb.ts); c != 0 {
		return c
	}
	return cmp.Compare(fa.seq, fb.seq)
}

// batchNormalizedKey writes a held record's normalised key: for an integer key (one class per Go type, so
// that keys of two types that compare equal are ordered by compareRecords) the key, timestamp and arrival
// number, the whole order; for a string its first 24 bytes; for any other key nothing (class 0), so that
// compareRecords decides.
func batchNormalizedKey(x any, nk []byte) (class int, full bool) {
	e := x.(batchElement)
	var k uint64
	switch key := e.r.key.(type) {
	case string:
		copy(nk, key)
		return 1, false
	case int:
		class, k = 2, uint64(key)^(1<<63)
	case int64:
		class, k = 3, uint64(key)^(1<<63)
	case int32:
		class, k = 4, uint64(int64(key))^(1<<63)
	case uint64:
		class, k = 5, key
	default:
		return 0, false
	}
	binary.BigEndian.PutUint64(nk, k)
	binary.BigEndian.PutUint64(nk[8:], uint64(e.r.ts)^(1<<63))
	binary.BigEndian.PutUint64(nk[16:], uint64(e.seq))
	return class, true
}

// batchSortsInSlot returns how many keyed operators of Batch mode run in this subtask's slot at once (one per
// keyed node of every vertex with a subtask in the slot): they share the slot's managed memory evenly.
func (t *subtask) batchSortsInSlot() int {
	n := 0
	for _, v := range t.job.plan.Vertices {
		if v.Parallelism <= t.slot {
			continue
		}
		for _, nd := range v.nodes {
			if nd.keyed {
				n++
			}
		}
	}
	return max(n, 1)
}
