package engine

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// JobSnapshot is a consistent-enough picture of a running job for the workbench to draw: every figure is at
// most one poll old. Taking one never blocks the job.
type JobSnapshot struct {
	Name         string
	Status       JobStatus
	Err          string
	Restarts     int
	Uptime       time.Duration
	Time         time.Time // when the snapshot was taken (wall clock)
	ProcTime     int64     // the job clock's processing time
	TaskManagers []TaskManager
	Vertices     []VertexSnapshot
	Checkpoints  []CheckpointStats // recent checkpoints, oldest first, the one in progress last
	Memory       []MemorySnapshot  // per TaskManager (metrics_memory.go)
	// Stages are the stages of a Batch job in the order they run (Plan.BatchStages), nil in Streaming.
	Stages []StageSnapshot
}

// VertexSnapshot describes one vertex (a chain of operators) and its subtasks.
type VertexSnapshot struct {
	ID          int
	Name        string
	Parallelism int
	Inputs      []PlanEdge
	Operators   []OperatorSnapshot // per chained operator, summed over subtasks
	Subtasks    []SubtaskSnapshot
}

// OperatorSnapshot sums one operator's counters over its subtasks. Rates are per second since the previous
// Snapshot call (0 on the first).
type OperatorSnapshot struct {
	Name           string
	RecordsIn      int64
	RecordsOut     int64
	RateIn         float64
	RateOut        float64
	Watermark      int64 // the lowest over subtasks
	LateDropped    int64
	LateSideOutput int64
	// Gauges are the values of the gauges registered on the operator with DataStream.Gauge, in the order
	// registered; only the vertex's Operators carry them, not the subtasks'.
	Gauges []GaugeValue
	// Recent is a bounded sample of the records with a timestamp the operator took in lately (at most 64,
	// the newest over its subtasks), oldest arrival first, each with the operator's watermark when it
	// arrived and whether it was late: what the workbench draws as event time against the watermark. It is
	// as of the previous poll, like a subtask's State, and only the vertex's Operators carry it.
	Recent []RecordSample
}

// SubtaskSnapshot describes one parallel instance.
type SubtaskSnapshot struct {
	Index          int
	TaskManager    int
	Slot           int
	Operators      []OperatorSnapshot
	InputWatermark int64   // combined watermark of the subtask's inputs
	BufferFill     float64 // how full the input buffers are, 0 to 1
	Backpressure   float64 // share of the time since the last snapshot spent waiting for downstream, 0 to 1
	Finished       bool
	State          []StateSnapshot // as of the previous poll
	Windows        []WindowInfo    // open windows of window operators, as of the previous poll (at most 100)
	Timers         int             // registered timers, as of the previous poll
	// IdleInputs says, per input channel (one per upstream subtask and input edge, in the order the inputs
	// were wired), whether the channel is idle (Flink's WatermarkStatus.IDLE): its watermark does not hold
	// the subtask back. It is nil for a source subtask.
	IdleInputs []bool
	// OutputIdle is true while the subtask's output is idle: every input is idle, or the source reader was
	// marked idle (an Idle marker or WatermarkStrategy.WithIdleness), so downstream operators do not wait for
	// its watermark.
	OutputIdle bool
	// Alignment is the watermark alignment of a source subtask whose strategy has one
	// (WatermarkStrategy.WithWatermarkAlignment), else nil.
	Alignment *AlignmentSnapshot
}

// AlignmentSnapshot is the watermark alignment of one source subtask (reader).
type AlignmentSnapshot struct {
	Group      string
	MaxDrift   time.Duration
	Watermark  int64 // the reader's watermark, MinWatermark before its first
	MaxAllowed int64 // the last announced maximum: the group's lowest watermark plus MaxDrift (MaxWatermark before the first announcement, or when no reader holds the group back)
	Paused     bool  // the reader does not read because Watermark > MaxAllowed
	Idle       bool  // the reader is idle, so it does not hold the group back
	Finished   bool  // the reader's input ended, so it does not hold the group back
	Pauses     int64 // how many times the reader has paused
}

// StateSnapshot is the size of one state of one operator subtask.
type StateSnapshot struct {
	Operator    string
	Name        string
	Backend     string
	Keys        int64
	Bytes       int64
	Approximate bool
}

// WindowInfo is an open window: its bounds, how many keys have contents in it and how many records it took.
type WindowInfo struct {
	Operator string
	Start    int64
	End      int64
	Keys     int64
	Elements int64
}

// opStateReporter is implemented by operators with operator state (broadcast state) whose size Snapshot shows.
type opStateReporter interface {
	opStateStats() []StateSnapshot
}

