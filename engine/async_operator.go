package engine

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// asyncOp is Flink's AsyncWaitOperator. Its queue holds the in-flight records and the watermarks waiting for
// them, at most capacity entries. Requests complete on other goroutines; their outcomes, timeouts and retry
// delays arrive in the operator's inbox and are handled on the subtask's goroutine only: through gate mail
// normally, or directly while the operator waits for room in its queue or, at the end of input, for its last
// requests (Flink's mailbox yield).
type asyncOp struct {
	opBase
	f        AsyncFunction
	timeout  time.Duration
	capacity int
	ordered  bool
	retry    *AsyncRetryStrategy

	jobCtx    context.Context // the attempt's context, parent of every request's
	queue     []*asyncEntry   // in input order; emitted entries may linger (gone) until compacted
	live      int             // entries of queue not emitted yet: what capacity bounds
	wms       []*asyncEntry   // the watermark entries of queue, in order (unordered mode)
	inSeq     int64           // input counter
	doneSeq   int64           // completion counter: the unordered mode emits a segment in completion order
	deadlines []*asyncEntry   // records by timeout deadline, which is their input order; one clock timer
	timerAt   int64           // the deadline the timer is set for, or 0
	stopTimer func()
	finishing bool // endInput has started: no more retries (Flink's retryDisabledOnFinish)
	emittedWM int64
	restored  []asyncPending // checkpointed entries, re-issued before anything else
	reissued  bool

	mu      sync.Mutex
	inbox   []asyncEvent
	posted  bool          // a mail to drain the inbox is pending
	wake    chan struct{} // signals the inbox to the subtask's goroutine waiting in await
	waiting atomic.Bool   // the subtask's goroutine is (about to be) waiting in await
}

// asyncEntry is one element of the queue: a record with its request, or a watermark.
type asyncEntry struct {
	wm       bool
	v        any
	ts       int64
	noTs     bool // the record has no timestamp
	attempts int  // calls made so far
	lastWait time.Duration
	fut      *asyncFuture // the current attempt's future
	cancel   context.CancelFunc
	timedOut bool
	done     bool
	gone     bool  // emitted
	in       int64 // input order
	seq      int64 // completion order
	deadline int64 // processing time of the timeout, or 0
	results  []any
	stopWait func() // cancels a pending retry
}

type asyncEventKind uint8

const (
	asyncCompleted asyncEventKind = iota
	asyncTimedOut
	asyncRetryDue
)

type asyncEvent struct {
	kind    asyncEventKind
	e       *asyncEntry
	fut     *asyncFuture
	results []any
	err     error
}

// asyncFuture is the ResultFuture of one attempt of a request.
type asyncFuture struct {
	op        *asyncOp
	e         *asyncEntry
	completed atomic.Bool
}

func (f *asyncFuture) Complete(results []any) {
	if f.completed.CompareAndSwap(false, true) {
		f.op.deliver(asyncEvent{kind: asyncCompleted, e: f.e, fut: f, results: results})
	}
}

func (f *asyncFuture) CompleteExceptionally(err error) {
	if err == nil {
		err = errors.New("CompleteExceptionally called with a nil error")
	}
	if f.completed.CompareAndSwap(false, true) {
		f.op.deliver(asyncEvent{kind: asyncCompleted, e: f.e, fut: f, err: err})
	}
}

// asyncPending is an entry of the queue in a checkpoint: Flink snapshots the queue's inputs as operator list
// state and processes them again on restore.
type asyncPending struct {
	Watermark bool
	V         any
	TS        int64
	NoTS      bool // the record has no timestamp
}

// errAsyncStopped unwinds the subtask's goroutine when the job stops while the operator waits.
var errAsyncStopped = errors.New("engine: job stopped while waiting for async requests")

func (o *asyncOp) open() error {
	o.jobCtx = o.task.context()
	o.wake = make(chan struct{}, 1)
	o.emittedWM = MinWatermark
	if o.f.Open != nil {
		if err := o.f.Open(&o.ctx); err != nil {
			return err
		}
	}
	if len(o.restored) > 0 {
		// Re-issue at the first thing the subtask does after opening the chain (the operators after this one
		// are not open yet), and at the latest with this mail.
		o.task.gate.post(func() { o.reissue() })
	} else {
		o.reissued = true
	}
	return nil
}

func (o *asyncOp) close() error {
	if o.f.Close != nil {
		return o.f.Close()
	}
	return nil
}

