package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/de4e/weir/engine/internal/harnessbridge"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// opHarness drives one chain of operators synchronously, as Flink's AbstractStreamOperatorTestHarness does:
// the chain runs as one subtask of a job that never starts, every call is handed to the head operator on the
// caller's goroutine, and processing time is a VirtualClock that moves only when told. It records what the
// chain emits. Package enginetest exposes it through internal/harnessbridge; the engine's scenario scripts
// use it directly.
type opHarness struct {
	clock   *VirtualClock
	job     *Job
	exec    *execution
	task    *subtask
	head    operator
	keys    []KeySelector // per input of the head: the key selector of a keyed input, else nil
	inWM    []int64       // per input: its watermark
	wm      int64         // the lowest of inWM handed to the head
	out     []harnessbridge.Emission
	workDir string // the live state of disk backends, removed by close
	cpID    int64
	ended   bool
	closed  bool
}

// Errors of the harness.
var (
	errHarnessClosed = errors.New("engine: the harness is closed")
	errHarnessEnded  = errors.New("engine: the harness's input has ended (EndInput was called)")
)

// newOpHarness builds the chain that ends in out, whose head reads the sources of env, as subtask index of
// the chain's parallelism, restores it from snaps if any are given, and opens its operators. env must run on
// a VirtualClock.
func newOpHarness(env *Environment, out *DataStream, index int, snaps []*harnessbridge.Snapshot) (*opHarness, error) {
	return newOpHarnessWith(env, out, index, snaps, nil)
}

// newOpHarnessWith is newOpHarness with a hook that runs after the restore and before the operators open
// (the engine's own tests use it to restore raw operator state).
func newOpHarnessWith(env *Environment, out *DataStream, index int, snaps []*harnessbridge.Snapshot,
	beforeOpen func(*opHarness) error) (_ *opHarness, err error) {
	clock, ok := env.cfg.Clock.(*VirtualClock)
	if !ok {
		return nil, errors.New("engine: a harness needs a VirtualClock in its Config")
	}
	if len(out.inputs) != 1 || out.inputs[0].side != nil || out.inputs[0].part != partDefault {
		return nil, errors.New("engine: a harness drives the stream an operator returns, not a union, side output or partitioned stream")
	}
	tail := out.inputs[0].node
	sources := 0
	for _, n := range env.nodes {
		if n.source != nil {
			n.chaining = chainNever // the harness hands records to the head itself
			sources++
		}
	}
	plan, err := buildPlan(env)
	if err != nil {
		return nil, err
	}
	var v *PlanVertex
	for _, pv := range plan.Vertices {
		if slices.Contains(pv.nodes, tail) {
			v = pv
		}
	}
	if v == nil || v.nodes[len(v.nodes)-1] != tail || len(plan.Vertices) != sources+1 {
		return nil, fmt.Errorf("engine: a harness drives one chain of operators read from its inputs, but the pipeline runs as %d tasks: %s",
			len(plan.Vertices)-sources, plan)
	}
	for _, in := range v.nodes[0].inputs {
		if in.from.source == nil {
			return nil, fmt.Errorf("engine: a harness drives one chain read from its inputs, but %s reads %s", v.nodes[0].name, in.from.name)
		}
	}
	if index < 0 || index >= v.Parallelism {
		return nil, fmt.Errorf("engine: subtask %d does not exist: %s runs with parallelism %d", index, v.Name, v.Parallelism)
	}
	j := &Job{cfg: env.cfg, plan: plan, done: make(chan struct{}), runID: fmt.Sprintf("%016x", time.Now().UnixNano())}
	j.events.clock = clock
	j.coord = &coordinator{job: j}
	if env.cfg.StateBackend == PebbleState {
		if j.coord.workDir, err = os.MkdirTemp("", "weir-harness-"); err != nil {
			return nil, fmt.Errorf("engine: harness state directory: %w", err)
		}
	}
	h := &opHarness{clock: clock, job: j, exec: &execution{job: j, done: make(chan struct{})}, workDir: j.coord.workDir, wm: MinWatermark}
	h.task = &subtask{job: j, exec: h.exec, vertex: v, index: index, parallelism: v.Parallelism, clock: clock}
	h.task.gate = newGate(env.cfg.BuffersPerChannel, j.done)
	defer func() {
		if err != nil {
			h.release()
		}
	}()
	if err := h.task.build(); err != nil {
		return nil, err
	}
	h.head = h.task.ops[0]
	for _, in := range v.nodes[0].inputs {
		for len(h.keys) <= in.input {
			h.keys = append(h.keys, nil)
			h.inWM = append(h.inWM, MinWatermark)
		}
		if in.part == partHash && h.head.base().keyed() {
			// A hash-partitioned input of an operator without keyed state (a non-keyed broadcast
			// function after a keyBy) is only partitioned: its records carry no key here.
			h.keys[in.input] = in.key
		}
	}
	for i, op := range h.task.ops {
		f := h.task.fanouts[op.base().node]
		if i == len(h.task.ops)-1 {
			f = nil
		}
		op.base().out = harnessOut{h: h, next: f}
	}
	if len(snaps) > 0 {
		if err := h.restore(snaps); err != nil {
			return nil, err
		}
	}
	if beforeOpen != nil {
		if err := beforeOpen(h); err != nil {
			return nil, err
		}
	}
	if err := h.guard(func() {
		for _, op := range h.task.ops {
			h.task.cur = op
			if err := op.open(); err != nil {
				panic(fmt.Errorf("open: %w", err))
			}
		}
	}); err != nil {
		return nil, err
	}
	return h, nil
}

