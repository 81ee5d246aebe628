package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
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
	// commits remembers the newest checkpoint whose output a two-phase-commit sink committed, so that a
	// recovery never silently goes back past it (guardRecovery).
	commits commitGuard
	align   *alignmentCoordinator // nil when no source is aligned
	batch   *batchScheduler       // runs the stages of a Batch job, nil in Streaming
	mem     slotMemory            // the managed memory of each slot
	faults  *faultinject.Faults   // failpoints armed by tests, nil otherwise

	ctx        context.Context // the context the job runs under (ExecuteAsyncContext)
	releaseCtx func() bool     // stops watching ctx
	cancelErr  error           // why the job was canceled, under mu

	iteration *IterationProgress // the iteration this job is a superstep of, nil otherwise (Job.Iteration)
}

// ExecuteAsync plans the job and starts it, returning at once.
func (e *Environment) ExecuteAsync(name string) (*Job, error) {
	return e.ExecuteAsyncContext(context.Background(), name)
}

// ExecuteAsyncContext is ExecuteAsync under ctx: cancelling ctx cancels the job (see ExecuteContext).
func (e *Environment) ExecuteAsyncContext(ctx context.Context, name string) (*Job, error) {
	plan, err := buildPlan(e)
	if err != nil {
		return nil, err
	}
	j := &Job{name: name, runID: fmt.Sprintf("%016x", time.Now().UnixNano()), cfg: e.cfg, plan: plan,
		done: make(chan struct{}), cancel: make(chan struct{}), faults: e.faults}
	j.events.clock = e.cfg.Clock
	batchNote := j.settleRuntimeMode(e.nodes)
	if err := j.placeSlots(); err != nil {
		return nil, err
	}
	if err := j.cfg.checkManagedMemory(j.tms[0].Slots); err != nil {
		return nil, err
	}
	if j.coord, err = newCoordinator(j); err != nil {
		return nil, err
	}
	j.commits.dir = j.coord.dir
	j.align = newAlignmentCoordinator(j)
	j.ctx = ctx
	var restore *checkpointMeta
	if from := e.cfg.Checkpointing.RestoreFrom; from != "" {
		if restore, err = readMetadata(from); err != nil {
			j.coord.stop()
			return nil, err
		}
		// A checkpoint of the same checkpoint directory: the crashed job may have committed newer output.
		if filepath.Clean(filepath.Dir(from)) == filepath.Clean(j.coord.dir) {
			committed, err := readCommitted(j.coord.dir)
			if err == nil {
				j.commits.id = committed
				err = j.guardRecovery(restore)
			}
			if err != nil {
				j.coord.stop()
				return nil, err
			}
		}
	} else if err := j.guardFreshStart(); err != nil {
		j.coord.stop()
		return nil, err
	}
	var first *execution
	if j.cfg.RuntimeMode == Batch {
		first, err = j.startBatch(restore)
	} else {
		first, err = j.newExecution(0, restore)
	}
	if err != nil {
		j.coord.stop()
		return nil, err
	}
	j.started = time.Now()
	j.status.Store(int32(JobRunning))
	j.events.add(Event{Kind: EventJobStarted, Detail: j.name})
	if batchNote != "" {
		j.events.add(Event{Kind: EventCheckpointingDisabled, Detail: batchNote})
	}
	j.cur.Store(first)
	if e.observer.JobStarted != nil {
		e.observer.JobStarted(j)
	}
	j.watchContext(ctx)
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

// Config returns the configuration the job runs with, defaults applied (its Environment's, or the one given
// to ExecuteAsyncOfConfig).
func (j *Job) Config() Config { return j.cfg }

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
func (j *Job) Cancel() { j.cancelWith(nil) }

// KillTaskManager simulates the loss of TaskManager id (counted from 1): every subtask in its slots dies,
// which fails the current attempt; the job then restarts from its latest completed checkpoint if its restart
// strategy allows. In a Batch job the blocking results its subtasks produced are lost with it, so their
// stages run again before the failed stage restarts.
func (j *Job) KillTaskManager(id int) error {
	if id < 1 || id > len(j.tms) {
		return fmt.Errorf("engine: no TaskManager %d (the cluster has %d)", id, len(j.tms))
	}
	ex := j.cur.Load()
	if ex == nil || j.Status().Terminal() {
		return fmt.Errorf("engine: job %q is not running", j.name)
	}
	if j.batch != nil {
		j.batch.loseTaskManager(id)
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

// run drives the job's attempts until one finishes, the job is canceled, or the restart strategy gives up.
func (j *Job) run(ex *execution) {
	if j.batch != nil {
		j.runBatch(ex)
		return
	}
	for {
		j.cur.Store(ex)
		select {
		case <-j.cancel:
			ex.stop(JobCanceled, j.canceledErr())
		default:
		}
		ex.start()
		<-ex.done
		ex.wg.Wait()
		ex.snapshots.Wait() // the asynchronous snapshot parts still read the state backends
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
			if err := j.commits.clearOnFinish(); err != nil {
				j.finish(JobFailed, err)
				return
			}
			j.finish(JobFinished, nil)
			return
		case JobCanceled:
			j.finish(JobCanceled, j.canceledErr())
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
	if rs.Attempts <= 0 { // restarts disabled
		return nil, failed.err
	}
	if int(j.restarts.Load()) >= rs.Attempts {
		return nil, fmt.Errorf("engine: giving up after %d restarts: %w", j.restarts.Load(), failed.err)
	}
	j.status.Store(int32(JobRestarting))
	j.restarts.Add(1)
	j.events.add(Event{Kind: EventJobRestarting, Detail: fmt.Sprintf("attempt %d failed: %v", failed.attempt+1, failed.err)})
	select {
	case <-time.After(rs.Delay):
	case <-j.cancel:
		return nil, j.canceledErr()
	}
	var fallbackErr error
	candidates := j.coord.restoreCandidates()
	if len(candidates) == 0 && failed.restored != nil {
		// No checkpoint completed since the attempt started from a checkpoint or savepoint: start from it.
		candidates = []*checkpointMeta{failed.restored}
	}
	for _, cp := range candidates {
		if err := j.guardRecovery(cp); err != nil {
			return nil, err
		}
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
			case <-time.After(rs.Delay):
			case <-j.cancel:
				return nil, j.canceledErr()
			}
		}
	}
	if err := j.guardRecovery(nil); err != nil {
		return nil, err
	}
	ex, err := j.newExecution(failed.attempt+1, nil) // no usable checkpoint: start from the beginning
	if err != nil {
		return nil, err
	}
	j.status.Store(int32(JobRunning))
	return ex, nil
}

func (j *Job) finish(status JobStatus, err error) {
	j.releaseContext()
	j.mu.Lock()
	j.err = err
	j.ended = time.Now()
	j.mu.Unlock()
	j.coord.stop()
	j.align.stop()
	j.status.Store(int32(status))
	kind := map[JobStatus]EventKind{JobFinished: EventJobFinished, JobFailed: EventJobFailed, JobCanceled: EventJobCanceled}[status]
	detail := ""
	if err != nil {
		detail = err.Error()
	}
	j.events.add(Event{Kind: kind, Detail: detail})
	close(j.done)
}