// reissue processes the checkpointed entries again, in their order, before any new input.
func (o *asyncOp) reissue() {
	if o.reissued {
		return
	}
	o.reissued = true
	restored := o.restored
	o.restored = nil
	for _, p := range restored {
		if p.Watermark {
			o.addWatermark(p.TS)
		} else {
			o.addRecord(p.V, p.TS, p.NoTS)
		}
	}
}

func (o *asyncOp) processElement(_ int, r record) {
	o.reissue()
	o.addRecord(r.v, r.ts, r.noTs)
}

func (o *asyncOp) processWatermark(wm int64) {
	o.reissue()
	o.addWatermark(wm)
}

// endInput fires the retries still waiting for their delay at once and waits for every request to complete
// (Flink's finishInFlightDelayedInputs and waitInFlightInputsFinished).
func (o *asyncOp) endInput() {
	o.reissue()
	o.finishing = true
	for _, e := range o.queue {
		if e.stopWait != nil && !e.done {
			e.stopWait()
			e.stopWait = nil
			o.invoke(e)
		}
	}
	for o.live > 0 {
		o.await()
	}
	if o.stopTimer != nil {
		o.stopTimer()
	}
}

// add puts e into the queue, waiting (and handling completions) while the queue is full.
func (o *asyncOp) add(e *asyncEntry) {
	for o.live >= o.capacity {
		o.await()
	}
	o.inSeq++
	e.in = o.inSeq
	o.queue = append(o.queue, e)
	o.live++
	if e.wm {
		o.wms = append(o.wms, e)
	}
}

func (o *asyncOp) addWatermark(wm int64) {
	o.add(&asyncEntry{wm: true, ts: wm, done: true})
	o.emitReady()
}

func (o *asyncOp) addRecord(v any, ts int64, noTs bool) {
	e := &asyncEntry{v: v, ts: ts, noTs: noTs}
	o.add(e)
	if o.timeout > 0 {
		e.deadline = o.task.clock.NowMillis() + max(o.timeout.Milliseconds(), 1) // the clock counts milliseconds
		o.deadlines = append(o.deadlines, e)
		if o.timerAt == 0 {
			o.armTimer(e.deadline)
		}
	}
	o.invoke(e)
}

// armTimer sets the operator's one timeout timer for at. Every record has the same timeout, so deadlines come
// in input order and the earliest is that of the oldest record still waiting: one timer serves them all.
func (o *asyncOp) armTimer(at int64) {
	o.timerAt = at
	o.stopTimer = o.after(at, func() { o.deliver(asyncEvent{kind: asyncTimedOut}) })
}

// expire times out the records whose deadline has passed and sets the timer for the next one.
func (o *asyncOp) expire() {
	o.timerAt = 0
	o.stopTimer()
	now := o.task.clock.NowMillis()
	n := 0
	for n < len(o.deadlines) {
		e := o.deadlines[n]
		if e.done {
			n++
			continue
		}
		if e.deadline > now {
			break
		}
		n++
		t := o.task
		prev, prevRec := t.cur, t.curRec
		t.cur, t.curRec = o, e.v
		o.timedOut(e)
		t.cur, t.curRec = prev, prevRec
	}
	clear(o.deadlines[:n])
	o.deadlines = o.deadlines[n:]
	o.compactDeadlines()
	if len(o.deadlines) > 0 {
		o.armTimer(o.deadlines[0].deadline)
	}
}

// compactDeadlines drops completed records from the deadline list once they are the majority, so that a
// record stuck at its head does not make the list grow with every record completed behind it.
func (o *asyncOp) compactDeadlines() {
	if len(o.deadlines) < 64 || len(o.deadlines) < 2*o.live {
		return
	}
	keep := o.deadlines[:0]
	for _, e := range o.deadlines {
		if !e.done {
			keep = append(keep, e)
		}
	}
	clear(o.deadlines[len(keep):])
	o.deadlines = keep
}

// invoke makes one attempt at e's request.
func (o *asyncOp) invoke(e *asyncEntry) {
	e.attempts++
	ctx, cancel := context.WithCancel(o.jobCtx)
	e.cancel = cancel
	e.fut = &asyncFuture{op: o, e: e}
	o.f.AsyncInvoke(ctx, e.v, e.fut)
}