// harnessOut records what an operator of the harness emits: every output of the chain's last operator, and
// the side outputs of the others, whose main output goes on to the next operator of the chain.
type harnessOut struct {
	h    *opHarness
	next *fanout // nil for the last operator
}

func (o harnessOut) collect(r record) {
	if o.next != nil {
		o.next.collect(r)
		return
	}
	o.h.out = append(o.h.out, harnessbridge.Emission{Kind: harnessbridge.Record, Value: r.v, Time: r.ts, Untimed: r.noTs})
}

func (o harnessOut) side(tag *OutputTag, r record) {
	o.h.out = append(o.h.out, harnessbridge.Emission{Kind: harnessbridge.Side, Value: r.v, Time: r.ts, Untimed: r.noTs, Tag: tag})
}

func (o harnessOut) watermark(wm int64) {
	if o.next != nil {
		o.next.watermark(wm)
		return
	}
	o.h.out = append(o.h.out, harnessbridge.Emission{Kind: harnessbridge.Watermark, Time: wm})
}

func (o harnessOut) idle(idle bool) {
	if o.next != nil {
		o.next.idle(idle)
		return
	}
	o.h.out = append(o.h.out, harnessbridge.Emission{Kind: harnessbridge.Idle, Idle: idle})
}

func (o harnessOut) end() {
	if o.next != nil {
		o.next.end()
		return
	}
	o.h.out = append(o.h.out, harnessbridge.Emission{Kind: harnessbridge.End})
}

// guard runs f, then the mail it caused (processing-time timers and periodic work now due), and turns a
// panic into a TaskError naming the operator and the record, as a failing job reports it.
func (h *opHarness) guard(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = h.task.failure(p)
		}
		h.task.cur, h.task.curRec = nil, nil
	}()
	f()
	for {
		m, ok := h.task.gate.poll()
		if !ok {
			return nil
		}
		if m.kind == msgMail {
			m.mail()
		}
	}
}

func (h *opHarness) usable() error {
	if h.closed {
		return errHarnessClosed
	}
	return nil
}

// ProcessElement hands v, with timestamp ts, to input of the head operator, keyed as that input is.
func (h *opHarness) ProcessElement(input int, v any, ts int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	if h.ended {
		return errHarnessEnded
	}
	if input < 0 || input >= len(h.keys) {
		return fmt.Errorf("engine: %s has %d input(s), not an input %d", h.head.base().name, len(h.keys), input+1)
	}
	var kgErr error
	err := h.guard(func() {
		h.task.cur, h.task.curRec = h.head, v
		r := record{v: v, ts: ts, noTs: ts == NoTimestamp}
		if sel := h.keys[input]; sel != nil {
			r.key = sel(v)
			maxP := h.job.cfg.MaxParallelism
			kg := keygroup.Of(r.key, maxP)
			if rng := h.head.base().backend.KeyGroups(); !rng.Contains(kg) {
				kgErr = fmt.Errorf("engine: key %v of record %s is in key group %d, which subtask %d/%d of %s does not own (it owns %s)",
					r.key, preview(v), kg, h.task.index+1, h.task.parallelism, h.head.base().name, rng)
				return
			}
			r.kg = int32(kg)
		}
		h.head.base().metrics.in++
		h.head.base().took(&r)
		h.head.processElement(input, r)
	})
	if kgErr != nil {
		return kgErr
	}
	return err
}

// ProcessWatermark advances input's watermark to wm; the head sees the lowest watermark over its inputs,
// as the subtask's StatusWatermarkValve combines them.
func (h *opHarness) ProcessWatermark(input int, wm int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	if input < 0 || input >= len(h.inWM) {
		return fmt.Errorf("engine: %s has %d input(s), not an input %d", h.head.base().name, len(h.inWM), input+1)
	}
	h.inWM[input] = max(h.inWM[input], wm)
	combined := slices.Min(h.inWM)
	if combined <= h.wm {
		return nil
	}
	h.wm = combined
	return h.guard(func() {
		h.task.cur = h.head
		h.head.processWatermark(combined)
	})
}