type subtaskDetail struct {
	state   []StateSnapshot
	windows []WindowInfo
	timers  int
	samples [][]RecordSample // per operator of the chain, oldest first
}

// publishDetail computes what is expensive to read (state sizes, open windows) on the subtask's own
// goroutine, for the next Snapshot.
func (t *subtask) publishDetail() {
	t.detailPending.Store(false)
	var d subtaskDetail
	d.samples = t.recentSamples()
	for _, op := range t.ops {
		b := op.base()
		if r, ok := op.(opStateReporter); ok {
			d.state = append(d.state, r.opStateStats()...)
		}
		if b.backend == nil {
			continue
		}
		for _, s := range b.backend.Stats() {
			d.state = append(d.state, StateSnapshot{Operator: b.name, Name: s.Name, Backend: b.backend.Kind(),
				Keys: s.Keys, Bytes: s.Bytes, Approximate: s.Approximate})
		}
		d.timers += b.eventTimers.len() + b.procTimers.len()
		if w, ok := unwrapBatch(op).(*windowOp); ok {
			for _, wi := range sortedWindows(w.openWins, 100) {
				wi.Operator = b.name
				d.windows = append(d.windows, wi)
			}
		}
	}
	t.detailMu.Lock()
	t.detail = d
	t.detailMu.Unlock()
}

// snapshotState remembers the previous snapshot's counters, for rates.
type snapshotState struct {
	mu      sync.Mutex
	at      time.Time
	counts  map[string][2]int64
	blocked map[*subtask]int64
}

// Snapshot returns the job's live metrics. It also asks every subtask to refresh its state and window
// figures, which the next Snapshot shows.
func (j *Job) Snapshot() JobSnapshot {
	j.snap.mu.Lock()
	defer j.snap.mu.Unlock()
	now := time.Now()
	dt := now.Sub(j.snap.at).Seconds()
	first := j.snap.at.IsZero()
	if j.snap.counts == nil {
		j.snap.counts = map[string][2]int64{}
		j.snap.blocked = map[*subtask]int64{}
	}
	s := JobSnapshot{Name: j.name, Status: j.Status(), Time: now, ProcTime: j.cfg.Clock.NowMillis(), TaskManagers: j.tms}
	if err := j.Err(); err != nil {
		s.Err = err.Error()
	}
	j.mu.Lock()
	end := j.ended
	j.mu.Unlock()
	if end.IsZero() {
		end = now
	}
	s.Uptime = end.Sub(j.started)
	rate := func(key string, in, out int64) (float64, float64) {
		prev := j.snap.counts[key]
		j.snap.counts[key] = [2]int64{in, out}
		if first || dt <= 0 {
			return 0, 0
		}
		return float64(in-prev[0]) / dt, float64(out-prev[1]) / dt
	}
	ex := j.cur.Load()
	s.Restarts = j.Restarts()
	s.Checkpoints = j.Checkpoints()
	for vi, v := range j.plan.Vertices {
		vs := VertexSnapshot{ID: v.ID, Name: v.Name, Parallelism: v.Parallelism, Inputs: v.Inputs}
		vs.Operators = make([]OperatorSnapshot, len(v.nodes))
		for oi, n := range v.nodes {
			vs.Operators[oi] = OperatorSnapshot{Name: n.name, Watermark: MaxWatermark, Gauges: gaugeValues(n)}
		}
		for _, t := range j.snapshotTasks(ex, vi) {
			if !t.finished.Load() && !t.detailPending.Swap(true) {
				t.gate.post(t.publishDetail)
			}
			ss := SubtaskSnapshot{Index: t.index, TaskManager: t.tm, Slot: t.slot, InputWatermark: t.inWM.Load(),
				BufferFill: t.gate.fill(), Finished: t.finished.Load()}
			ss.IdleInputs, ss.OutputIdle = t.idle.read(len(t.gate.inputs))
			blocked := t.blocked.blockedNanos(now)
			if !first && dt > 0 {
				ss.Backpressure = min(float64(blocked-j.snap.blocked[t])/1e9/dt, 1)
			}
			j.snap.blocked[t] = blocked
			for oi, op := range t.ops {
				m := &op.base().metrics
				os := OperatorSnapshot{Name: v.nodes[oi].name, RecordsIn: m.pub.in.Load(), RecordsOut: m.pub.out.Load(),
					Watermark: m.pub.watermark.Load(), LateDropped: m.pub.lateDropped.Load(), LateSideOutput: m.pub.lateSide.Load()}
				os.RateIn, os.RateOut = rate(fmt.Sprintf("%d/%d/%d", vi, oi, t.index), os.RecordsIn, os.RecordsOut)
				ss.Operators = append(ss.Operators, os)
				agg := &vs.Operators[oi]
				agg.RecordsIn += os.RecordsIn
				agg.RecordsOut += os.RecordsOut
				agg.RateIn += os.RateIn
				agg.RateOut += os.RateOut
				agg.LateDropped += os.LateDropped
				agg.LateSideOutput += os.LateSideOutput
				agg.Watermark = min(agg.Watermark, os.Watermark)
			}
			t.detailMu.Lock()
			ss.State, ss.Windows, ss.Timers = t.detail.state, t.detail.windows, t.detail.timers
			for oi, rs := range t.detail.samples {
				if oi < len(vs.Operators) {
					vs.Operators[oi].Recent = mergeSamples(vs.Operators[oi].Recent, rs)
				}
			}
			t.detailMu.Unlock()
			ss.Alignment = j.align.snapshot(t)
			vs.Subtasks = append(vs.Subtasks, ss)
		}
		s.Vertices = append(s.Vertices, vs)
	}
	s.Memory = j.memorySnapshot(ex)
	s.Stages = j.stageSnapshots()
	j.snap.at = now
	return s
}

