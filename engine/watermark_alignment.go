package engine

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAlignmentUpdateInterval is how often, in processing time, the readers of an alignment group report
// their watermarks and learn how far they may read (Flink's default for withWatermarkAlignment).
const DefaultAlignmentUpdateInterval = time.Second

// alignmentPoll bounds how long a paused reader sleeps between looks at its generator's periodic emission;
// mail (checkpoints), a new announcement and the job's end wake it at once.
const alignmentPoll = 10 * time.Millisecond

// watermarkAlignment is what WatermarkStrategy.WithWatermarkAlignment configures.
type watermarkAlignment struct {
	group    string
	maxDrift time.Duration
	interval time.Duration
}

func newWatermarkAlignment(group string, maxDrift time.Duration, intervals []time.Duration) (*watermarkAlignment, error) {
	const where = "engine: WithWatermarkAlignment"
	if group == "" {
		return nil, fmt.Errorf("%s: group must not be empty", where)
	}
	if maxDrift < time.Millisecond {
		return nil, fmt.Errorf("%s: maxDrift must be at least 1ms (watermarks count milliseconds), got %v", where, maxDrift)
	}
	a := &watermarkAlignment{group: group, maxDrift: maxDrift, interval: DefaultAlignmentUpdateInterval}
	switch len(intervals) {
	case 0:
	case 1:
		if intervals[0] < time.Millisecond {
			return nil, fmt.Errorf("%s: updateInterval must be at least 1ms (the job's clock counts milliseconds), got %v", where, intervals[0])
		}
		a.interval = intervals[0]
	default:
		return nil, fmt.Errorf("%s: at most one updateInterval, got %d", where, len(intervals))
	}
	return a, nil
}

func (a *watermarkAlignment) String() string {
	return fmt.Sprintf("aligned in group %q (max drift %v, update every %v)", a.group, a.maxDrift, a.interval)
}

// alignmentCoordinator is the JobManager's side of watermark alignment, Flink's SourceCoordinator with its
// WatermarkAlignmentParams: for every alignment group it takes, each update interval of the job's processing
// clock, the lowest watermark the readers of the group's sources report, and announces to each source's
// readers the highest watermark they may read to, that minimum plus the source's maxDrift. Readers report
// what they have emitted (their generator's watermark); an idle or finished reader reports MaxWatermark and a
// reader without a watermark yet reports nothing, so neither holds the group back. The sources of a group
// share one announcement, at the shortest of their update intervals (in Flink each source's coordinator
// announces on its own timer; one announcement keeps a group's readers from seeing different minimums).
// It is safe for concurrent use. With a VirtualClock the announcements happen when the clock is advanced.
type alignmentCoordinator struct {
	clock   Clock
	mu      sync.Mutex
	sources map[*node]*alignedSource
	groups  map[string]*alignedGroup
	byTask  map[*subtask]*alignedReader
	stopped bool
}

// alignedGroup is one alignment group: its sources and its periodic announcement.
type alignedGroup struct {
	name     string
	interval time.Duration
	sources  []*alignedSource
	stop     func() bool
}

// alignedSource is one aligned source: its alignment and its current readers.
type alignedSource struct {
	spec    *watermarkAlignment
	group   *alignedGroup
	readers map[int]*alignedReader // by subtask index; a restarted attempt's reader replaces the old one
}

// alignedReader is one source subtask's side of alignment, Flink's SourceOperator with alignment: the
// source loop publishes its watermark and idleness here, and reads only while the watermark is at most the
// announced maximum. The atomics are what the coordinator and Snapshot read.
type alignedReader struct {
	src      *alignedSource
	task     *subtask
	wm       atomic.Int64 // the reader's emitted watermark, MinWatermark before its first
	idle     atomic.Bool
	finished atomic.Bool
	allowed  atomic.Int64 // the announced maximum allowed watermark
	paused   atomic.Bool
	pauses   atomic.Int64
}

// newAlignmentCoordinator returns the coordinator of the job's aligned sources, or nil when it has none, and
// starts their periodic announcements on the job's clock.
func newAlignmentCoordinator(j *Job) *alignmentCoordinator {
	c := &alignmentCoordinator{clock: j.cfg.Clock, sources: map[*node]*alignedSource{},
		groups: map[string]*alignedGroup{}, byTask: map[*subtask]*alignedReader{}}
	var order []*alignedGroup
	for _, v := range j.plan.Vertices {
		n := v.nodes[0]
		if n.source == nil || n.source.strategy == nil || n.source.strategy.align == nil {
			continue
		}
		a := n.source.strategy.align
		g := c.groups[a.group]
		if g == nil {
			g = &alignedGroup{name: a.group, interval: a.interval}
			c.groups[a.group] = g
			order = append(order, g)
		}
		g.interval = min(g.interval, a.interval)
		src := &alignedSource{spec: a, group: g, readers: map[int]*alignedReader{}}
		g.sources = append(g.sources, src)
		c.sources[n] = src
	}
	if len(order) == 0 {
		return nil
	}
	for _, g := range order {
		c.schedule(g)
	}
	return c
}

// schedule arms g's next announcement one update interval from now. The clock may run the callback at once
// (a VirtualClock moved meanwhile), so it is armed without holding the lock.
func (c *alignmentCoordinator) schedule(g *alignedGroup) {
	stop := c.clock.AfterFunc(c.clock.NowMillis()+g.interval.Milliseconds(), func() { c.tick(g) })
	c.mu.Lock()
	g.stop = stop
	if c.stopped {
		stop()
	}
	c.mu.Unlock()
}