// SetProcessingTime moves processing time to t (it never moves back) and fires what is due by then.
func (h *opHarness) SetProcessingTime(t int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	return h.guard(func() { h.clock.Set(t) })
}

// ProcessingTime returns the harness's processing time.
func (h *opHarness) ProcessingTime() int64 { return h.clock.NowMillis() }

// CurrentWatermark returns the head operator's watermark.
func (h *opHarness) CurrentWatermark() int64 { return h.head.base().wm }

// EndInput ends the chain's input: each operator's endInput in chain order, then the end of the output. As
// when a job has finished, the transactions sinks pre-committed at the end are then committed.
func (h *opHarness) EndInput() error {
	if err := h.usable(); err != nil {
		return err
	}
	if h.ended {
		return errHarnessEnded
	}
	h.ended = true
	if err := h.guard(func() {
		h.task.cur = h.head
		h.head.endInput()
		h.head.base().out.end()
	}); err != nil {
		return err
	}
	return h.exec.commitFinals()
}

// NotifyCheckpointComplete tells the chain's operators that checkpoint id has completed: two-phase-commit
// sinks commit the transactions it covers.
func (h *opHarness) NotifyCheckpointComplete(id int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	return h.guard(func() { h.task.notifyComplete(id) })
}

// Output returns what the chain emitted since the last ClearOutput.
func (h *opHarness) Output() []harnessbridge.Emission { return slices.Clone(h.out) }

// ClearOutput forgets what the chain emitted.
func (h *opHarness) ClearOutput() { h.out = h.out[:0] }

// KeyedStateEntries counts the entries of every keyed state of the chain, window contents and trigger state
// included and timers excluded, as Flink's numKeyedStateEntries.
func (h *opHarness) KeyedStateEntries() int {
	n := 0
	for _, op := range h.task.ops {
		if b := op.base(); b.backend != nil && !h.closed {
			for _, s := range b.backend.Stats() {
				if s.Name != eventTimerTable && s.Name != procTimerTable {
					n += int(s.Keys)
				}
			}
		}
	}
	return n
}

// Timers counts the chain's live timers of one domain, as Flink's numEventTimeTimers and
// numProcessingTimeTimers.
func (h *opHarness) Timers(processing bool) int {
	n := 0
	for _, op := range h.task.ops {
		b := op.base()
		switch {
		case b.eventTimers == nil:
		case processing:
			n += b.procTimers.len()
		default:
			n += b.eventTimers.len()
		}
	}
	return n
}

// Inputs returns the number of inputs of the head operator.
func (h *opHarness) Inputs() int { return len(h.keys) }

// Keyed reports whether the head operator has keyed state and timers.
func (h *opHarness) Keyed() bool { return h.head.base().keyed() }

// Operators names the operators of the chain, head first.
func (h *opHarness) Operators() []string {
	names := make([]string, len(h.task.ops))
	for i, op := range h.task.ops {
		names[i] = op.base().name
	}
	return names
}

// Snapshot takes the state of every operator of the chain as a checkpoint does (keyed state with its timers,
// and operator state), into memory.
func (h *opHarness) Snapshot() (*harnessbridge.Snapshot, error) {
	if err := h.usable(); err != nil {
		return nil, err
	}
	h.cpID++
	s := &harnessbridge.Snapshot{ID: h.cpID, MaxParallelism: h.job.cfg.MaxParallelism, Subtask: h.task.index, Parallelism: h.task.parallelism}
	for _, op := range h.task.ops {
		b := op.base()
		part := harnessbridge.OpSnapshot{Name: b.name}
		if b.backend != nil {
			r := b.backend.KeyGroups()
			part.Backend, part.KeyGroups = b.backend.Kind(), [2]int{r.Start, r.End}
			files, err := h.snapshotBackend(b)
			if err != nil {
				return nil, fmt.Errorf("engine: snapshot of %s: %w", b.name, err)
			}
			part.Files = files
		}
		if st, ok := op.(operatorStater); ok {
			blob, err := st.snapshotOpState(h.cpID)
			if err != nil {
				return nil, fmt.Errorf("engine: snapshot of %s: %w", b.name, err)
			}
			part.OpState = blob
		}
		s.Ops = append(s.Ops, part)
	}
	return s, nil
}

