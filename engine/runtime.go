package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// JobStatus is the state of a job, as Flink's JobStatus.
type JobStatus int32

// The states of a job.
const (
	JobCreated JobStatus = iota
	JobRunning
	JobFinished
	JobFailed
	JobCanceled
	JobRestarting
)

func (s JobStatus) String() string {
	return [...]string{"CREATED", "RUNNING", "FINISHED", "FAILED", "CANCELED", "RESTARTING"}[s]
}

// Terminal reports whether the job has stopped for good.
func (s JobStatus) Terminal() bool { return s == JobFinished || s == JobFailed || s == JobCanceled }

// ErrCanceled is the error of a job that was canceled.
var ErrCanceled = errors.New("engine: job canceled")

// ErrNoResources is returned when the cluster has fewer slots than the job needs.
var ErrNoResources = errors.New("engine: not enough task slots")

// TaskManager is one worker of the embedded cluster: it offers slots, and runs each subtask placed in them in
// its own goroutine.
type TaskManager struct {
	ID    int
	Slots int
}

// ErrTaskManagerLost is the failure of a job whose TaskManager was killed (Job.KillTaskManager).
var ErrTaskManagerLost = errors.New("engine: TaskManager lost")

// Job is a running (or finished) job, returned by ExecuteAsync and Execute. Its methods are safe to call from
// any goroutine while the job runs.
//
// A job runs as a sequence of execution attempts. When an attempt fails and the restart strategy allows,
// the JobManager discards it, waits, and starts a new attempt from the latest completed checkpoint.
type Job struct {
	name   string
	runID  string // unique to this run of the job, growing with time (names sink transactions)
	cfg    Config
	plan   *Plan
	tms    []TaskManager
	slotTM []int // TaskManager of each slot

	status   atomic.Int32
	mu       sync.Mutex
	err      error
	done     chan struct{}
	cancel   chan struct{}
	stopOnce sync.Once
	started  time.Time
	ended    time.Time
	restarts atomic.Int32

	cur    atomic.Pointer[execution]
	events eventLog
	snap   snapshotState
	coord  *coordinator
}

// execution is one attempt at running the job: every subtask, gate and channel.
type execution struct {
	job      *Job
	attempt  int
	tasks    [][]*subtask // per vertex, per subtask
	gates    []*gate
	done     chan struct{}
	stopOnce sync.Once
	status   JobStatus // how the attempt ended
	err      error
	wg       sync.WaitGroup
	restored *checkpointMeta // the checkpoint this attempt started from, or nil

	finalMu sync.Mutex
	finals  []Transaction // sink transactions to commit once the attempt has finished
}

// addFinal records a pre-committed sink transaction to commit when the attempt finishes.
func (ex *execution) addFinal(t Transaction) {
	ex.finalMu.Lock()
	defer ex.finalMu.Unlock()
	ex.finals = append(ex.finals, t)
}

// commitFinals commits the transactions of sinks whose input ended, now that every subtask has finished.
func (ex *execution) commitFinals() error {
	ex.finalMu.Lock()
	defer ex.finalMu.Unlock()
	for _, t := range ex.finals {
		if err := t.Commit(); err != nil {
			return fmt.Errorf("engine: committing a sink's final transaction: %w", err)
		}
	}
	ex.finals = nil
	return nil
}

// ExecuteAsync plans the job and starts it, returning at once.
func (e *Environment) ExecuteAsync(name string) (*Job, error) {
	plan, err := buildPlan(e)
	if err != nil {
		return nil, err
	}
	j := &Job{name: name, runID: fmt.Sprintf("%016x", time.Now().UnixNano()), cfg: e.cfg, plan: plan,
		done: make(chan struct{}), cancel: make(chan struct{})}
	j.events.clock = e.cfg.Clock
	if err := j.placeSlots(); err != nil {
		return nil, err
	}
	if j.coord, err = newCoordinator(j); err != nil {
		return nil, err
	}
	var restore *checkpointMeta
	if from := e.cfg.Checkpointing.RestoreFrom; from != "" {
		if restore, err = readMetadata(from); err != nil {
			return nil, err
		}
	}
	first, err := j.newExecution(0, restore)
	if err != nil {
		return nil, err
	}
	j.started = time.Now()
	j.status.Store(int32(JobRunning))
	j.events.add(Event{Kind: EventJobStarted, Detail: j.name})
	j.cur.Store(first)
	if e.observer.JobStarted != nil {
		e.observer.JobStarted(j)
	}
	go j.run(first)
	return j, nil
}

