package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// execution is one attempt at running the job: every subtask, gate and channel.
type execution struct {
	job      *Job
	attempt  int
	tasks    [][]*subtask // per vertex, per subtask
	gates    []*gate
	done     chan struct{}
	halted   atomic.Bool // set just before done is closed: stopped reads it once per source record
	stopOnce sync.Once
	status   JobStatus // how the attempt ended
	err      error
	wg       sync.WaitGroup // the subtasks' goroutines
	// snapshots counts the asynchronous parts of checkpoints still running (barrier.go): the job waits for
	// them before it releases the attempt's state backends or reports that it is done.
	snapshots sync.WaitGroup
	restored  *checkpointMeta // the checkpoint this attempt started from, or nil

	ctx       context.Context // cancelled when the attempt stops (initContext)
	cancelCtx context.CancelCauseFunc

	finalMu sync.Mutex
	finals  []Transaction // sink transactions to commit once the attempt has finished

	// A Batch job's attempt runs one stage (region_failover.go): stage is its progress, and feeds the
	// channels its subtasks read from earlier stages' blocking results (blocking_partition.go).
	stage *stageRun
	feeds map[*subtask][]feed
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

// newExecution builds an attempt: its subtasks in their slots, the channels between them, and, if restore
// is set, the state, source positions and sink transactions of that checkpoint.
func (j *Job) newExecution(attempt int, restore *checkpointMeta) (*execution, error) {
	return j.newExecutionOf(attempt, restore, nil)
}

// newExecutionOf builds an attempt of the whole job, or, with stage set (Batch), of that stage only: its
// edges from earlier stages are read from their blocking results and its edges to later stages written to
// new ones.
func (j *Job) newExecutionOf(attempt int, restore *checkpointMeta, stage *stageRun) (*execution, error) {
	ex := &execution{job: j, attempt: attempt, done: make(chan struct{}), restored: restore, stage: stage,
		feeds: map[*subtask][]feed{}}
	ex.initContext()
	pool := &sync.Pool{New: func() any { b := make([]record, 0, j.cfg.BufferSize); return &b }}
	byNode := map[*node]*PlanVertex{}
	vertexIndex := map[*PlanVertex]int{}
	for vi, v := range j.plan.Vertices {
		vertexIndex[v] = vi
		for _, n := range v.nodes {
			byNode[n] = v
		}
		if stage != nil && !stage.stage.has(vi) {
			ex.tasks = append(ex.tasks, nil)
			continue
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
		for ei, in := range head.inputs {
			if uvi := vertexIndex[byNode[in.from]]; stage != nil && !(stage.stage.has(uvi) && stage.stage.has(vi)) {
				switch {
				case stage.stage.has(uvi):
					ex.wireBlockingOutput(pool, vi, ei, in)
				case stage.stage.has(vi):
					ex.wireBlockingInput(vi, ei, in)
				}
				continue
			}
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
			t.valve = newValve(t.gate.inputs)
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
	if err := ex.abortLingering(); err != nil {
		ex.discard()
		return nil, err
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

func (ex *execution) start() {
	// The coordinator learns of the attempt before any of its tasks runs: a source may trigger a checkpoint
	// from its first read, and a trigger that came before attemptStarted was declined with "the job is not
	// running" although the job was (TestJobWaitsForAsynchronousSnapshotsBeforeDone failed so under load).
	// A barrier posted before a task runs waits in its gate until the task has opened its operators.
	if ex.stage == nil {
		ex.job.coord.attemptStarted(ex)
	}
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
	ex.startFeeds()
}

// fail stops the attempt because of err.
func (ex *execution) fail(err error) { ex.stop(JobFailed, err) }

func (ex *execution) stop(status JobStatus, err error) {
	ex.stopOnce.Do(func() {
		ex.status, ex.err = status, err
		ex.halt()
		ex.cancelCtx(err)
		for _, g := range ex.gates {
			g.close()
		}
	})
}

// halt marks the attempt stopped and closes done; call it once.
func (ex *execution) halt() {
	ex.halted.Store(true)
	close(ex.done)
}

// stopped reports whether the attempt has stopped (done is closed). It is an atomic load, cheaper than a
// select on done, because source loops ask it for every record.
func (ex *execution) stopped() bool { return ex.halted.Load() }

// discard releases what the attempt holds: its state backends and their live directories.
func (ex *execution) discard() {
	ex.cancelCtx(nil)
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
