package engine

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// subtask is one parallel instance of a vertex: its chain of operators, its input gate and its writers.
type subtask struct {
	job         *Job
	exec        *execution
	vertex      *PlanVertex
	index       int
	parallelism int
	slot, tm    int
	clock       Clock
	pool        *sync.Pool

	gate    *gate
	valve   *valve
	ops     []operator
	byNode  map[*node]operator
	fanouts map[*node]*fanout
	writers []*recordWriter

	// What is running now, for error messages: the operator and its record. Neither chained operators nor
	// the source loop set them per record (that cost about a tenth of a stateless job in GC write
	// barriers): a panic passing through a chained call names its operator and record on the way out
	// (blame), and blamed says the innermost one did; the source loop names its record on a panic
	// (nameSourceRecord) or in a failure that names none (nameFailedRecord).
	cur    operator
	curRec any
	blamed bool
	// curBatch[curIdx] is the head operator's record while runInput hands it a batch (an index costs no
	// write barrier); curRec, if set, takes precedence.
	curBatch []record
	curIdx   int
	// failed is the subtask's first runtime failure (an open, close, source or sink error, an injected
	// fault), set by fail: the loops return it after the record or message in hand.
	failed error

	// Checkpoints.
	align         *alignment
	replay        []message // held buffers to process before reading the gate again
	reader        SourceReader
	restoreOffset []byte
	readOffset    []byte // at-most-once: the reader's position after the last record

	// In-band processing time (Config.DeterministicTime): the subtask's time and each channel's.
	inband    bool
	procNow   int64
	chanTimes []int64

	blocked  backpressure // time spent waiting for downstream credit
	inWM     atomic.Int64
	idle     idleStatus // for Snapshot
	finished atomic.Bool
	// done is set once the subtask has ended its input and recorded finalOps, its state for checkpoints
	// taken after it finished; lastCheckpoint is the newest checkpoint it took part in.
	done           atomic.Bool
	finalOps       []opCP
	lastCheckpoint atomic.Int64

	detailMu      sync.Mutex
	detail        subtaskDetail
	detailPending atomic.Bool
}

// build creates the operator instances of the chain and connects the chained ones.
func (t *subtask) build() error {
	t.byNode = map[*node]operator{}
	t.fanouts = map[*node]*fanout{}
	maxP := t.job.cfg.MaxParallelism
	for _, n := range t.vertex.nodes {
		var op operator
		if n.source != nil {
			op = &sourceOp{}
		} else {
			op = n.newOp()
		}
		b := op.base()
		b.init(n.name)
		b.task = t
		b.node = n
		if n.keyed {
			be, err := t.job.cfg.newBackend(b, keygroup.RangeFor(maxP, t.parallelism, t.index))
			if err != nil {
				return fmt.Errorf("engine: state backend of %s (subtask %d): %w", n.name, t.index+1, err)
			}
			b.backend = be
			b.eventTimers, b.procTimers = newTimerQueue(), newTimerQueue()
		}
		if t.job.cfg.RuntimeMode == Batch {
			op = batchOperator(op, n)
		}
		b.ctx.self = op
		f := &fanout{sides: map[*OutputTag][]target{}}
		b.out = f
		if t.job.cfg.RuntimeMode == Batch {
			b.out = batchOutput{f}
		}
		t.fanouts[n] = f
		t.byNode[n] = op
		t.ops = append(t.ops, op)
	}
	for _, n := range t.vertex.nodes[1:] {
		up := n.inputs[0].from
		t.fanouts[up].main = append(t.fanouts[up].main, chained{op: t.byNode[n], task: t})
	}
	t.inWM.Store(MinWatermark)
	return nil
}

// attach adds a network writer to the output of node n (its side output tag, if set).
func (t *subtask) attach(n *node, side *OutputTag, w *recordWriter) {
	f := t.fanouts[n]
	if side != nil {
		f.sides[side] = append(f.sides[side], w)
	} else {
		f.main = append(f.main, w)
	}
	t.writers = append(t.writers, w)
}

func (t *subtask) flush() {
	t.flushBatches()
	for _, w := range t.writers {
		w.flush()
	}
}

// wakeAt asks for op's processing-time timers to be run, on this subtask's goroutine, at time at.
func (t *subtask) wakeAt(at int64, op operator) func() bool {
	return t.clock.AfterFunc(at, func() {
		t.gate.post(func() {
			t.cur, t.curRec = op, nil
			op.base().advanceProcessingTime(op, t.now())
		})
	})
}

// now returns the subtask's processing time: the in-band time with Config.DeterministicTime, else the clock.
func (t *subtask) now() int64 {
	if t.inband {
		return t.procNow
	}
	return t.clock.NowMillis()
}