// Execute runs the job and waits for it to end. For a bounded job that is when every source is exhausted and
// every record and window has been processed; an unbounded job runs until canceled or failed.
func (e *Environment) Execute(name string) (*Job, error) {
	j, err := e.ExecuteAsync(name)
	if err != nil {
		return nil, err
	}
	return j, j.Wait()
}

// Name returns the job's name.
func (j *Job) Name() string { return j.name }

// Plan returns the job's plan.
func (j *Job) Plan() *Plan { return j.plan }

// TaskManagers returns the cluster's TaskManagers.
func (j *Job) TaskManagers() []TaskManager { return j.tms }

// Status returns the job's current status.
func (j *Job) Status() JobStatus { return JobStatus(j.status.Load()) }

// Restarts returns how many times the job has been restarted after a failure.
func (j *Job) Restarts() int { return int(j.restarts.Load()) }

// Done is closed when the job has stopped for good.
func (j *Job) Done() <-chan struct{} { return j.done }

// Wait waits for the job to stop for good and returns why: nil when it finished, ErrCanceled, or its failure.
func (j *Job) Wait() error {
	<-j.done
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Err returns the job's failure, or nil.
func (j *Job) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Cancel stops the job; Wait then returns ErrCanceled.
func (j *Job) Cancel() {
	j.stopOnce.Do(func() { close(j.cancel) })
	if ex := j.cur.Load(); ex != nil {
		ex.stop(JobCanceled, ErrCanceled)
	}
}

// KillTaskManager simulates the loss of TaskManager id (counted from 1): every subtask in its slots dies,
// which fails the current attempt; the job then restarts from its latest completed checkpoint if its restart
// strategy allows.
func (j *Job) KillTaskManager(id int) error {
	if id < 1 || id > len(j.tms) {
		return fmt.Errorf("engine: no TaskManager %d (the cluster has %d)", id, len(j.tms))
	}
	ex := j.cur.Load()
	if ex == nil || j.Status().Terminal() {
		return fmt.Errorf("engine: job %q is not running", j.name)
	}
	ex.stop(JobFailed, fmt.Errorf("%w: TaskManager %d was killed", ErrTaskManagerLost, id))
	return nil
}

// placeSlots sizes the cluster: slot i runs subtask i of every vertex (Flink's slot sharing), so the job
// needs as many slots as its largest parallelism.
func (j *Job) placeSlots() error {
	slots := j.plan.Slots
	per := j.cfg.SlotsPerTaskManager
	if per <= 0 {
		per = (slots + j.cfg.TaskManagers - 1) / j.cfg.TaskManagers
	}
	if j.cfg.TaskManagers*per < slots {
		return fmt.Errorf("%w: the job needs %d slots (its largest parallelism) but the cluster has %d TaskManagers x %d slots",
			ErrNoResources, slots, j.cfg.TaskManagers, per)
	}
	for i := range j.cfg.TaskManagers {
		j.tms = append(j.tms, TaskManager{ID: i + 1, Slots: per})
	}
	for s := range slots {
		j.slotTM = append(j.slotTM, s/per+1)
	}
	return nil
}

// newExecution builds an attempt: its subtasks in their slots, the channels between them, and, if restore
// is set, the state, source positions and sink transactions of that checkpoint.
func (j *Job) newExecution(attempt int, restore *checkpointMeta) (*execution, error) {
	ex := &execution{job: j, attempt: attempt, done: make(chan struct{}), restored: restore}
	pool := &sync.Pool{New: func() any { b := make([]record, 0, j.cfg.BufferSize); return &b }}
	byNode := map[*node]*PlanVertex{}
	vertexIndex := map[*PlanVertex]int{}
	for vi, v := range j.plan.Vertices {
		vertexIndex[v] = vi
		for _, n := range v.nodes {
			byNode[n] = v
		}
		var ts []*subtask
		for i := range v.Parallelism {
			t := &subtask{job: j, exec: ex, vertex: v, index: i, parallelism: v.Parallelism, clock: j.cfg.Clock,
				slot: i, tm: j.slotTM[i], pool: pool}
			t.gate = newGate(j.cfg.BuffersPerChannel, ex.done)
			ex.gates = append(ex.gates, t.gate)
			if err := t.build(); err != nil {
				ex.discard()
				return nil, err
			}
			ts = append(ts, t)
		}
		ex.tasks = append(ex.tasks, ts)
	}
	// Wire every network edge: each upstream subtask gets a writer whose targets are the downstream
	// subtasks it may send to; each downstream subtask's gate gets one channel per such upstream subtask.
	for vi, v := range j.plan.Vertices {
		head := v.nodes[0]
		for _, in := range head.inputs {
			up := ex.tasks[vertexIndex[byNode[in.from]]]
			down := ex.tasks[vi]
			for _, ut := range up {
				w := &recordWriter{task: ut, part: in.part, key: in.key, maxP: j.cfg.MaxParallelism, size: j.cfg.BufferSize,
					pool: pool, blocked: &ut.blocked, rr: ut.index % len(down)}
				for _, dt := range down {
					if !connects(in.part, ut.index, dt.index) {
						continue
					}
					w.gates = append(w.gates, dt.gate)
					w.chans = append(w.chans, dt.gate.addChannel(in.input))
					w.bufs = append(w.bufs, w.newBuf())
				}
				if in.part == partHash {
					w.kgTarget = make([]int, j.cfg.MaxParallelism)
					for g := range w.kgTarget {
						w.kgTarget[g] = keygroup.SubtaskFor(j.cfg.MaxParallelism, len(down), g)
					}
				}
				ut.attach(in.from, in.side, w)
			}
		}
	}
	for _, ts := range ex.tasks {
		for _, t := range ts {
			t.valve = newValve(len(t.gate.inputs))
			t.inband = j.cfg.DeterministicTime
			t.procNow = j.cfg.Clock.NowMillis()
			t.chanTimes = make([]int64, len(t.gate.inputs))
			for i := range t.chanTimes {
				t.chanTimes[i] = t.procNow
			}
		}
	}
	if restore != nil {
		if err := ex.restore(restore); err != nil {
			ex.discard()
			return nil, err
		}
	}
	return ex, nil
}

// connects reports whether upstream subtask u sends to downstream subtask d under partitioning p.
func connects(p partitioning, u, d int) bool {
	switch p {
	case partForward:
		return u == d
	case partGlobal:
		return d == 0
	}
	return true
}

// run drives the job's attempts until one finishes, the job is canceled, or the restart strategy gives up.
func (j *Job) run(ex *execution) {
	for {
		j.cur.Store(ex)
		select {
		case <-j.cancel:
			ex.stop(JobCanceled, ErrCanceled)
		default:
		}
		ex.start()
		<-ex.done
		ex.wg.Wait()
		j.coord.attemptEnded(ex)
		ex.discard()
		if ex.status == JobFinished {
			// The final checkpoint records the sinks' last transactions before they are committed; if it
			// cannot complete, the attempt fails over like any other failure (Flink's final checkpoint).
			if err := j.coord.finalCheckpoint(ex); err != nil {
				ex.status, ex.err = JobFailed, err
			}
		}
		switch ex.status {
		case JobFinished:
			if err := ex.commitFinals(); err != nil {
				j.finish(JobFailed, err)
				return
			}
			j.finish(JobFinished, nil)
			return
		case JobCanceled:
			j.finish(JobCanceled, ErrCanceled)
			return
		}
		next, err := j.restart(ex)
		if err != nil {
			j.finish(JobFailed, err)
			return
		}
		ex = next
	}
}

// restart decides whether a failed attempt is retried and builds the next one from the latest completed
// checkpoint that can be restored, falling back to older ones when a checkpoint turns out to be corrupt.
func (j *Job) restart(failed *execution) (*execution, error) {
	rs := j.cfg.Restart
	if !rs.enabled(j.cfg) || int(j.restarts.Load()) >= rs.attempts() {
		if rs.enabled(j.cfg) {
			return nil, fmt.Errorf("engine: giving up after %d restarts: %w", j.restarts.Load(), failed.err)
		}
		return nil, failed.err
	}
	j.status.Store(int32(JobRestarting))
	j.restarts.Add(1)
	j.events.add(Event{Kind: EventJobRestarting, Detail: fmt.Sprintf("attempt %d failed: %v", failed.attempt+1, failed.err)})
	select {
	case <-time.After(rs.delay()):
	case <-j.cancel:
		return nil, ErrCanceled
	}
	var fallbackErr error
	candidates := j.coord.restoreCandidates()
	if len(candidates) == 0 && failed.restored != nil {
		// No checkpoint completed since the attempt started from a checkpoint or savepoint: start from it.
		candidates = []*checkpointMeta{failed.restored}
	}
	for _, cp := range candidates {
		for try := 1; ; try++ {
			ex, err := j.newExecution(failed.attempt+1, cp)
			if err == nil {
				if fallbackErr != nil {
					j.events.add(Event{Kind: EventCheckpointFallback, Detail: fmt.Sprintf("restored checkpoint %d instead: %v", cp.ID, fallbackErr)})
				}
				j.status.Store(int32(JobRunning))
				return ex, nil
			}
			if errors.Is(err, ErrCorruptCheckpoint) {
				// Only a checkpoint that cannot be read is given up for an older one. (Output its sinks
				// committed may then be repeated: the older checkpoint does not know it was committed.)
				j.events.add(Event{Kind: EventCheckpointFallback, Detail: fmt.Sprintf("checkpoint %d cannot be restored: %v", cp.ID, err)})
				fallbackErr = err
				break
			}
			// Any other failure to restore is retried on the same checkpoint: falling back would replay
			// records whose results a newer checkpoint has already committed.
			if try >= 3 {
				return nil, fmt.Errorf("engine: restoring checkpoint %d failed %d times: %w", cp.ID, try, err)
			}
			j.events.add(Event{Kind: EventJobRestarting, Detail: fmt.Sprintf("restoring checkpoint %d failed, retrying: %v", cp.ID, err)})
			select {
			case <-time.After(rs.delay()):
			case <-j.cancel:
				return nil, ErrCanceled
			}
		}
	}
	ex, err := j.newExecution(failed.attempt+1, nil) // no usable checkpoint: start from the beginning
	if err != nil {
		return nil, err
	}
	j.status.Store(int32(JobRunning))
	return ex, nil
}

func (j *Job) finish(status JobStatus, err error) {
	j.mu.Lock()
	j.err = err
	j.ended = time.Now()
	j.mu.Unlock()
	j.coord.stop()
	j.status.Store(int32(status))
	kind := map[JobStatus]EventKind{JobFinished: EventJobFinished, JobFailed: EventJobFailed, JobCanceled: EventJobCanceled}[status]
	detail := ""
	if err != nil {
		detail = err.Error()
	}
	j.events.add(Event{Kind: kind, Detail: detail})
	close(j.done)
}

func (ex *execution) start() {
	var running atomic.Int32
	for _, ts := range ex.tasks {
		running.Add(int32(len(ts)))
	}
	for _, ts := range ex.tasks {
		for _, t := range ts {
			ex.wg.Add(1)
			go func() {
				defer ex.wg.Done()
				t.run()
				if running.Add(-1) == 0 {
					ex.stop(JobFinished, nil)
				}
			}()
		}
	}
	ex.job.coord.attemptStarted(ex)
}

// fail stops the attempt because of err.
func (ex *execution) fail(err error) { ex.stop(JobFailed, err) }

func (ex *execution) stop(status JobStatus, err error) {
	ex.stopOnce.Do(func() {
		ex.status, ex.err = status, err
		close(ex.done)
		for _, g := range ex.gates {
			g.close()
		}
	})
}

func (ex *execution) stopped() bool {
	select {
	case <-ex.done:
		return true
	default:
		return false
	}
}

// discard releases what the attempt holds: its state backends and their live directories.
func (ex *execution) discard() {
	for _, ts := range ex.tasks {
		for _, t := range ts {
			for _, op := range t.ops {
				if b := op.base().backend; b != nil {
					b.Close()
				}
			}
		}
	}
}

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

	// What is running now, for error messages.
	cur    operator
	curRec any

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
			be, err := t.job.cfg.newBackend(t.job, n, t.index, keygroup.RangeFor(maxP, t.parallelism, t.index))
			if err != nil {
				return fmt.Errorf("engine: state backend of %s (subtask %d): %w", n.name, t.index+1, err)
			}
			b.backend = be
			b.eventTimers, b.procTimers = newTimerQueue(), newTimerQueue()
		}
		b.ctx.self = op
		f := &fanout{sides: map[*OutputTag][]target{}}
		b.out = f
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

