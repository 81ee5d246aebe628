package engine

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// batchScheduler runs a Batch job stage by stage (batch_stages.go), Flink's PipelinedRegionSchedulingStrategy
// with blocking exchanges: a stage starts when every stage it reads has finished, its subtasks read the
// blocking results of those stages (blocking_partition.go), and the next stage starts when all of its
// subtasks have finished.
//
// Failover is Flink's RestartPipelinedRegionFailoverStrategy at the granularity of stages: a failure
// restarts only the failed stage, which reads its inputs again from the finished stages' results; finished
// stages do not run again, unless a result the stage needs is missing or corrupt (ErrPartitionNotFound), in
// which case its producer stage runs again first. Every restart, of a stage or of a producer, counts
// against Config.Restart as a restart of the job would. (Flink splits a stage of forward edges further, into
// one region per parallel pipeline, and restarts only the failed pipeline; Weir restarts the whole stage.)
//
// Sinks keep their output exactly-once across region restarts by this rule: what a stage's sinks write is
// committed when, and only when, the stage's attempt has finished (every subtask of it), and an attempt
// that fails aborts it. A TwoPhaseCommitSink (SinkToTransactional, SinkToFiles) pre-commits its transaction
// at the end of its input and the scheduler commits it when the stage finishes, as Flink's sink committer
// commits at the end of input in BATCH mode; a Collect sink is transactional in the same way (its records
// appear in Collected when its stage finishes). A finished stage that runs again only to rebuild a lost
// result aborts its sinks' output, which was committed by its first successful attempt. Sinks that are
// plain functions (SinkTo, Print, WriteAsText, AddSink) cannot be rolled back: a restarted stage calls them
// again for the records of the failed attempt (at-least-once), as a SinkFunction in Flink.
type batchScheduler struct {
	job           *Job
	stages        []*batchStage
	runs          []*stageRun
	stageOfVertex []int // stage id of each vertex index
	vertexIndex   map[*node]int

	mu          sync.Mutex
	vertexTasks [][]*subtask // the latest subtasks of each vertex, for Snapshot
	parts       map[partKey]*resultPartition
	dir         string
	memNoted    bool
	attempts    int // stage attempts started, numbering executions (and so sink transactions) uniquely

	// beforeStage, if set (by tests in this package), is called before each attempt of a stage starts.
	beforeStage func(stage, attempt int)
}

// partKey names a result partition: the consumer vertex index, its input edge, the producer subtask.
type partKey struct{ vertex, edge, producer int }

// stageRun is a stage's progress.
type stageRun struct {
	stage     *batchStage
	state     StageState
	attempts  int
	started   time.Time
	finished  time.Time
	committed bool // its sinks' output has been committed once
	ex        *execution
	in, out   atomic.Int64
	parts     []partKey // its current result partitions
}

func newBatchScheduler(j *Job) *batchScheduler {
	b := &batchScheduler{job: j, stages: computeStages(j.plan), parts: map[partKey]*resultPartition{},
		vertexIndex: map[*node]int{}, stageOfVertex: make([]int, len(j.plan.Vertices)),
		vertexTasks: make([][]*subtask, len(j.plan.Vertices))}
	for vi, v := range j.plan.Vertices {
		for _, n := range v.nodes {
			b.vertexIndex[n] = vi
		}
	}
	for _, s := range b.stages {
		b.runs = append(b.runs, &stageRun{stage: s})
		for _, vi := range s.vertices {
			b.stageOfVertex[vi] = s.id
		}
	}
	return b
}

func (b *batchScheduler) vertexOf(n *node) int { return b.vertexIndex[n] }

func (b *batchScheduler) partition(k partKey) *resultPartition {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.parts[k]
}

func (b *batchScheduler) setPartition(k partKey, rp *resultPartition) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old := b.parts[k]; old != nil {
		old.discard()
	}
	b.parts[k] = rp
	rp.stage.parts = append(rp.stage.parts, k)
}

// tempDir returns the job's directory for blocking results, creating it on first use.
func (b *batchScheduler) tempDir() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		d, err := os.MkdirTemp("", "weir-batch-")
		if err != nil {
			return "", fmt.Errorf("engine: directory for blocking results: %w", err)
		}
		b.dir = d
	}
	return b.dir, nil
}

// noteInMemory records, once per job, that a partition stays in memory because its records cannot be encoded.
func (b *batchScheduler) noteInMemory(rp *resultPartition, err error) {
	b.mu.Lock()
	first := !b.memNoted
	b.memNoted = true
	b.mu.Unlock()
	if first {
		b.job.events.add(Event{Kind: EventPartitionInMemory, Detail: fmt.Sprintf(
			"blocking result %s of stage %d stays in memory (Config.BlockingPartitionRecords or BlockingPartitionMemory exceeded): %v", rp.name, rp.stage.stage.id, err)})
	}
}

