package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
)

// coordinator is the JobManager's checkpoint coordinator: it triggers checkpoints at the sources, collects
// every subtask's acknowledgement, completes a checkpoint by renaming its metadata into place, tells the
// subtasks (so sinks commit), keeps the last few, and hands the newest good one to recovery.
type coordinator struct {
	job     *Job
	cfg     CheckpointConfig
	dir     string // where checkpoints go
	ownDir  bool   // dir is a temporary directory made for this job, removed when it ends
	workDir string // live state of disk backends

	mu     sync.Mutex
	ex     *execution
	nextID int64
	// beforeMetadataWrite, set by tests only, runs just before complete writes a checkpoint's metadata.
	beforeMetadataWrite func(p *pendingCP)
	pending             *pendingCP
	completed           []*checkpointMeta // oldest first
	history             []CheckpointStats
	lastDone            int64 // job clock at the last completion
	timerStop           func() bool
	stopped             bool
	spDirs              []string          // savepoints written into dir, kept when an own dir is removed
	readPos             map[[2]int][]byte // at-most-once: where each source subtask had read to
}

type pendingCP struct {
	stats    CheckpointStats
	ex       *execution
	dir      string
	acks     map[*subtask]subtaskAck
	expected int
	// writing is set while complete writes the metadata outside the lock; an abort meanwhile leaves the
	// directory to the writer, which removes it once the write is over (removing it under the writer left a
	// chk-N holding only _metadata, which looked like a completed checkpoint).
	writing bool
}

// subtaskAck is what a subtask reports once its part of a checkpoint is durable.
type subtaskAck struct {
	ops             []opCP
	sync, async     time.Duration
	align           time.Duration
	bytes, newBytes int64
	err             error
}

type opCP struct {
	node int
	name string
	par  int
	cp   subtaskCP
}

const historyLen = 20

// checkpointTempPrefix names the temporary checkpoint directory of a job without CheckpointConfig.Dir.
const checkpointTempPrefix = "weir-checkpoints-"

func newCoordinator(j *Job) (*coordinator, error) {
	c := &coordinator{job: j, cfg: j.cfg.Checkpointing, nextID: 1, readPos: map[[2]int][]byte{}}
	c.dir = c.cfg.Dir
	if c.dir == "" {
		d, err := os.MkdirTemp("", checkpointTempPrefix)
		if err != nil {
			return nil, fmt.Errorf("engine: checkpoint directory: %w", err)
		}
		c.dir, c.ownDir = d, true
	} else if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("engine: checkpoint directory: %w", err)
	}
	// Never reuse the id of a checkpoint already on disk (a job restarted in a new process).
	for _, d := range checkpointDirs(c.dir) {
		var id int64
		fmt.Sscanf(filepath.Base(d), "chk-%d", &id)
		c.nextID = max(c.nextID, id+1)
		break
	}
	c.workDir = filepath.Join(c.dir, "live")
	return c, nil
}

func (c *coordinator) attemptStarted(ex *execution) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ex = ex
	if ex.restored != nil {
		c.nextID = max(c.nextID, ex.restored.ID+1)
	}
	c.schedule(c.cfg.Interval)
}

func (c *coordinator) attemptEnded(ex *execution) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending != nil {
		c.abortLocked("the attempt ended")
	}
	for vi, ts := range ex.tasks {
		for _, t := range ts {
			if t.readOffset != nil {
				c.readPos[[2]int{vi, t.index}] = t.readOffset
			}
		}
	}
	c.ex = nil
	if c.timerStop != nil {
		c.timerStop()
	}
}

// stop ends checkpointing when the job has ended: it removes the live state of disk backends and, when
// the job made its checkpoint directory for itself (CheckpointConfig.Dir unset), that directory with its
// checkpoints, except savepoints written into it. A Dir the configuration gave is kept.
func (c *coordinator) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.timerStop != nil {
		c.timerStop()
	}
	os.RemoveAll(c.workDir)
	if !c.ownDir {
		return
	}
	if len(c.spDirs) == 0 {
		os.RemoveAll(c.dir)
		return
	}
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		p := filepath.Join(c.dir, e.Name())
		if !slices.Contains(c.spDirs, p) {
			os.RemoveAll(p)
		}
	}
}

// schedule arms the periodic trigger after d (nothing if checkpoints are not periodic).
func (c *coordinator) schedule(d time.Duration) {
	if c.cfg.Interval <= 0 || c.stopped {
		return
	}
	if c.timerStop != nil {
		c.timerStop()
	}
	clock := c.job.cfg.Clock
	c.timerStop = clock.AfterFunc(clock.NowMillis()+max(d.Milliseconds(), 1), c.tick)
}

