package engine

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"

	"github.com/de4e/weir/engine/internal/state"
)

// BroadcastSetFunc handles one record of the main input with the whole broadcast set at hand, Flink's
// RichFlatMapFunction reading getRuntimeContext().getBroadcastVariable(name). broadcast is the same slice for
// every call of a subtask, in the order the set arrived; f must not modify it.
type BroadcastSetFunc func(v any, broadcast []any, out Collector)

// ErrBroadcastSetRescale is returned when a job with FlatMapWithBroadcastSet is restored with another
// parallelism for it: each subtask's checkpoint holds its own copy of the set next to its own share of the
// main input, and they cannot be redistributed separately.
var ErrBroadcastSetRescale = errors.New("engine: a broadcast set operator cannot be restored with another parallelism")

// FlatMapWithBroadcastSet runs f on every record of s with the whole bounded stream set available to every
// subtask, Flink's DataSet withBroadcastSet and getBroadcastVariable. Every record of set goes to every
// subtask; since a subtask cannot know it has the whole set before set ends, it keeps the main records it
// receives and runs f on them, in arrival order, once both inputs have ended. Both the set and the kept
// records are operator state, checkpointed with the subtask (records must be encodable with encoding/gob);
// such a checkpoint restores only at the same parallelism (ErrBroadcastSetRescale).
func (s *DataStream) FlatMapWithBroadcastSet(set *DataStream, f BroadcastSetFunc) *DataStream {
	if set == nil {
		panic("engine: DataStream.FlatMapWithBroadcastSet: the broadcast set stream is nil")
	}
	if f == nil {
		panic("engine: DataStream.FlatMapWithBroadcastSet needs a BroadcastSetFunc, got nil")
	}
	out := s.add("FlatMapWithBroadcastSet", func() operator { return &broadcastSetOp{f: f} }, false)
	withBroadcastInput(out, set)
	return out
}

// withBroadcastInput makes set the second input of the operator that produced out, every record to every
// subtask.
func withBroadcastInput(out, set *DataStream) {
	n := out.inputs[0].node
	for _, in := range set.inputs {
		n.inputs = append(n.inputs, edgeSpec{from: in.node, side: in.side, part: partBroadcast, input: 1})
	}
}

// broadcastSetOp keeps the broadcast set (input 1) and the main records (input 0) until both inputs end.
type broadcastSetOp struct {
	opBase
	f         BroadcastSetFunc
	set, main []any
	col       timestampedCollector
}

func (o *broadcastSetOp) processElement(in int, r record) {
	if in == 1 {
		o.set = append(o.set, r.v)
	} else {
		o.main = append(o.main, r.v)
	}
}

func (o *broadcastSetOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func (o *broadcastSetOp) endInput() {
	o.col = timestampedCollector{op: &o.opBase, ts: NoTimestamp, noTs: true}
	for _, v := range o.main {
		o.f(v, o.set, &o.col)
	}
	o.main = nil
}

// broadcastSetState is the operator state of one broadcastSetOp subtask.
type broadcastSetState struct {
	Parallelism int
	Set, Main   []any
}

func (o *broadcastSetOp) snapshotOpState(int64) ([]byte, error) {
	for _, vs := range [][]any{o.set, o.main} {
		for _, v := range vs {
			state.RegisterDeep(v)
		}
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(broadcastSetState{o.task.parallelism, o.set, o.main}); err != nil {
		return nil, fmt.Errorf("broadcast set of %s: %w (records must be encodable with encoding/gob)", o.name, err)
	}
	return b.Bytes(), nil
}

// restoreOpState loads this subtask's own state: at an unchanged parallelism opStateSplit gives exactly it.
func (o *broadcastSetOp) restoreOpState(blobs [][]byte) error {
	o.set, o.main = nil, nil
	for _, blob := range blobs {
		var st broadcastSetState
		if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&st); err != nil {
			return fmt.Errorf("%w: broadcast set of %s: %v (a record type may need engine.RegisterType)", ErrCorruptCheckpoint, o.name, err)
		}
		if st.Parallelism != o.task.parallelism || len(blobs) != 1 {
			return fmt.Errorf("%w: %s ran with parallelism %d and is restored with %d", ErrBroadcastSetRescale, o.name, st.Parallelism, o.task.parallelism)
		}
		o.set, o.main = st.Set, st.Main
	}
	return nil
}

func (o *broadcastSetOp) notifyComplete(int64) {}
