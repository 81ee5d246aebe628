// Package live draws a running engine job for the workbench: the job graph with throughput and backpressure
// sparklines, watermark lanes, event time against the watermark (Timeline: sampled records, the late ones
// marked), the windows as a strip per key and a list, state size over time, checkpoints as bars, throughput
// sparklines and, for a CEP operator, its partial matches per stage and key (Patterns).
//
// Every view is a pure function of a History (the recent JobSnapshots and Events of one job), a width (and
// sometimes a height) and a language, returning a string. Nothing here talks to the engine or to Bubble Tea,
// so the views can be tested with fabricated snapshots and rendered into golden files:
//
//	h := live.NewHistory(0, 0)
//	h.Add(job.Snapshot(), job.Events(h.NextSeq()))
//	fmt.Println(live.Graph(h, 80, i18n.EN))
//
// Widths are terminal cells; every line a view returns is at most that wide, measured with lipgloss.Width so
// that Korean labels line up.
package live

import (
	"github.com/de4e/weir/engine"
)

// DefaultSnapshots is how many snapshots a History keeps by default: a minute at four polls a second.
const DefaultSnapshots = 240

// DefaultEvents is how many events a History keeps by default.
const DefaultEvents = 2000

// History is the recent past of one job: a ring of snapshots and a ring of events. The zero value is not
// usable; call NewHistory. A History is not safe for concurrent use: the workbench adds to it and draws it
// from its event loop only.
type History struct {
	snaps   []engine.JobSnapshot
	start   int // index of the oldest snapshot in snaps
	n       int
	events  []engine.Event
	estart  int
	en      int
	nextSeq uint64
	iter    *engine.IterationSnapshot // the iteration the job is a superstep of (SetIteration), nil if none
}

// NewHistory returns an empty History keeping up to snapshots snapshots and events events (0 or less: the
// defaults, DefaultSnapshots and DefaultEvents).
func NewHistory(snapshots, events int) *History {
	if snapshots <= 0 {
		snapshots = DefaultSnapshots
	}
	if events <= 0 {
		events = DefaultEvents
	}
	return &History{snaps: make([]engine.JobSnapshot, snapshots), events: make([]engine.Event, events)}
}

// Add appends a snapshot and the events that came with it. Events older than the newest one seen are
// ignored, so the same events may be passed twice.
func (h *History) Add(s engine.JobSnapshot, evs []engine.Event) {
	i := (h.start + h.n) % len(h.snaps)
	h.snaps[i] = s
	if h.n < len(h.snaps) {
		h.n++
	} else {
		h.start = (h.start + 1) % len(h.snaps)
	}
	for _, e := range evs {
		if e.Seq < h.nextSeq {
			continue
		}
		h.nextSeq = e.Seq + 1
		j := (h.estart + h.en) % len(h.events)
		h.events[j] = e
		if h.en < len(h.events) {
			h.en++
		} else {
			h.estart = (h.estart + 1) % len(h.events)
		}
	}
}

// NextSeq returns the sequence number to pass to Job.Events for the events not yet added.
func (h *History) NextSeq() uint64 { return h.nextSeq }

// Len returns the number of snapshots held.
func (h *History) Len() int { return h.n }

// Snapshot returns the i-th snapshot held, 0 being the oldest.
func (h *History) Snapshot(i int) engine.JobSnapshot {
	return h.snaps[(h.start+i)%len(h.snaps)]
}

// Latest returns the newest snapshot; ok is false when there is none.
func (h *History) Latest() (s engine.JobSnapshot, ok bool) {
	if h == nil || h.n == 0 {
		return engine.JobSnapshot{}, false
	}
	return h.Snapshot(h.n - 1), true
}

// latestOrZero returns the newest snapshot, or a zero one when there is none.
func (h *History) latestOrZero() engine.JobSnapshot {
	s, _ := h.Latest()
	return s
}

// findGauge returns the value of the first gauge named name that an operator of s publishes, or nil. The
// views of what a library's operator publishes (GraphIteration, Model) find it with this.
func findGauge(s engine.JobSnapshot, name string) any {
	for _, v := range s.Vertices {
		for _, op := range v.Operators {
			if g, ok := op.Gauge(name); ok {
				return g
			}
		}
	}
	return nil
}

// Snapshots returns the snapshots held, oldest first, in a new slice.
func (h *History) Snapshots() []engine.JobSnapshot {
	out := make([]engine.JobSnapshot, h.n)
	for i := range out {
		out[i] = h.Snapshot(i)
	}
	return out
}

// Events returns the events held, oldest first, in a new slice.
func (h *History) Events() []engine.Event {
	if h == nil {
		return nil
	}
	out := make([]engine.Event, h.en)
	for i := range out {
		out[i] = h.events[(h.estart+i)%len(h.events)]
	}
	return out
}