func (c *coordinator) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped || c.ex == nil {
		return
	}
	now := c.job.cfg.Clock.NowMillis()
	if c.pending != nil {
		c.schedule(c.cfg.Interval)
		return
	}
	if wait := c.lastDone + c.cfg.MinPause.Milliseconds() - now; c.lastDone > 0 && wait > 0 {
		c.schedule(time.Duration(wait) * time.Millisecond)
		return
	}
	c.triggerLocked(false, "")
	c.schedule(c.cfg.Interval)
}

// TriggerCheckpoint starts a checkpoint now and returns its id; Checkpoints reports its progress.
func (j *Job) TriggerCheckpoint() (int64, error) {
	if err := j.refuseBatchCheckpoint("checkpoint"); err != nil {
		return 0, err
	}
	j.coord.mu.Lock()
	defer j.coord.mu.Unlock()
	return j.coord.triggerLocked(false, "")
}

// TriggerSavepoint starts a savepoint into dir (a new directory): a checkpoint that the job never deletes,
// from which a job (also with another parallelism) can be started with Config.Checkpointing.RestoreFrom.
// It returns the savepoint's id; Checkpoints reports its progress.
func (j *Job) TriggerSavepoint(dir string) (int64, error) {
	if err := j.refuseBatchCheckpoint("savepoint"); err != nil {
		return 0, err
	}
	j.coord.mu.Lock()
	defer j.coord.mu.Unlock()
	return j.coord.triggerLocked(true, dir)
}

// Checkpoints returns the recent checkpoints, oldest first, with the one in progress last.
func (j *Job) Checkpoints() []CheckpointStats {
	c := j.coord
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]CheckpointStats(nil), c.history...)
	if c.pending != nil {
		p := c.pending.stats
		p.Acks = len(c.pending.acks)
		p.Duration = time.Since(p.Started)
		out = append(out, p)
	}
	return out
}

// CheckpointDir returns where the job writes its checkpoints: CheckpointConfig.Dir, or a temporary directory
// of the job's own, which is removed when the job ends (savepoints written into it are kept).
func (j *Job) CheckpointDir() string { return j.coord.dir }

func (c *coordinator) triggerLocked(savepoint bool, dir string) (int64, error) {
	ex := c.ex
	if ex == nil || ex.stopped() {
		return 0, fmt.Errorf("%w: the job is not running", ErrCheckpointDeclined)
	}
	if c.pending != nil {
		return 0, fmt.Errorf("%w: checkpoint %d is still in progress", ErrCheckpointDeclined, c.pending.stats.ID)
	}
	total := 0
	running := false
	for _, ts := range ex.tasks {
		for _, t := range ts {
			total++
			if !t.done.Load() {
				running = true
			}
		}
	}
	if !running {
		return 0, fmt.Errorf("%w: every task has finished", ErrCheckpointDeclined)
	}
	id := c.nextID
	c.nextID++
	if dir == "" {
		dir = filepath.Join(c.dir, fmt.Sprintf("chk-%d", id))
		if savepoint {
			c.spDirs = append(c.spDirs, dir)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("engine: checkpoint %d: %w", id, err)
	}
	c.pending = &pendingCP{ex: ex, dir: dir, acks: map[*subtask]subtaskAck{}, expected: total,
		stats: CheckpointStats{ID: id, Savepoint: savepoint, Status: CheckpointInProgress, Total: total, Started: time.Now(), Dir: dir}}
	clock := c.job.cfg.Clock
	clock.AfterFunc(clock.NowMillis()+c.cfg.Timeout.Milliseconds(), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.pending != nil && c.pending.stats.ID == id {
			c.abortLocked(fmt.Sprintf("timed out after %v", c.cfg.Timeout))
		}
	})
	for _, ts := range ex.tasks {
		for _, t := range ts {
			if t.done.Load() {
				// A finished subtask takes part with its final state (Flink's FLIP-147).
				c.pending.acks[t] = subtaskAck{ops: t.finalOps}
			} else if t.vertex.nodes[0].source != nil {
				t.gate.post(func() { t.sourceBarrier(id) })
			}
		}
	}
	return id, nil
}