// snapshotBackend writes b's keyed state and timers into a temporary directory and reads it back into memory.
func (h *opHarness) snapshotBackend(b *opBase) (map[string][]byte, error) {
	tmp, err := os.MkdirTemp(h.workDir, "weir-harness-snapshot-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "state")
	finish, err := b.snapshotKeyed(h.cpID, dir)
	if err != nil {
		return nil, err
	}
	if _, err := finish(); err != nil {
		return nil, err
	}
	return readSnapshotDir(dir)
}

// readSnapshotDir reads the files of a snapshot directory into memory, by their paths relative to it.
func readSnapshotDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[rel], err = os.ReadFile(path)
		return err
	})
	return files, err
}

// restore loads snaps into the chain before it opens: keyed state by key-group overlap (so snapshots of other
// subtasks or parallelisms redistribute, as after rescaling), its timers, and operator state.
func (h *opHarness) restore(snaps []*harnessbridge.Snapshot) error {
	for _, s := range snaps {
		if s == nil {
			return errors.New("engine: cannot restore from a nil snapshot")
		}
		if s.MaxParallelism != h.job.cfg.MaxParallelism {
			return fmt.Errorf("engine: the snapshot was taken with max parallelism %d, the harness has %d (key groups cannot be remapped)",
				s.MaxParallelism, h.job.cfg.MaxParallelism)
		}
		if len(s.Ops) != len(h.task.ops) {
			return fmt.Errorf("engine: the snapshot holds %d operators, the harness's chain %v has %d", len(s.Ops), h.Operators(), len(h.task.ops))
		}
	}
	for i, op := range h.task.ops {
		b := op.base()
		var dirs []string
		cp := &operatorCP{Name: b.name}
		for _, s := range snaps {
			part := s.Ops[i]
			if part.Name != b.name {
				return fmt.Errorf("engine: the snapshot does not match the chain: operator %d was %q there and is %q here", i+1, part.Name, b.name)
			}
			cp.Parallelism = s.Parallelism
			cp.Subtasks = append(cp.Subtasks, subtaskCP{Index: s.Subtask, State: part.OpState})
			if b.backend == nil || part.Backend == "" {
				continue
			}
			if part.Backend != b.backend.Kind() {
				return fmt.Errorf("engine: %s: the snapshot holds %s state, the harness uses the %s backend", b.name, part.Backend, b.backend.Kind())
			}
			if mine := b.backend.KeyGroups(); part.KeyGroups[0] > mine.End || part.KeyGroups[1] < mine.Start {
				continue
			}
			dir, err := h.writeSnapshotDir(part.Files)
			if dir != "" {
				defer os.RemoveAll(filepath.Dir(dir))
			}
			if err != nil {
				return err
			}
			dirs = append(dirs, dir)
		}
		if b.backend != nil {
			if err := b.backend.Restore(dirs); err != nil {
				return fmt.Errorf("engine: restoring %s: %w", b.name, err)
			}
			b.loadTimers(op)
			if w, ok := op.(*windowOp); ok {
				w.restored = true
			}
		}
		if st, ok := op.(operatorStater); ok {
			// Operator state is handed out as a restored job hands it out (split, or a broadcast copy).
			mode := opStateSplit
			if d, ok := op.(opStateDistributor); ok {
				mode = d.opStateDistribution()
			}
			if err := st.restoreOpState(opStateBlobs(cp, mode, h.task.index, h.task.parallelism)); err != nil {
				return fmt.Errorf("engine: restoring %s: %w", b.name, err)
			}
		}
	}
	return nil
}

// writeSnapshotDir writes an in-memory snapshot directory back to disk for a backend to restore from.
func (h *opHarness) writeSnapshotDir(files map[string][]byte) (string, error) {
	tmp, err := os.MkdirTemp(h.workDir, "weir-harness-restore-")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(tmp, "state")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return dir, err
	}
	for rel, data := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return dir, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return dir, err
		}
	}
	return dir, nil
}

// Close closes the chain's operators and releases their state; the harness cannot be used afterwards.
func (h *opHarness) Close() error {
	if h.closed {
		return nil
	}
	err := h.guard(func() {
		for _, op := range h.task.ops {
			h.task.cur = op
			if err := op.close(); err != nil {
				panic(fmt.Errorf("close: %w", err))
			}
		}
	})
	if rerr := h.release(); err == nil {
		err = rerr
	}
	return err
}

// release stops the harness's periodic work and frees its state backends and directory.
func (h *opHarness) release() error {
	if h.closed {
		return nil
	}
	h.closed = true
	h.exec.halt()
	close(h.job.done)
	var errs []error
	if h.task != nil {
		h.task.releaseManagedMemory()
		for _, op := range h.task.ops {
			if b := op.base(); b.backend != nil {
				errs = append(errs, b.backend.Close())
			}
		}
	}
	if h.workDir != "" {
		errs = append(errs, os.RemoveAll(h.workDir))
	}
	return errors.Join(errs...)
}