// advanceTime moves the in-band processing time to at: the chain's processing-time timers due by then fire,
// and the time is sent on downstream after every record before it.
func (t *subtask) advanceTime(at int64) {
	if at <= t.procNow {
		return
	}
	t.procNow = at
	for _, op := range t.ops {
		b := op.base()
		if b.procTimers != nil {
			t.cur = op
			b.advanceProcessingTime(op, at)
		}
	}
	for _, w := range t.writers {
		if !w.ended {
			w.broadcast(message{kind: msgTime, time: at})
		}
	}
}

// channelTime records channel ch's in-band time; the subtask's time is the lowest over live channels.
func (t *subtask) channelTime(ch int, at int64) {
	t.chanTimes[ch] = max(t.chanTimes[ch], at)
	t.advanceTime(t.lowestChannelTime())
}

func (t *subtask) lowestChannelTime() int64 {
	lowest, any := MaxWatermark, false
	for i, ct := range t.chanTimes {
		if !t.valve.ended[i] {
			lowest, any = min(lowest, ct), true
		}
	}
	if !any {
		return t.procNow
	}
	return lowest
}

// everyInterval runs f on this subtask's goroutine every d of processing time.
func (t *subtask) everyInterval(d time.Duration, f func()) {
	var schedule func(at int64)
	schedule = func(at int64) {
		t.clock.AfterFunc(at, func() {
			t.gate.post(func() {
				f()
				if !t.exec.stopped() && !t.finished.Load() {
					schedule(t.now() + d.Milliseconds())
				}
			})
		})
	}
	schedule(t.now() + d.Milliseconds())
}

// failure describes a panic in the subtask (user code, or a bug): the operator, the subtask and the record
// being processed, with the stack.
func (t *subtask) failure(p any) error {
	err, _ := p.(error)
	if err == nil {
		err = fmt.Errorf("%v", p)
	}
	te := t.taskError(err, "")
	te.Stack = string(debug.Stack())
	t.blamed = false
	return te
}

// blame is deferred around a chained operator's call: if a panic passes through, the innermost chained
// operator it passes is named, with its record, as the place of the failure, and the panic goes on.
func (t *subtask) blame(op operator, v any) {
	if p := recover(); p != nil {
		if !t.blamed {
			t.blamed = true
			t.cur, t.curRec = op, v
		}
		panic(p)
	}
}

// taskError wraps err, a failure of the operator running now, with the operator, the subtask and what the
// subtask was doing: while (if set, e.g. "while opening"), else the record in hand or, without one, timers
// and watermarks.
func (t *subtask) taskError(err error, while string) *TaskError {
	name := t.vertex.Name
	if t.cur != nil {
		name = t.cur.base().name
	}
	what := while
	switch {
	case what != "":
	case t.curRec != nil:
		what = recordContext(t.curRec)
	case t.curBatch != nil:
		what = recordContext(t.curBatch[t.curIdx].v)
	default:
		what = noRecordContext
	}
	return &TaskError{Operator: name, Subtask: t.index, Parallelism: t.parallelism, Context: what, Err: err}
}

// fail records err, returned to the runtime by the operator running now (an open, close, source or sink
// error, or an injected fault), as the subtask's failure; the first one wins. The subtask's loop returns it
// after the record or message in hand, and the attempt fails with it.
func (t *subtask) fail(err error) {
	if t.failed == nil {
		t.failed = t.taskError(err, "")
	}
}

// noRecordContext is a TaskError's Context when no record was in hand that the subtask knew of.
const noRecordContext = "while firing a timer or emitting a watermark"

// recordContext is a TaskError's Context for a failure on record v.
func recordContext(v any) string { return "on record " + preview(v) }