// cleanup removes the job's blocking results.
func (b *batchScheduler) cleanup() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, rp := range b.parts {
		rp.discard()
	}
	b.parts = map[partKey]*resultPartition{}
	if b.dir != "" {
		os.RemoveAll(b.dir)
		b.dir = ""
	}
}

// newStageExecution builds the next attempt of stage id.
func (b *batchScheduler) newStageExecution(id int) (*execution, error) {
	run := b.runs[id-1]
	b.mu.Lock()
	attempt := b.attempts
	b.attempts++
	b.mu.Unlock()
	for _, k := range run.parts { // the attempt writes new results
		b.mu.Lock()
		if rp := b.parts[k]; rp != nil {
			rp.discard()
			delete(b.parts, k)
		}
		b.mu.Unlock()
	}
	run.parts = nil
	run.in.Store(0)
	run.out.Store(0)
	ex, err := b.job.newExecutionOf(attempt, nil, run)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	for _, vi := range run.stage.vertices {
		b.vertexTasks[vi] = ex.tasks[vi]
	}
	b.mu.Unlock()
	return ex, nil
}

// runBatch runs the job's stages in order, first being the first stage's first attempt, and ends the job.
func (j *Job) runBatch(first *execution) {
	b := j.batch
	var err error
	for i, s := range b.stages {
		if i == 0 {
			err = b.runStage(s.id, first, false)
		} else {
			err = b.runStage(s.id, nil, false)
		}
		if err != nil {
			break
		}
	}
	b.cleanup()
	switch {
	case err == nil:
		j.finish(JobFinished, nil)
	case errors.Is(err, ErrCanceled):
		j.finish(JobCanceled, err)
	default:
		j.finish(JobFailed, err)
	}
}

// runStage runs stage id until an attempt finishes, restarting it (and the producers of results it cannot
// read) within the restart strategy. ex, if set, is its first attempt, built already. regenerate is set when
// a finished stage runs again to rebuild a lost result: its sinks' output is then aborted, not committed.
func (b *batchScheduler) runStage(id int, ex *execution, regenerate bool) error {
	j := b.job
	run := b.runs[id-1]
	restarted := false // the loop comes round after a failure whose restart has been counted
	for {
		if err := b.ensureInputs(run, !restarted); err != nil {
			return err
		}
		select {
		case <-j.cancel:
			return j.canceledErr()
		default:
		}
		if ex == nil {
			var err error
			if ex, err = b.newStageExecution(id); err != nil {
				return err
			}
		}
		if b.beforeStage != nil {
			b.beforeStage(id, run.attempts+1)
		}
		b.setState(run, StageRunning, ex)
		j.events.add(Event{Kind: EventStageRunning, Detail: fmt.Sprintf("%s attempt %d", stageLabel(j.plan, run.stage), run.attempts)})
		j.cur.Store(ex)
		select {
		case <-j.cancel:
			ex.stop(JobCanceled, j.canceledErr())
		default:
		}
		ex.start()
		<-ex.done
		ex.wg.Wait()
		ex.discard()
		switch ex.status {
		case JobFinished:
			var err error
			if regenerate || run.committed {
				ex.abortFinals()
			} else {
				err = ex.commitFinals()
			}
			if err != nil {
				b.setState(run, StageFailed, nil)
				return err
			}
			run.committed = true
			b.setState(run, StageFinished, nil)
			b.releaseConsumed()
			j.events.add(Event{Kind: EventStageFinished, Count: run.out.Load(),
				Detail: fmt.Sprintf("%s attempt %d", stageLabel(j.plan, run.stage), run.attempts)})
			return nil
		case JobCanceled:
			ex.abortSinks()
			b.setState(run, StageFailed, nil)
			return j.canceledErr()
		}
		ex.abortSinks()
		b.setState(run, StageFailed, nil)
		j.events.add(Event{Kind: EventStageFailed, Detail: fmt.Sprintf("%s attempt %d: %v", stageLabel(j.plan, run.stage), run.attempts, ex.err)})
		if err := b.restartAllowed(ex.err); err != nil {
			return err
		}
		var lost *partitionLostError
		if errors.As(ex.err, &lost) {
			if err := b.rerunProducer(lost.producer, lost.err); err != nil {
				return err
			}
		}
		ex, restarted = nil, true
	}
}