// finalCheckpoint completes one last checkpoint once every subtask has finished, holding the sinks' final
// transactions, before they are committed: a crash while committing then restarts from it (sources at their
// end, transactions committed again, idempotently) instead of replaying everything. It is skipped when the
// job takes no checkpoints.
func (c *coordinator) finalCheckpoint(ex *execution) error {
	c.mu.Lock()
	if c.cfg.Interval <= 0 && c.cfg.Dir == "" {
		c.mu.Unlock()
		return nil
	}
	if c.pending != nil {
		c.abortLocked("superseded by the final checkpoint")
	}
	c.ex = ex
	id := c.nextID
	c.nextID++
	dir := filepath.Join(c.dir, fmt.Sprintf("chk-%d", id))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.mu.Unlock()
		return fmt.Errorf("engine: final checkpoint: %w", err)
	}
	p := &pendingCP{ex: ex, dir: dir, acks: map[*subtask]subtaskAck{},
		stats: CheckpointStats{ID: id, Final: true, Status: CheckpointInProgress, Started: time.Now(), Dir: dir}}
	for _, ts := range ex.tasks {
		for _, t := range ts {
			p.acks[t] = subtaskAck{ops: t.finalOps}
			p.expected++
		}
	}
	p.stats.Total = p.expected
	c.pending = p
	c.mu.Unlock()
	c.complete(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.history); n == 0 || c.history[n-1].ID != id || c.history[n-1].Status != CheckpointCompleted {
		return fmt.Errorf("engine: the final checkpoint did not complete; the sinks' last transactions stay uncommitted")
	}
	return nil
}

// subtaskFinished records the final state of a subtask that finished, for the checkpoint in progress if
// the subtask had not taken its part in it (and for every later checkpoint, through triggerLocked).
func (c *coordinator) subtaskFinished(t *subtask) {
	c.mu.Lock()
	p := c.pending
	if p == nil || p.ex != t.exec || t.lastCheckpoint.Load() >= p.stats.ID {
		c.mu.Unlock()
		return
	}
	if _, ok := p.acks[t]; ok {
		c.mu.Unlock()
		return
	}
	p.acks[t] = subtaskAck{ops: t.finalOps}
	complete := len(p.acks) == p.expected
	c.mu.Unlock()
	if complete {
		c.complete(p)
	}
}

func (c *coordinator) abortLocked(reason string) {
	p := c.pending
	c.pending = nil
	p.stats.Status, p.stats.Reason = CheckpointAborted, reason
	p.stats.Acks = len(p.acks)
	p.stats.Duration = time.Since(p.stats.Started)
	if !p.stats.Savepoint && !p.writing {
		os.RemoveAll(p.dir)
	}
	c.addHistory(p.stats)
	c.job.events.add(Event{Kind: EventCheckpointAborted, Detail: fmt.Sprintf("checkpoint %d aborted: %s", p.stats.ID, reason)})
}

func (c *coordinator) addHistory(s CheckpointStats) {
	c.history = append(c.history, s)
	if len(c.history) > historyLen {
		c.history = c.history[len(c.history)-historyLen:]
	}
}

