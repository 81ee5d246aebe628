package engine

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"sort"

	"github.com/de4e/weir/engine/internal/state"
)

// PartitionByHash sends each record to the subtask of the next operator that owns the key group of key's
// value, Flink's DataSet.partitionByHash (in the migration guide: partitionCustom with a hash partitioner).
// Unlike KeyBy, the next operator is not keyed: it gets no keyed state, only the partitioning.
func (s *DataStream) PartitionByHash(key KeySelector) *DataStream {
	if key == nil {
		panic("engine: DataStream.PartitionByHash needs a key selector, got nil")
	}
	d := s.withPart(partHash, key)
	return &d
}

// SortPartition sorts the records each subtask receives by field, in order, and emits them when the input
// ends, Flink's DataSet.sortPartition(field, order) (in the migration guide: fullWindowPartition().
// sortPartition). Records with equal fields keep their arrival order. The buffered records are operator
// state: a checkpoint taken while the input is read keeps them (they must be encodable with encoding/gob).
func (s *DataStream) SortPartition(field string, order Order) *DataStream {
	checkOrder("DataStream.SortPartition", order)
	return s.sortPartition(fmt.Sprintf("SortPartition(%s %s)", field, order), func(v any) any { return Field(v, field) }, order)
}

// SortPartitionBy is SortPartition by the value key selects, Flink's sortPartition(KeySelector, order).
func (s *DataStream) SortPartitionBy(key KeySelector, order Order) *DataStream {
	if key == nil {
		panic("engine: DataStream.SortPartitionBy needs a key selector, got nil")
	}
	checkOrder("DataStream.SortPartitionBy", order)
	return s.sortPartition("SortPartition("+order.String()+")", key, order)
}

func (s *DataStream) sortPartition(name string, key KeySelector, order Order) *DataStream {
	before := orderedBy(key, order)
	return s.add(name, func() operator { return &sortPartitionOp{before: before} }, false)
}

// sortPartitionOp buffers its subtask's records and emits them sorted when the input ends.
type sortPartitionOp struct {
	opBase
	before func(a, b any) bool
	buf    []any
}

func (o *sortPartitionOp) processElement(_ int, r record) { o.buf = append(o.buf, r.v) }
func (o *sortPartitionOp) processWatermark(wm int64)      { o.advanceWatermark(o, wm) }

func (o *sortPartitionOp) endInput() {
	sort.SliceStable(o.buf, func(i, j int) bool { return o.before(o.buf[i], o.buf[j]) })
	for _, v := range o.buf {
		o.metrics.out++
		o.out.collect(record{v: v, ts: NoTimestamp, noTs: true})
	}
	o.buf = nil
}

// sortBuffer is the operator state of a sortPartitionOp.
type sortBuffer struct{ Values []any }

func (o *sortPartitionOp) snapshotOpState(int64) ([]byte, error) {
	for _, v := range o.buf {
		state.RegisterDeep(v)
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(sortBuffer{o.buf}); err != nil {
		return nil, fmt.Errorf("sort buffer of %s: %w (records must be encodable with encoding/gob)", o.name, err)
	}
	return b.Bytes(), nil
}

// restoreOpState appends the buffers of the old subtasks this subtask is given (opStateSplit).
func (o *sortPartitionOp) restoreOpState(blobs [][]byte) error {
	o.buf = nil
	for _, blob := range blobs {
		var sb sortBuffer
		if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&sb); err != nil {
			return fmt.Errorf("%w: sort buffer of %s: %v (a record type may need engine.RegisterType)", ErrCorruptCheckpoint, o.name, err)
		}
		o.buf = append(o.buf, sb.Values...)
	}
	return nil
}

func (o *sortPartitionOp) notifyComplete(int64) {}
