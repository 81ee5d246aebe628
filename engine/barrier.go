package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// alignment is a subtask's progress through one checkpoint barrier, Flink's aligned checkpoints: a channel
// that has delivered barrier id is blocked (its further buffers are held, and their credit is not returned,
// so its producer is backpressured) until the barrier has arrived on every channel.
type alignment struct {
	id      int64
	seen    []bool
	count   int
	started time.Time
	held    []message
}

// operatorStater is implemented by operators with state outside keyed state (transactional sinks,
// broadcast state).
type operatorStater interface {
	snapshotOpState(id int64) ([]byte, error)
	restoreOpState(blobs [][]byte) error
	notifyComplete(id int64)
}

// msgBarrier carries checkpoint barrier m.time in-band: it never overtakes records.
const msgBarrier msgKind = 100

func (t *subtask) guarantee() Guarantee { return t.job.cfg.Checkpointing.Guarantee }

// onBarrier handles barrier id arriving on channel ch.
func (t *subtask) onBarrier(ch int, id int64) {
	a := t.align
	if a != nil && id < a.id {
		return // a barrier of a checkpoint this subtask has already given up on
	}
	if a == nil || id > a.id {
		if a != nil {
			t.replay = append(t.replay, a.held...) // abandon an alignment whose checkpoint was aborted
		}
		a = &alignment{id: id, seen: make([]bool, len(t.gate.inputs)), started: time.Now()}
		t.align = a
	}
	if !a.seen[ch] {
		a.seen[ch] = true
		a.count++
	}
	if err := t.job.faults.Check(faultinject.Alignment); err != nil {
		t.fail(err)
		return
	}
	for i, seen := range a.seen {
		if !seen && !t.valve.ended[i] {
			return // still waiting for channel i
		}
	}
	t.align = nil
	t.checkpoint(id, time.Since(a.started), nil)
	t.replay = append(t.replay, a.held...)
}

// holds reports whether m must wait because its channel is blocked by an alignment in progress.
func (t *subtask) holds(m message) bool {
	a := t.align
	if a == nil || m.kind == msgMail || t.guarantee() != ExactlyOnce || !a.seen[m.ch] {
		return false
	}
	a.held = append(a.held, m)
	return true
}

// sourceBarrier injects barrier id at a source subtask, recording the reader's position.
func (t *subtask) sourceBarrier(id int64) {
	if t.finished.Load() || t.reader == nil {
		return
	}
	var offset []byte
	if rr, ok := t.reader.(ReplayableReader); ok {
		o, err := rr.Offset()
		if err != nil {
			t.job.coord.ack(t, id, subtaskAck{err: fmt.Errorf("source offset: %w", err)})
			return
		}
		offset = o
	}
	t.checkpoint(id, 0, offset)
}

// checkpoint takes this subtask's part of checkpoint id: a synchronous snapshot of every operator of the
// chain, the barrier forwarded downstream, and the asynchronous part on another goroutine, which then
// acknowledges to the coordinator.
func (t *subtask) checkpoint(id int64, align time.Duration, offset []byte) {
	faults := t.job.faults
	if err := faults.Check(faultinject.BeforeSnapshot); err != nil {
		t.fail(err)
		return
	}
	t.lastCheckpoint.Store(id)
	t.flushBatches() // no batch spans a barrier: its records are processed before any operator snapshots
	start := time.Now()
	cpDir := t.job.coord.pendingDir(id)
	var finishes []func() (state.SnapshotStats, error)
	var ops []opCP
	var snapErr error
	for _, op := range t.ops {
		b := op.base()
		n := b.node
		cp := subtaskCP{Index: t.index}
		if n.source != nil {
			cp.Offset, cp.HasOffset = offset, offset != nil
		}
		if b.backend != nil && cpDir != "" {
			r := b.backend.KeyGroups()
			cp.KeyGroups = [2]int{r.Start, r.End}
			cp.StateDir = fmt.Sprintf("op-%d-%d", n.id, t.index)
			finish, err := b.snapshotKeyed(id, filepath.Join(cpDir, cp.StateDir))
			if errors.Is(err, state.ErrBackendFailed) {
				t.fail(fmt.Errorf("engine: %s (subtask %d): %w", n.name, t.index+1, err)) // its state cannot be written any more
				return
			}
			if err != nil {
				snapErr = err
			} else {
				finishes = append(finishes, finish)
			}
		}
		if s, ok := op.(operatorStater); ok {
			blob, err := s.snapshotOpState(id)
			if err != nil {
				snapErr = err
			}
			cp.State = blob
		}
		ops = append(ops, opCP{node: n.id, name: n.name, par: t.parallelism, cp: cp})
	}
	for _, w := range t.writers {
		w.broadcast(message{kind: msgBarrier, time: id})
	}
	sync := time.Since(start)
	if err := faults.Check(faultinject.AfterSnapshot); err != nil {
		t.fail(err)
		return
	}
	coord := t.job.coord
	t.exec.snapshots.Add(1)
	go func() {
		defer t.exec.snapshots.Done()
		a := subtaskAck{ops: ops, sync: sync, align: align, err: snapErr}
		astart := time.Now()
		for _, f := range finishes {
			st, err := f()
			if err != nil && a.err == nil {
				a.err = err
			}
			a.bytes += st.Bytes
			a.newBytes += st.NewBytes
		}
		a.async = time.Since(astart)
		coord.ack(t, id, a)
	}()
}