// ack records a subtask's acknowledgement and completes the checkpoint when it is the last one.
func (c *coordinator) ack(t *subtask, id int64, a subtaskAck) {
	c.mu.Lock()
	p := c.pending
	if p == nil || p.stats.ID != id || p.ex != t.exec {
		c.mu.Unlock()
		return // an acknowledgement of an aborted checkpoint or of a finished attempt
	}
	if a.err != nil {
		c.abortLocked(fmt.Sprintf("%s (subtask %d): %v", t.vertex.Name, t.index+1, a.err))
		c.mu.Unlock()
		return
	}
	p.acks[t] = a
	s := &p.stats
	s.SyncMax, s.AsyncMax, s.AlignMax = max(s.SyncMax, a.sync), max(s.AsyncMax, a.async), max(s.AlignMax, a.align)
	s.Bytes += a.bytes
	s.NewBytes += a.newBytes
	if len(p.acks) < p.expected {
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.complete(p)
}

// complete writes the metadata (the commit point), retires old checkpoints and notifies the subtasks.
func (c *coordinator) complete(p *pendingCP) {
	meta := &checkpointMeta{Version: 1, ID: p.stats.ID, Job: c.job.name, Savepoint: p.stats.Savepoint, Time: time.Now(),
		MaxParallelism: c.job.cfg.MaxParallelism}
	byNode := map[int]*operatorCP{}
	for _, a := range p.acks {
		for _, o := range a.ops {
			op := byNode[o.node]
			if op == nil {
				op = &operatorCP{Node: o.node, Name: o.name, Parallelism: o.par}
				byNode[o.node] = op
			}
			op.Subtasks = append(op.Subtasks, o.cp)
		}
	}
	for _, v := range c.job.plan.Vertices {
		for _, n := range v.nodes {
			if op := byNode[n.id]; op != nil {
				sortSubtasks(op.Subtasks)
				meta.Operators = append(meta.Operators, *op)
			}
		}
	}
	c.mu.Lock()
	if c.pending != p {
		c.mu.Unlock()
		return // aborted before the write began (and its directory removed then)
	}
	p.writing = true
	hook := c.beforeMetadataWrite
	c.mu.Unlock()
	if hook != nil {
		hook(p)
	}
	err := writeMetadata(p.dir, meta, c.job.faults)
	c.mu.Lock()
	p.writing = false
	if c.pending != p {
		// Aborted while the metadata was written: the checkpoint must not look complete on disk.
		if !p.stats.Savepoint {
			os.RemoveAll(p.dir)
		}
		c.mu.Unlock()
		return
	}
	if err != nil {
		c.abortLocked("writing metadata: " + err.Error())
		c.mu.Unlock()
		if errors.Is(err, faultinject.ErrInjected) {
			p.ex.fail(err)
		}
		return
	}
	c.pending = nil
	meta.Dir = p.dir
	p.stats.Status = CheckpointCompleted
	p.stats.Acks = len(p.acks)
	p.stats.Duration = time.Since(p.stats.Started)
	c.addHistory(p.stats)
	c.lastDone = c.job.cfg.Clock.NowMillis()
	if !meta.Savepoint {
		c.completed = append(c.completed, meta)
		for len(c.completed) > c.cfg.Retained {
			os.RemoveAll(c.completed[0].Dir)
			c.completed = c.completed[1:]
		}
		c.retireLeftoversLocked(meta.ID)
	}
	c.job.events.add(Event{Kind: EventCheckpointCompleted, Count: p.stats.ID,
		Detail: fmt.Sprintf("checkpoint %d completed in %v (%d bytes, %d new)", p.stats.ID, p.stats.Duration.Round(time.Millisecond), p.stats.Bytes, p.stats.NewBytes)})
	c.mu.Unlock()
	if err := c.job.faults.Check(faultinject.AfterMetadataRename); err != nil {
		p.ex.fail(err)
		return
	}
	for _, ts := range p.ex.tasks {
		for _, t := range ts {
			id := p.stats.ID
			t.gate.post(func() { t.notifyComplete(id) })
		}
	}
}

func sortSubtasks(s []subtaskCP) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k].Index < s[k-1].Index; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}

// retireLeftoversLocked removes the chk-N directories older than the completed checkpoint newest that this
// job does not retain: checkpoints of earlier processes beyond the Retained count, and directories of
// checkpoints that never completed (an attempt or a process that ended mid-checkpoint). Savepoints written
// into the directory are kept.
func (c *coordinator) retireLeftoversLocked(newest int64) {
	kept := map[string]bool{}
	for _, m := range c.completed {
		kept[m.Dir] = true
	}
	complete := len(c.completed)
	for _, d := range checkpointDirs(c.dir) {
		var id int64
		fmt.Sscanf(filepath.Base(d), "chk-%d", &id)
		if id >= newest || kept[d] || slices.Contains(c.spDirs, d) {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, metadataFile)); err == nil && complete < c.cfg.Retained {
			complete++ // an earlier process's checkpoint, within the retained count
			continue
		}
		os.RemoveAll(d)
	}
}

// restoreCandidates returns the completed checkpoints newest first, re-reading each one's metadata from disk
// so that one damaged since it completed is skipped (with an event saying so).
func (c *coordinator) restoreCandidates() []*checkpointMeta {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*checkpointMeta
	for i := len(c.completed) - 1; i >= 0; i-- {
		m, err := readMetadata(c.completed[i].Dir)
		if err != nil {
			c.job.events.add(Event{Kind: EventCheckpointFallback, Detail: err.Error()})
			continue
		}
		out = append(out, m)
	}
	return out
}

// CheckpointStatus is the state of a checkpoint.
type CheckpointStatus string

// The states of a checkpoint.
const (
	CheckpointInProgress CheckpointStatus = "IN_PROGRESS"
	CheckpointCompleted  CheckpointStatus = "COMPLETED"
	CheckpointAborted    CheckpointStatus = "ABORTED"
)

// CheckpointStats describes one checkpoint, as Flink's checkpoint history does.
type CheckpointStats struct {
	ID          int64
	Savepoint   bool
	Final       bool // taken after every subtask finished, to commit the sinks' last transactions
	Status      CheckpointStatus
	Acks, Total int // subtasks that acknowledged, and all of them
	Started     time.Time
	Duration    time.Duration // until completion (so far, while in progress)
	SyncMax     time.Duration // the longest synchronous part of a subtask
	AsyncMax    time.Duration // the longest asynchronous part
	AlignMax    time.Duration // the longest barrier alignment
	Bytes       int64         // state size
	NewBytes    int64         // bytes no earlier checkpoint holds (incremental)
	Dir         string
	Reason      string // why it was aborted
}