// EventKind names a discrete event of a job.
type EventKind string

// The events a job reports.
const (
	EventJobStarted      EventKind = "job-started"
	EventJobFinished     EventKind = "job-finished"
	EventJobFailed       EventKind = "job-failed"
	EventJobCanceled     EventKind = "job-canceled"
	EventWindowFired     EventKind = "window-fired"
	EventWindowLateFired EventKind = "window-late-fired"
	EventWindowPurged    EventKind = "window-purged"
	EventWindowMerged    EventKind = "window-merged"
	EventLateRecord      EventKind = "late-record"
	// Recovery and checkpoints.
	EventJobRestarting       EventKind = "job-restarting"
	EventCheckpointCompleted EventKind = "checkpoint-completed"
	EventCheckpointAborted   EventKind = "checkpoint-aborted"
	EventCheckpointFallback  EventKind = "checkpoint-fallback"
	EventCheckpointRestored  EventKind = "checkpoint-restored"
	// EventWindowsSummarized stands for the per-key window events an operator subtask left out at one
	// watermark (it logs at most 64 of them per watermark); Count says how many.
	EventWindowsSummarized EventKind = "windows-summarized"
)

// Event is a discrete happening in a job, for the workbench's timeline.
type Event struct {
	Seq       uint64
	ProcTime  int64 // job clock when it happened
	Kind      EventKind
	Operator  string
	Subtask   int
	Key       any
	Window    Window
	Timestamp int64 // the record's timestamp, for late records
	Watermark int64 // the operator's watermark at the time
	Count     int64 // records emitted by a firing, windows merged
	Detail    string
}

// String formats the event on one line.
func (e Event) String() string {
	switch e.Kind {
	case EventWindowFired, EventWindowLateFired, EventWindowPurged, EventWindowMerged:
		return fmt.Sprintf("#%d %s %s key=%v window=%v wm=%d n=%d", e.Seq, e.Kind, e.Operator, e.Key, e.Window, e.Watermark, e.Count)
	case EventLateRecord:
		return fmt.Sprintf("#%d %s %s key=%v ts=%d wm=%d %s", e.Seq, e.Kind, e.Operator, e.Key, e.Timestamp, e.Watermark, e.Detail)
	}
	return fmt.Sprintf("#%d %s %s", e.Seq, e.Kind, e.Detail)
}

// eventLog keeps the most recent events in a ring.
type eventLog struct {
	mu    sync.Mutex
	ring  []Event
	next  uint64
	clock Clock
}

const eventRing = 4096

func (l *eventLog) add(e Event) {
	var now int64
	if l.clock != nil {
		now = l.clock.NowMillis()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring == nil {
		l.ring = make([]Event, eventRing)
	}
	l.next++
	e.Seq, e.ProcTime = l.next, now
	l.ring[(l.next-1)%eventRing] = e
}

// Events returns the events after sequence number since (0 for all still kept), oldest first. The log keeps
// the last 4096 events; a caller that polls less often sees a gap in Seq.
func (j *Job) Events(since uint64) []Event {
	l := &j.events
	l.mu.Lock()
	defer l.mu.Unlock()
	from := since + 1
	if l.next >= eventRing && from <= l.next-eventRing {
		from = l.next - eventRing + 1
	}
	var out []Event
	for s := from; s <= l.next; s++ {
		out = append(out, l.ring[(s-1)%eventRing])
	}
	return out
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