// pendingDir returns the directory of checkpoint id while it is in progress ("" if it is not).
func (c *coordinator) pendingDir(id int64) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil || c.pending.stats.ID != id {
		return ""
	}
	return c.pending.dir
}

// notifyComplete tells the chain's operators that checkpoint id is complete (sinks commit).
func (t *subtask) notifyComplete(id int64) {
	for _, op := range t.ops {
		if s, ok := op.(operatorStater); ok {
			t.cur = op
			s.notifyComplete(id)
		}
	}
}

// restore loads checkpoint m into the attempt's subtasks: keyed state by key-group overlap (which also
// redistributes it when parallelism changed), timers, source positions and operator state.
func (ex *execution) restore(m *checkpointMeta) error {
	j := ex.job
	if m.MaxParallelism != j.cfg.MaxParallelism {
		return fmt.Errorf("%w: %s was written with max parallelism %d, the job has %d (key groups cannot be remapped)",
			ErrCorruptCheckpoint, m.Dir, m.MaxParallelism, j.cfg.MaxParallelism)
	}
	if err := j.faults.Check(faultinject.Restore); err != nil {
		return err
	}
	byNode := map[int]*operatorCP{}
	for i := range m.Operators {
		byNode[m.Operators[i].Node] = &m.Operators[i]
	}
	for vi, ts := range ex.tasks {
		for _, t := range ts {
			for _, op := range t.ops {
				b := op.base()
				cp := byNode[b.node.id]
				if cp == nil {
					continue // an operator without state in the checkpoint
				}
				if cp.Name != b.node.name {
					return fmt.Errorf("engine: %s does not match this job: operator %d was %q there and is %q here",
						m.Dir, b.node.id, cp.Name, b.node.name)
				}
				if b.node.source != nil {
					if cp.Parallelism != t.parallelism {
						return fmt.Errorf("engine: source %s ran with parallelism %d in %s and cannot be restored with %d",
							b.node.name, cp.Parallelism, m.Dir, t.parallelism)
					}
					for _, s := range cp.Subtasks {
						if s.Index == t.index && s.HasOffset {
							t.restoreOffset = s.Offset
						}
					}
					if pos, ok := j.coord.readPosition(vi, t.index); ok && j.cfg.Checkpointing.Guarantee == AtMostOnce {
						t.restoreOffset = pos
					}
				}
				if b.backend != nil {
					var dirs []string
					mine := b.backend.KeyGroups()
					for _, s := range cp.Subtasks {
						r := keygroup.Range{Start: s.KeyGroups[0], End: s.KeyGroups[1]}
						if s.StateDir != "" && r.Start <= mine.End && r.End >= mine.Start {
							dirs = append(dirs, filepath.Join(m.Dir, s.StateDir))
						}
					}
					if err := b.backend.Restore(dirs); err != nil {
						if errors.Is(err, state.ErrCorruptSnapshot) {
							return fmt.Errorf("%w: %v", ErrCorruptCheckpoint, err)
						}
						return fmt.Errorf("engine: restoring %s (subtask %d) from %s: %w", b.name, t.index+1, m.Dir, err)
					}
					b.loadTimers(op)
					if w, ok := op.(*windowOp); ok {
						w.restored = true
					}
				}
				if s, ok := op.(operatorStater); ok {
					mode := opStateSplit
					if d, ok := op.(opStateDistributor); ok {
						mode = d.opStateDistribution()
					}
					if err := s.restoreOpState(opStateBlobs(cp, mode, t.index, t.parallelism)); err != nil {
						return fmt.Errorf("engine: restoring %s (subtask %d): %w", b.name, t.index+1, err)
					}
				}
			}
		}
	}
	j.events.add(Event{Kind: EventCheckpointRestored, Count: m.ID, Detail: fmt.Sprintf("restored checkpoint %d from %s", m.ID, m.Dir)})
	return nil
}

func (c *coordinator) readPosition(vertex, subtask int) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.readPos[[2]int{vertex, subtask}]
	return p, ok
}