// ensureInputs checks the results run reads before it is scheduled, and runs a producer again whose result
// is missing (Flink: the consumer's PartitionNotFoundException fails over to the producer's region). That
// counts as a restart unless count is false: the stage restarts after a failure already counted, whose
// failover includes the producers of results lost with it (a killed TaskManager's).
func (b *batchScheduler) ensureInputs(run *stageRun, count bool) error {
	for _, p := range run.stage.inputs {
		if err := b.checkResults(p); err != nil {
			if count {
				if err := b.restartAllowed(err); err != nil {
					return err
				}
			}
			if err := b.rerunProducer(p, err); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkResults reports whether the results of stage id are all there.
func (b *batchScheduler) checkResults(id int) error {
	run := b.runs[id-1]
	if run.state != StageFinished {
		return fmt.Errorf("%w: stage %d has not finished", ErrPartitionNotFound, id)
	}
	for _, k := range run.parts {
		rp := b.partition(k)
		if rp == nil {
			return fmt.Errorf("%w: result %v of stage %d", ErrPartitionNotFound, k, id)
		}
		if err := rp.check(); err != nil {
			return err
		}
	}
	return nil
}

// rerunProducer runs finished stage id again because a result of it was lost.
func (b *batchScheduler) rerunProducer(id int, why error) error {
	b.job.events.add(Event{Kind: EventPartitionLost, Detail: fmt.Sprintf("%s runs again: %v", stageLabel(b.job.plan, b.runs[id-1].stage), why)})
	return b.runStage(id, nil, true)
}

// restartAllowed counts one restart of the job's restart strategy, waiting its delay, or returns why not.
func (b *batchScheduler) restartAllowed(cause error) error {
	j := b.job
	rs := j.cfg.Restart
	if rs.Attempts <= 0 {
		return cause
	}
	if int(j.restarts.Load()) >= rs.Attempts {
		return fmt.Errorf("engine: giving up after %d restarts: %w", j.restarts.Load(), cause)
	}
	j.status.Store(int32(JobRestarting))
	j.restarts.Add(1)
	j.events.add(Event{Kind: EventJobRestarting, Detail: fmt.Sprintf("region failover: %v", cause)})
	if rs.Delay > 0 {
		t := time.NewTimer(rs.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-j.cancel:
			return j.canceledErr()
		}
	}
	j.status.Store(int32(JobRunning))
	return nil
}

func (b *batchScheduler) setState(run *stageRun, s StageState, ex *execution) {
	b.mu.Lock()
	defer b.mu.Unlock()
	run.state = s
	switch s {
	case StageRunning:
		run.attempts++
		run.started = time.Now()
		run.finished = time.Time{}
		run.ex = ex
	case StageFinished:
		run.finished = time.Now()
	}
}

// abortFinals aborts the transactions the attempt's sinks pre-committed at the end of their input.
func (ex *execution) abortFinals() {
	ex.finalMu.Lock()
	defer ex.finalMu.Unlock()
	for _, t := range ex.finals {
		t.Abort()
	}
	ex.finals = nil
}

// abortSinks aborts what a failed attempt's sinks wrote: the final transactions of subtasks that finished
// and the open transaction of those that did not.
func (ex *execution) abortSinks() {
	ex.abortFinals()
	for _, ts := range ex.tasks {
		for _, t := range ts {
			for _, op := range t.ops {
				if s, ok := op.(*txnSinkOp); ok && s.cur != nil && s.exactlyOnce() {
					s.cur.Abort()
				}
			}
		}
	}
}

// startBatch prepares the stages of a Batch job and builds the first stage's first attempt. A Batch job
// cannot start from a checkpoint: it takes none.
func (j *Job) startBatch(restore *checkpointMeta) (*execution, error) {
	if restore != nil {
		return nil, fmt.Errorf("%w: job %q cannot restore %s", ErrBatchCheckpoint, j.name, j.cfg.Checkpointing.RestoreFrom)
	}
	j.batch = newBatchScheduler(j)
	ex, err := j.batch.newStageExecution(1)
	if err != nil {
		j.batch.cleanup()
		return nil, err
	}
	return ex, nil
}

// releaseConsumed releases the results of every finished stage whose consumers have all finished, Flink's
// RegionPartitionGroupReleaseStrategy: no stage that is still to run reads them. Should a consumer have to
// run again later (a result of its own lost), its producer runs again first (ensureInputs).
func (b *batchScheduler) releaseConsumed() {
	readers := map[int][]*stageRun{}
	for _, run := range b.runs {
		for _, p := range run.stage.inputs {
			readers[p] = append(readers[p], run)
		}
	}
	for _, run := range b.runs {
		if run.state != StageFinished || len(run.parts) == 0 || len(readers[run.stage.id]) == 0 {
			continue
		}
		done := true
		for _, r := range readers[run.stage.id] {
			done = done && r.state == StageFinished
		}
		if !done {
			continue
		}
		b.mu.Lock()
		for _, k := range run.parts {
			if rp := b.parts[k]; rp != nil {
				rp.discard()
				delete(b.parts, k)
			}
		}
		b.mu.Unlock()
	}
}

// loseTaskManager marks the blocking results produced on TaskManager id as lost: the stages that produced
// them run again before a stage that reads them (Flink keeps blocking results on the TaskManager that
// produced them, so they are lost with it).
func (b *batchScheduler) loseTaskManager(id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, rp := range b.parts {
		if rp.tm == id {
			rp.lost.Store(true)
		}
	}
}