func (c *alignmentCoordinator) tick(g *alignedGroup) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.announceLocked(g)
	c.mu.Unlock()
	c.schedule(g)
}

// stop ends the periodic announcements; it is called once the job has stopped for good.
func (c *alignmentCoordinator) stop() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	for _, g := range c.groups {
		if g.stop != nil {
			g.stop()
		}
	}
}

// register returns the alignment of source subtask t, or nil when its source is not aligned.
func (c *alignmentCoordinator) register(t *subtask) *alignedReader {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	src := c.sources[t.vertex.nodes[0]]
	if src == nil {
		return nil
	}
	r := &alignedReader{src: src, task: t}
	r.wm.Store(MinWatermark)
	r.allowed.Store(MaxWatermark) // as Flink's reader, unrestricted until the first announcement
	if old := src.readers[t.index]; old != nil {
		delete(c.byTask, old.task)
	}
	src.readers[t.index] = r
	c.byTask[t] = r
	return r
}

// groupWatermark is the lowest watermark the readers of g report, Flink's WatermarkAggregator: idle and
// finished readers report MaxWatermark, readers without a watermark yet and readers of a stopped attempt
// report nothing. ok is false when no reader reports.
func groupWatermark(g *alignedGroup) (wm int64, ok bool) {
	wm = MaxWatermark
	for _, src := range g.sources {
		for _, r := range src.readers {
			if r.task.exec.stopped() {
				continue
			}
			rep := r.wm.Load()
			if r.idle.Load() || r.finished.Load() {
				rep = MaxWatermark
			} else if rep == MinWatermark {
				continue
			}
			wm, ok = min(wm, rep), true
		}
	}
	return wm, ok
}

// maxAllowedWatermark is the combined watermark plus maxDrift, MaxWatermark when every reader is idle or
// finished or the sum overflows (Flink's SourceCoordinator#announceCombinedWatermark).
func maxAllowedWatermark(combined int64, maxDrift time.Duration) int64 {
	d := maxDrift.Milliseconds()
	if combined > math.MaxInt64-d {
		return MaxWatermark
	}
	return combined + d
}

// announceLocked tells the readers of g's sources the highest watermark each may read to, from one minimum
// over the group, and wakes the paused ones.
func (c *alignmentCoordinator) announceLocked(g *alignedGroup) {
	wm, ok := groupWatermark(g)
	for _, src := range g.sources {
		allowed := MaxWatermark
		if ok {
			allowed = maxAllowedWatermark(wm, src.spec.maxDrift)
		}
		for _, r := range src.readers {
			r.allowed.Store(allowed)
			if r.paused.Load() {
				r.task.gate.notify()
			}
		}
	}
}

// finish records that r's input ended and announces at once to every source of its group: a finished
// reader no longer holds the group back, and a job whose clock moves only with its sources' arrival times
// (Config.DeterministicTime) must not wait for a later interval that may never come.
func (r *alignedReader) finish() {
	if r == nil {
		return
	}
	r.finished.Store(true)
	r.paused.Store(false)
	r.announceGroup()
}

// announceGroup announces to every source of r's group now, out of the periodic schedule.
func (r *alignedReader) announceGroup() {
	c := r.task.job.align
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped {
		c.announceLocked(r.src.group)
	}
}

// hold publishes the reader's watermark and idleness, and reports whether it must not read now because its
// watermark is above the announced maximum (Flink's SourceOperator#shouldWaitForAlignment). A paused reader
// flushes what it has read, keeps its generator's periodic emission going and waits for mail (checkpoint
// barriers), the next announcement or the job's end; time spent paused does not count towards idleness,
// since the reader has records it is not allowed to read (Flink's FLIP-471).
func (r *alignedReader) hold(t *subtask, em *wmEmitter) bool {
	wm := em.current
	r.wm.Store(wm)
	r.idle.Store(em.isIdle)
	if wm <= r.allowed.Load() {
		if r.paused.Load() {
			r.paused.Store(false)
			em.lastEvent = t.now()
		}
		return false
	}
	if !r.paused.Load() {
		r.paused.Store(true)
		r.pauses.Add(1)
		if t.inband {
			// With Config.DeterministicTime the clock moves only when a reading source sets it, and every
			// reader of the group may now be paused: the pause itself is the report that re-announces.
			r.announceGroup()
		}
	}
	t.flush()
	em.lastEvent = t.now()
	em.maybePeriodic()
	t.publish()
	r.wait(t.gate)
	return true
}

// wait sleeps until mail or an announcement wakes the gate, the job stops, or alignmentPoll passes.
func (r *alignedReader) wait(g *gate) {
	if g.mail.Load() > 0 {
		return
	}
	timer := time.NewTimer(alignmentPoll)
	defer timer.Stop()
	select {
	case <-g.wake:
	case <-timer.C:
	case <-g.done:
	}
}

// snapshot describes the alignment of source subtask t for Job.Snapshot, or nil when t's source is not
// aligned.
func (c *alignmentCoordinator) snapshot(t *subtask) *AlignmentSnapshot {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	src := c.sources[t.vertex.nodes[0]]
	if src == nil {
		return nil
	}
	s := &AlignmentSnapshot{Group: src.spec.group, MaxDrift: src.spec.maxDrift, Watermark: MinWatermark, MaxAllowed: MaxWatermark}
	if r := c.byTask[t]; r != nil {
		s.Watermark, s.MaxAllowed = r.wm.Load(), r.allowed.Load()
		s.Paused, s.Idle, s.Finished, s.Pauses = r.paused.Load(), r.idle.Load(), r.finished.Load(), r.pauses.Load()
	}
	return s
}