// after runs f once the job's clock reaches at, unless the returned stop is called first or the attempt
// stops (its timer is then released at once).
func (o *asyncOp) after(at int64, f func()) (stop func()) {
	stopClock := o.task.clock.AfterFunc(at, f)
	stopWatch := context.AfterFunc(o.jobCtx, func() { stopClock() })
	return func() {
		stopClock()
		stopWatch()
	}
}

// deliver hands an event to the subtask's goroutine; any goroutine may call it.
func (o *asyncOp) deliver(ev asyncEvent) {
	o.mu.Lock()
	o.inbox = append(o.inbox, ev)
	post := !o.posted
	o.posted = true
	o.mu.Unlock()
	if post {
		o.task.gate.post(o.drainMail)
	}
	if o.waiting.Load() {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
}

func (o *asyncOp) drainMail() {
	o.mu.Lock()
	o.posted = false
	o.mu.Unlock()
	o.drain()
}

// drain handles the events in the inbox, and those they cause, and reports whether there were any.
func (o *asyncOp) drain() bool {
	any := false
	for {
		o.mu.Lock()
		evs := o.inbox
		o.inbox = nil
		o.mu.Unlock()
		if len(evs) == 0 {
			return any
		}
		any = true
		t := o.task
		prev, prevRec := t.cur, t.curRec
		for _, ev := range evs {
			if ev.kind == asyncTimedOut {
				o.expire()
				continue
			}
			t.cur, t.curRec = o, ev.e.v
			o.handle(ev)
		}
		t.cur, t.curRec = prev, prevRec
	}
}

// await waits for at least one event and handles it; the job stopping unwinds the subtask.
func (o *asyncOp) await() {
	for !o.drain() {
		// Announce the wait, then look again: an event delivered before the announcement is seen here, one
		// delivered after it signals wake.
		o.waiting.Store(true)
		o.mu.Lock()
		pending := len(o.inbox) > 0
		o.mu.Unlock()
		if !pending {
			select {
			case <-o.wake:
			case <-o.task.gate.done:
				o.waiting.Store(false)
				panic(errAsyncStopped)
			}
		}
		o.waiting.Store(false)
	}
}

func (o *asyncOp) handle(ev asyncEvent) {
	e := ev.e
	if e.done {
		return // a timeout or retry that lost the race with the completion
	}
	switch ev.kind {
	case asyncRetryDue:
		if e.stopWait != nil && !e.timedOut {
			e.stopWait() // releases the timer's watch of the job's context
			e.stopWait = nil
			o.invoke(e)
		}
	case asyncCompleted:
		if ev.fut != e.fut {
			return
		}
		if o.shouldRetry(e, ev.results, ev.err) {
			e.cancel()
			e.lastWait = o.retry.backoff(e.lastWait)
			at := o.task.clock.NowMillis() + e.lastWait.Milliseconds()
			e.stopWait = o.after(at, func() { o.deliver(asyncEvent{kind: asyncRetryDue, e: e}) })
			return
		}
		o.complete(e, ev.results, ev.err)
	}
}

func (o *asyncOp) shouldRetry(e *asyncEntry, results []any, err error) bool {
	r := o.retry
	if r == nil || e.timedOut || o.finishing || e.attempts > r.MaxAttempts {
		return false
	}
	if err != nil {
		return r.RetryOnError != nil && r.RetryOnError(err)
	}
	return r.RetryOnResult != nil && r.RetryOnResult(results)
}

// timedOut hands e to the user's Timeout, with the current attempt's future if it is still open (so that a
// late answer is ignored once Timeout completed it), or a new one if e was waiting for a retry.
func (o *asyncOp) timedOut(e *asyncEntry) {
	e.timedOut = true // no more retries
	fut := e.fut
	if e.stopWait == nil && fut.completed.Load() {
		return // the answer came first and is on its way: it wins (Flink: FLINK-22573)
	}
	if e.stopWait != nil {
		e.stopWait()
		e.stopWait = nil
		fut = &asyncFuture{op: o, e: e}
		e.fut = fut
	}
	if o.f.Timeout != nil {
		o.f.Timeout(e.v, fut)
		return
	}
	fut.CompleteExceptionally(fmt.Errorf("%w: operator %q, record %s, after %v", ErrAsyncTimeout, o.name, preview(e.v), o.timeout))
}

// complete records e's outcome and emits what is ready; an error fails the job (Flink fails the task).
func (o *asyncOp) complete(e *asyncEntry, results []any, err error) {
	if e.stopWait != nil {
		e.stopWait()
	}
	e.cancel()
	if err != nil {
		if errors.Is(err, ErrAsyncTimeout) {
			panic(err)
		}
		panic(fmt.Errorf("async request failed (attempt %d): %w", e.attempts, err))
	}
	e.done = true
	o.doneSeq++
	e.seq = o.doneSeq
	e.results = results
	if !o.ordered && (len(o.wms) == 0 || e.in < o.wms[0].in) {
		o.emitEntry(e) // unordered: a record before the first waiting watermark goes at once
	}
	o.emitReady()
	n := 0
	for n < len(o.deadlines) && o.deadlines[n].done {
		n++
	}
	clear(o.deadlines[:n])
	o.deadlines = o.deadlines[n:]
	if len(o.deadlines) == 0 && o.timerAt != 0 {
		o.stopTimer() // nothing left to time out (Flink: testTimeoutCleanup)
		o.timerAt = 0
	}
	o.compactDeadlines()
}

// emitReady emits what the queue allows from its head: in ordered mode the completed entries; in unordered
// mode (where records of the first segment were emitted when they completed) a watermark once nothing
// precedes it, then the completed records of the segment after it, in completion order, and so on.
func (o *asyncOp) emitReady() {
	for {
		n := 0
		for n < len(o.queue) && o.queue[n].gone {
			n++
		}
		if o.ordered {
			for n < len(o.queue) && o.queue[n].done {
				o.emitEntry(o.queue[n])
				n++
			}
		}
		clear(o.queue[:n])
		o.queue = o.queue[n:]
		if o.ordered || len(o.queue) == 0 || !o.queue[0].wm {
			break
		}
		o.emitEntry(o.queue[0]) // a watermark at the head: its segment is done
		var ready []*asyncEntry
		for _, e := range o.queue[1:] {
			if e.wm {
				break
			}
			if e.done {
				ready = append(ready, e)
			}
		}
		slices.SortFunc(ready, func(a, b *asyncEntry) int { return int(a.seq - b.seq) })
		for _, e := range ready {
			o.emitEntry(e)
		}
	}
	if len(o.queue) == 0 {
		o.queue = nil
	} else if len(o.queue) >= 64 && len(o.queue) >= 2*o.live {
		keep := o.queue[:0] // drop the emitted records lingering behind a slow one
		for _, e := range o.queue {
			if !e.gone {
				keep = append(keep, e)
			}
		}
		clear(o.queue[len(keep):])
		o.queue = keep
	}
}

func (o *asyncOp) emitEntry(e *asyncEntry) {
	e.gone = true
	o.live--
	if e.wm {
		o.wms = o.wms[1:] // watermarks leave in order
		if e.ts > o.emittedWM {
			o.emittedWM = e.ts
			o.wm = e.ts
			o.out.watermark(e.ts)
		}
		return
	}
	for _, v := range e.results {
		o.metrics.out++
		o.out.collect(record{v: v, ts: e.ts, noTs: e.noTs})
	}
	e.results = nil
}

// snapshotOpState stores the inputs of every queued entry (Flink's "_async_wait_operator_state_").
func (o *asyncOp) snapshotOpState(int64) ([]byte, error) {
	o.reissue()
	if o.live == 0 {
		return nil, nil
	}
	pending := make([]asyncPending, 0, o.live)
	for _, e := range o.queue {
		if e.gone {
			continue
		}
		pending = append(pending, asyncPending{Watermark: e.wm, V: e.v, TS: e.ts, NoTS: e.noTs})
		if !e.wm {
			RegisterType(e.v)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(pending); err != nil {
		return nil, fmt.Errorf("engine: %s: encoding the in-flight records (register their types with RegisterType): %w", o.name, err)
	}
	return buf.Bytes(), nil
}

// restoreOpState takes the in-flight entries of the checkpoint (of every subtask whose state is assigned
// to this one after a change of parallelism); open re-issues them.
func (o *asyncOp) restoreOpState(blobs [][]byte) error {
	o.restored = nil
	for _, b := range blobs {
		var pending []asyncPending
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&pending); err != nil {
			return fmt.Errorf("%w: in-flight records of %s: %v", ErrCorruptCheckpoint, o.name, err)
		}
		o.restored = append(o.restored, pending...)
	}
	return nil
}

func (o *asyncOp) notifyComplete(int64) {}
