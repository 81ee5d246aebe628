package engine

import (
	"sync"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// recordWriter sends an operator's output over one network edge: it partitions records over the downstream
// subtasks, batches them into buffers of Config.BufferSize, and broadcasts watermarks, idleness and the end
// of the stream to every downstream subtask.
type recordWriter struct {
	task     *subtask
	gates    []*gate
	chans    []int
	bufs     [][]record
	part     partitioning
	key      KeySelector
	maxP     int
	kgTarget []int
	rr       int
	size     int
	pool     *sync.Pool
	blocked  *backpressure
	ended    bool
	// parts, in a Batch job, replaces gates and chans on an edge to a later stage: the subpartitions of
	// the blocking result the writer fills (blocking_partition.go).
	parts []*subpartition
}

func (w *recordWriter) newBuf() []record { return (*w.pool.Get().(*[]record))[:0] }

func (w *recordWriter) push(r record) {
	var i int
	switch w.part {
	case partHash:
		if w.key != nil {
			r.key = w.key(r.v)
			r.kg = int32(keygroup.Of(r.key, w.maxP))
		}
		i = w.kgTarget[r.kg]
	case partRebalance:
		i = w.rr
		w.rr++
		if w.rr == len(w.bufs) {
			w.rr = 0
		}
	case partBroadcast:
		for j := range w.bufs {
			w.append(j, r)
		}
		return
	default: // forward and global have a single target
		i = 0
	}
	w.append(i, r)
}

func (w *recordWriter) append(i int, r record) {
	w.bufs[i] = append(w.bufs[i], r)
	if len(w.bufs[i]) >= w.size {
		w.flushOne(i)
	}
}

func (w *recordWriter) flushOne(i int) {
	if len(w.bufs[i]) == 0 {
		return
	}
	if w.parts != nil {
		w.toPartition(i, message{kind: msgRecords, recs: w.bufs[i]})
		w.bufs[i] = w.newBuf()
		return
	}
	w.gates[i].send(message{kind: msgRecords, ch: w.chans[i], recs: w.bufs[i]}, w.blocked)
	w.bufs[i] = w.newBuf()
}

func (w *recordWriter) flush() {
	for i := range w.bufs {
		w.flushOne(i)
	}
}

func (w *recordWriter) broadcast(m message) {
	w.flush()
	for i := range w.parts {
		w.toPartition(i, m)
	}
	for i, g := range w.gates {
		m.ch = w.chans[i]
		g.send(m, w.blocked)
	}
}

func (w *recordWriter) pushWatermark(wm int64) { w.broadcast(message{kind: msgWatermark, time: wm}) }

func (w *recordWriter) pushIdle(idle bool) {
	w.task.idle.setOutput(idle)
	if idle {
		w.broadcast(message{kind: msgIdle})
	} else {
		w.broadcast(message{kind: msgActive})
	}
}

func (w *recordWriter) end() {
	if w.ended {
		return
	}
	w.ended = true
	w.broadcast(message{kind: msgEnd})
}

// toPartition appends m to subpartition i, recycling a record buffer the subpartition did not keep; an
// error writing it fails the subtask.
func (w *recordWriter) toPartition(i int, m message) {
	kept, err := w.parts[i].add(m)
	if err != nil {
		w.task.fail(err)
	}
	if m.kind == msgRecords && !kept {
		clear(m.recs)
		recs := m.recs[:0]
		w.pool.Put(&recs)
	}
}