func preview(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// TaskError is the failure of a job caused by an operator: a panic or error in user code or in the engine.
type TaskError struct {
	Operator    string
	Subtask     int // counted from 0
	Parallelism int
	Context     string // "on record ..." or what the subtask was doing
	Err         error
	Stack       string // the goroutine's stack at a panic, for debugging; empty for an error returned to the runtime
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("operator %q (subtask %d/%d) failed %s: %v", e.Operator, e.Subtask+1, e.Parallelism, e.Context, e.Err)
}

func (e *TaskError) Unwrap() error { return e.Err }

// run runs the subtask to its end. A failure fails the attempt: an error returned to the runtime, or a panic
// (of user code, or a bug), which is recovered here.
func (t *subtask) run() {
	defer func() {
		if p := recover(); p != nil {
			t.exec.fail(t.failure(p))
		}
		t.releaseManagedMemory()
		t.finished.Store(true)
	}()
	if err := t.runChain(); err != nil {
		t.exec.fail(err)
	}
}

// runChain opens the chain's operators, runs its input to the end and closes them.
func (t *subtask) runChain() error {
	for _, op := range t.ops {
		t.cur = op
		if err := op.open(); err != nil {
			return t.taskError(fmt.Errorf("open: %w", err), "while opening")
		}
	}
	t.cur = nil
	var err error
	if t.vertex.nodes[0].source != nil {
		err = t.runSource()
	} else {
		err = t.runInput()
	}
	if err != nil || t.exec.stopped() {
		return err
	}
	t.recordFinal()
	for _, op := range t.ops {
		t.cur = op
		if err := op.close(); err != nil {
			return t.taskError(fmt.Errorf("close: %w", err), "while closing")
		}
	}
	t.publish()
	t.publishSamples() // a job that ends between two polls still shows what its operators took in
	return nil
}

// next returns the next message to handle: held buffers released by an alignment first, then the gate.
func (t *subtask) next() (message, bool) {
	if len(t.replay) > 0 {
		m := t.replay[0]
		t.replay = t.replay[1:]
		return m, true
	}
	return t.gate.next(t.flush)
}

// runInput processes the gate's messages until every input has ended (or the attempt stops), and returns
// the subtask's failure, if any.
func (t *subtask) runInput() error {
	head := t.ops[0]
	hb := head.base()
	faults := t.job.faults
	for {
		m, ok := t.next()
		if !ok {
			return nil
		}
		if t.holds(m) {
			continue
		}
		switch m.kind {
		case msgRecords:
			in := t.gate.inputs[m.ch]
			t.cur, t.curBatch = head, m.recs
			for i, r := range m.recs {
				t.curIdx = i
				if faults != nil {
					if err := faults.Check(faultinject.Process); err != nil {
						t.fail(err)
						return t.failed
					}
				}
				hb.metrics.in++
				hb.took(&r)
				head.processElement(in, r)
				if t.failed != nil {
					return t.failed
				}
			}
			t.curBatch = nil
			clear(m.recs)
			recs := m.recs[:0]
			t.pool.Put(&recs)
			t.gate.release(m.ch)
		case msgWatermark:
			if wm, ok := t.valve.watermark(m.ch, m.time); ok {
				t.inWM.Store(wm)
				t.cur = head
				head.processWatermark(wm)
			}
		case msgIdle, msgActive:
			wm, adv, idle, changed := t.valve.status(m.ch, m.kind == msgIdle)
			t.idle.setInput(m.ch, len(t.gate.inputs), m.kind == msgIdle)
			if adv {
				t.inWM.Store(wm)
				head.processWatermark(wm)
			}
			if changed {
				forwardIdle(head, idle)
			}
		case msgBarrier:
			t.onBarrier(m.ch, m.time)
		case msgTime:
			t.channelTime(m.ch, m.time)
		case msgEnd:
			allEnded := t.valve.end(m.ch)
			if t.align != nil { // an ended channel will send no barrier: it may complete an alignment
				t.onBarrier(m.ch, t.align.id)
				if t.failed != nil {
					return t.failed
				}
			}
			if t.inband && !allEnded { // an ended channel no longer holds back in-band time
				t.advanceTime(t.lowestChannelTime())
			}
			if allEnded {
				t.finish()
				return t.failed
			}
		case msgMail:
			m.mail()
		}
		if t.failed != nil {
			return t.failed
		}
		t.publish()
	}
}

// recordFinal captures what a finished subtask contributes to later checkpoints: a source's end position
// and a sink's pre-committed final transactions. Keyed state is not kept: no input will ever change it, and
// every event-time timer has fired with the final watermark.
func (t *subtask) recordFinal() {
	var ops []opCP
	for _, op := range t.ops {
		b := op.base()
		cp := subtaskCP{Index: t.index}
		if b.node.source != nil {
			if rr, ok := t.reader.(ReplayableReader); ok {
				if o, err := rr.Offset(); err == nil {
					cp.Offset, cp.HasOffset = o, true
				}
			}
		}
		if s, ok := op.(*txnSinkOp); ok {
			cp.State = s.finalState()
		}
		ops = append(ops, opCP{node: b.node.id, name: b.node.name, par: t.parallelism, cp: cp})
	}
	t.finalOps = ops
	t.done.Store(true)
	t.job.coord.subtaskFinished(t)
}

// finish ends the chain's input: each operator ends in chain order, then the writers send the end of the
// stream downstream.
func (t *subtask) finish() {
	head := t.ops[0]
	t.cur = head
	head.endInput()
	head.base().out.end()
	t.flush()
}

func (t *subtask) drainMail() {
	for t.gate.mail.Load() > 0 {
		m, ok := t.gate.poll()
		if !ok {
			return
		}
		if m.kind == msgMail {
			m.mail()
		}
	}
}

// publish makes the subtask's counters visible to Snapshot.
func (t *subtask) publish() {
	for _, op := range t.ops {
		b := op.base()
		b.metrics.publish(b.wm)
	}
	if t.detailPending.Load() {
		t.publishDetail()
	}
}