// failure describes a panic in the subtask: the operator, the subtask and the record being processed.
func (t *subtask) failure(p any) error {
	name := t.vertex.Name
	if t.cur != nil {
		name = t.cur.base().name
	}
	what := "while firing a timer or emitting a watermark"
	if t.curRec != nil {
		what = fmt.Sprintf("on record %s", preview(t.curRec))
	}
	err, _ := p.(error)
	if err == nil {
		err = fmt.Errorf("%v", p)
	}
	return &TaskError{Operator: name, Subtask: t.index, Parallelism: t.parallelism, Context: what, Err: err,
		Stack: string(debug.Stack())}
}

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
	Stack       string // the goroutine's stack at the panic, for debugging
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("operator %q (subtask %d/%d) failed %s: %v", e.Operator, e.Subtask+1, e.Parallelism, e.Context, e.Err)
}

func (e *TaskError) Unwrap() error { return e.Err }

func (t *subtask) run() {
	defer func() {
		if p := recover(); p != nil {
			t.exec.fail(t.failure(p))
		}
		t.finished.Store(true)
	}()
	for _, op := range t.ops {
		t.cur = op
		if err := op.open(); err != nil {
			panic(fmt.Errorf("open: %w", err))
		}
	}
	t.cur = nil
	if t.vertex.nodes[0].source != nil {
		t.runSource()
	} else {
		t.runInput()
	}
	if t.exec.stopped() {
		return
	}
	t.recordFinal()
	for _, op := range t.ops {
		t.cur = op
		if err := op.close(); err != nil {
			panic(fmt.Errorf("close: %w", err))
		}
	}
	t.publish()
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

func (t *subtask) runInput() {
	head := t.ops[0]
	hb := head.base()
	faults := t.job.cfg.Faults
	for {
		m, ok := t.next()
		if !ok {
			return
		}
		if t.holds(m) {
			continue
		}
		switch m.kind {
		case msgRecords:
			in := t.gate.inputs[m.ch]
			t.cur = head
			for _, r := range m.recs {
				t.curRec = r.v
				if faults != nil {
					faults.inject(FailProcess)
				}
				hb.metrics.in++
				head.processElement(in, r)
			}
			t.curRec = nil
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
			if adv {
				t.inWM.Store(wm)
				head.processWatermark(wm)
			}
			if changed {
				hb.out.idle(idle)
			}
		case msgBarrier:
			t.onBarrier(m.ch, m.time)
		case msgTime:
			t.channelTime(m.ch, m.time)
		case msgEnd:
			allEnded := t.valve.end(m.ch)
			if t.align != nil { // an ended channel will send no barrier: it may complete an alignment
				t.onBarrier(m.ch, t.align.id)
			}
			if t.inband && !allEnded { // an ended channel no longer holds back in-band time
				t.advanceTime(t.lowestChannelTime())
			}
			if allEnded {
				t.finish()
				return
			}
		case msgMail:
			m.mail()
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

// sourceOp is the head of a source's chain: it forwards what the reader produces.
type sourceOp struct{ opBase }

func (o *sourceOp) processElement(_ int, r record) { o.metrics.out++; o.out.collect(r) }
func (o *sourceOp) processWatermark(wm int64) {
	if wm > o.wm {
		o.wm = wm
		o.out.watermark(wm)
	}
}

func (t *subtask) runSource() {
	n := t.vertex.nodes[0]
	head := t.ops[0]
	hb := head.base()
	setTime := func(int64) {}
	if vc, ok := t.clock.(*VirtualClock); ok {
		setTime = func(at int64) {
			if t.inband && at > t.procNow {
				t.flush()
				t.advanceTime(at)
			}
			if at > vc.NowMillis() {
				t.flush()
				vc.Set(at)
			}
		}
	}
	reader, err := n.source.src.Reader(SourceContext{Subtask: t.index, Parallelism: t.parallelism, Clock: t.clock, SetTime: setTime})
	if err != nil {
		panic(fmt.Errorf("creating the source reader: %w", err))
	}
	defer reader.Close()
	rr, replayable := reader.(ReplayableReader)
	if t.restoreOffset != nil {
		if !replayable {
			panic(fmt.Errorf("source %s cannot seek to its checkpointed position: its reader is not replayable", n.name))
		}
		if err := rr.Seek(t.restoreOffset); err != nil {
			panic(fmt.Errorf("source seek to checkpointed position: %w", err))
		}
	}
	t.reader = reader
	trackReads := replayable && t.guarantee() == AtMostOnce && t.job.cfg.Checkpointing.Interval > 0
	faults := t.job.cfg.Faults
	var em *wmEmitter
	if s := n.source.strategy; s != nil {
		em = &wmEmitter{s: *s}
		em.init(t, s.interval)
		em.emit = func(wm int64) { head.processWatermark(wm) }
		em.markIdle = func(idle bool) { hb.out.idle(idle) }
	}
	t.cur = head
	count := 0
	for {
		if t.gate.mail.Load() > 0 {
			t.drainMail()
			t.cur = head
		}
		if t.exec.stopped() {
			return
		}
		e, err := reader.Read()
		switch {
		case err == nil:
		case errors.Is(err, ErrNoData):
			t.flush()
			if em != nil {
				em.maybePeriodic()
			}
			t.publish()
			t.gate.wait(time.Millisecond)
			continue
		case errors.Is(err, ErrEndOfInput):
			head.processWatermark(MaxWatermark) // a bounded input ends with the final watermark
			t.inWM.Store(MaxWatermark)
			t.finish()
			return
		default:
			panic(fmt.Errorf("source read: %w", err))
		}
		switch m := e.Value.(type) {
		case Watermark:
			if em != nil {
				em.emitWatermark(m.Time)
			} else {
				head.processWatermark(m.Time)
			}
			continue
		case Crash:
			panic(fmt.Errorf("scripted crash: %s", m.Reason))
		}
		ts := e.Timestamp
		t.curRec = e.Value
		if faults != nil {
			faults.inject(FailSourceEmit)
		}
		if trackReads {
			if o, err := rr.Offset(); err == nil {
				t.readOffset = o
			}
		}
		if em != nil {
			ts = em.assign(e.Value, ts)
		}
		hb.metrics.in++
		head.processElement(0, record{v: e.Value, ts: ts})
		if em != nil {
			em.observe(e.Value, ts)
		}
		t.curRec = nil
		count++
		if count&63 == 0 {
			if em != nil && !em.s.perRecord {
				em.maybePeriodic()
			}
			t.publish()
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

// sortedWindows lists a window operator's open windows, earliest end first, at most limit of them.
func sortedWindows(open map[Window]*windowStat, limit int) []WindowInfo {
	out := make([]WindowInfo, 0, len(open))
	for w, st := range open {
		out = append(out, WindowInfo{Start: w.Start, End: w.End, Keys: st.keys, Elements: st.elements})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].End != out[j].End {
			return out[i].End < out[j].End
		}
		return out[i].Start < out[j].Start
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
