package sources

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
)

// Controller steers a replay while its job runs: speed, pause, single steps. It is safe for concurrent use
// (the workbench calls it from its own goroutine) and outlives job restarts, so a crash marker fires once.
type Controller struct {
	mu       sync.Mutex
	speed    float64 // 0: as fast as possible; 1: real time; N: N times real time
	paused   bool
	skipped  int
	lastSkip error
	steps    int
	pos      int64 // events and markers consumed
	total    int64 // the replay's length in events and markers; 0 when unknown
	started  time.Time
	lastArr  int64
	crashed  map[int64]bool
	// pacing: wall-clock time at which arrival anchorArr is due
	anchorWall time.Time
	anchorArr  int64
	anchored   bool
}

// NewController returns a controller replaying at speed (0 for as fast as possible, 1 for real time).
func NewController(speed float64) *Controller {
	return &Controller{speed: speed, crashed: map[int64]bool{}}
}

// SetSpeed changes the speed: 0 for as fast as possible, 1 for real time, N for N times real time.
func (c *Controller) SetSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.speed, c.anchored = max(speed, 0), false
}

// Pause stops the replay after the current event.
func (c *Controller) Pause() { c.mu.Lock(); c.paused = true; c.mu.Unlock() }

// Resume continues a paused replay.
func (c *Controller) Resume() { c.mu.Lock(); c.paused, c.anchored = false, false; c.mu.Unlock() }

// Step lets a paused replay emit one more event.
func (c *Controller) Step() { c.mu.Lock(); c.steps++; c.mu.Unlock() }

// Progress says how far the replay is.
type Progress struct {
	Position    int64   // events and markers consumed
	LastArrival int64   // arrival time of the last event, milliseconds
	Paused      bool    // paused
	Speed       float64 // current speed
	// Skipped counts the bad lines passed over under the Skip policy (by the current reader: a restore
	// reads the recordings again), and LastSkip is the last one's error, naming its file and line.
	Skipped  int
	LastSkip error
	// Total is the replay's length in events and markers, comparable with Position, when every recording
	// knows its own (Opener.Lines): a bundled recording does. 0 when it is not known.
	Total int64
	// Started is when the replay consumed its first line (zero before), for a rate and an estimate of
	// the time left.
	Started time.Time
}

// Progress returns how far the replay is.
func (c *Controller) Progress() Progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Progress{Position: c.pos, LastArrival: c.lastArr, Paused: c.paused, Speed: c.speed, Skipped: c.skipped,
		LastSkip: c.lastSkip, Total: c.total, Started: c.started}
}

// skippedLines records the bad lines a reader has skipped so far.
func (c *Controller) skippedLines(n int, last error) {
	c.mu.Lock()
	c.skipped, c.lastSkip = n, last
	c.mu.Unlock()
}

// admit decides whether the event arriving at arrival may be emitted now.
func (c *Controller) admit(arrival int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused {
		if c.steps == 0 {
			return false
		}
		c.steps--
		return true
	}
	if c.speed == 0 {
		return true
	}
	now := time.Now()
	if !c.anchored {
		c.anchorWall, c.anchorArr, c.anchored = now, arrival, true
	}
	due := c.anchorWall.Add(time.Duration(float64(arrival-c.anchorArr)/c.speed) * time.Millisecond)
	return !now.Before(due)
}

// setTotal records the replay's length (0: unknown).
func (c *Controller) setTotal(n int64) { c.mu.Lock(); c.total = n; c.mu.Unlock() }

func (c *Controller) consumed(pos, arrival int64) {
	c.mu.Lock()
	if c.started.IsZero() {
		c.started = time.Now()
	}
	c.pos, c.lastArr = pos, max(c.lastArr, arrival)
	c.mu.Unlock()
}

// firstCrash reports whether the crash marker at pos has not fired yet, and marks it fired.
func (c *Controller) firstCrash(pos int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed[pos] {
		return false
	}
	c.crashed[pos] = true
	return true
}

// Replay is an engine.Source replaying recordings, merged by arrival time. Ties go to the recording given
// first, then to the earlier line.
type Replay struct {
	// Recordings are opened afresh by every reader (and after every restore).
	Recordings []Opener
	// Control steers the replay. It also remembers which crash markers have fired, across the job's
	// restarts, so a Replay used by a job needs one; nil replays as fast as possible and fires a crash
	// marker every time it is reached.
	Control *Controller
	// Policy for bad lines. Default Fail.
	Policy Policy
}

// Opener opens one recording: its name (for errors) and its contents.
type Opener struct {
	Name string
	Open func() (io.ReadCloser, error)
	// Lines is the recording's number of lines that are not blank (its events and markers), when known
	// (a bundled recording's is); 0 when it is not. A replay whose recordings all know theirs reports its
	// length in Progress.Total.
	Lines int64
}

// MaxParallelism returns 1: a replay keeps its recordings' order, so one reader replays them.
func (Replay) MaxParallelism() int { return 1 }

// Boundedness returns engine.BoundedInput: a replay ends with its recordings, so engine.Automatic runs its
// job in Batch mode.
func (Replay) Boundedness() engine.Boundedness { return engine.BoundedInput }

// Reader opens the recordings.
func (r Replay) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	if len(r.Recordings) == 0 {
		return nil, errors.New("sources: a replay needs at least one recording")
	}
	if r.Control == nil {
		r.Control = NewController(0)
	}
	rd := &replayReader{r: r, ctx: ctx}
	if err := rd.open(); err != nil {
		return nil, err
	}
	return rd, nil
}

type replayReader struct {
	r       Replay
	ctx     engine.SourceContext
	streams []*stream
	pos     int64
	pending *Line // the next line, chosen but not yet admitted
}

type stream struct {
	rc   io.ReadCloser
	rd   *Reader
	head *Line
	done bool
}

func (rr *replayReader) open() error {
	rr.Close()
	rr.streams, rr.pos, rr.pending = nil, 0, nil
	var total int64
	for _, o := range rr.r.Recordings {
		if total >= 0 && o.Lines > 0 {
			total += o.Lines
		} else {
			total = -1 // one recording of unknown length: the replay's is unknown
		}
	}
	rr.r.Control.setTotal(max(total, 0))
	for _, o := range rr.r.Recordings {
		rc, err := o.Open()
		if err != nil {
			return fmt.Errorf("sources: opening %s: %w", o.Name, err)
		}
		rr.streams = append(rr.streams, &stream{rc: rc, rd: NewReader(rc, o.Name, rr.r.Policy)})
	}
	return nil
}

// next picks the next line of the merged recordings: a marker at the head of its recording first (it stays
// where it was written), else the event with the smallest arrival, ties going to the recording given first.
func (rr *replayReader) next() (*Line, error) {
	best := -1
	for i, s := range rr.streams {
		if s.done {
			continue
		}
		if s.head == nil {
			l, err := s.rd.Next()
			if err == io.EOF {
				s.done = true
				continue
			}
			if err != nil {
				return nil, err
			}
			s.head = &l
		}
		if s.head.Marker != nil {
			best = i
			break
		}
		if best < 0 || s.head.Event.Arrival < rr.streams[best].head.Event.Arrival {
			best = i
		}
	}
	if best < 0 {
		return nil, io.EOF
	}
	l := rr.streams[best].head
	rr.streams[best].head = nil
	return l, nil
}

func (rr *replayReader) Read() (engine.SourceElement, error) {
	c := rr.r.Control
	// Markers that produce nothing (a pause, a crash that fired before) are consumed in a loop, not by
	// recursion: a recording of millions of consecutive markers must not exhaust the stack.
	for {
		if rr.pending == nil {
			l, err := rr.next()
			rr.reportSkipped()
			if err == io.EOF {
				return engine.SourceElement{}, engine.ErrEndOfInput
			}
			if err != nil {
				return engine.SourceElement{}, err
			}
			rr.pending = l
		}
		m := rr.pending.Marker
		if m == nil {
			break
		}
		rr.pending = nil
		rr.pos++
		c.consumed(rr.pos, -1)
		switch m.Kind {
		case "watermark":
			return engine.SourceElement{Value: engine.Watermark{Time: m.Time}}, nil
		case "idle":
			return engine.SourceElement{Value: engine.Idle{}}, nil
		case "crash":
			if c.firstCrash(rr.pos) {
				return engine.SourceElement{Value: engine.Crash{Reason: m.Reason}}, nil
			}
		case "pause":
			c.Pause()
		}
	}
	l := rr.pending
	e := l.Event
	if !c.admit(e.Arrival) {
		return engine.SourceElement{}, engine.ErrNoData
	}
	rr.pending = nil
	rr.pos++
	c.consumed(rr.pos, e.Arrival)
	if c.Progress().Speed == 0 && rr.ctx.SetTime != nil {
		rr.ctx.SetTime(e.Arrival) // replayed as fast as possible, the arrival times are the clock
	}
	return engine.SourceElement{Value: *e, Timestamp: e.Time}, nil
}

// reportSkipped tells the controller how many bad lines the Skip policy has passed over so far.
func (rr *replayReader) reportSkipped() {
	n := 0
	var last error
	for _, s := range rr.streams {
		k, err := s.rd.Skipped()
		n += k
		if err != nil {
			last = err
		}
	}
	if n > 0 {
		rr.r.Control.skippedLines(n, last)
	}
}

// Offset is the number of lines consumed.
func (rr *replayReader) Offset() ([]byte, error) { return []byte(strconv.FormatInt(rr.pos, 10)), nil }

// Seek reopens the recordings and skips to a position Offset returned.
func (rr *replayReader) Seek(off []byte) error {
	n, err := strconv.ParseInt(string(off), 10, 64)
	if err != nil {
		return fmt.Errorf("sources: bad replay offset %q", off)
	}
	if err := rr.open(); err != nil {
		return err
	}
	for rr.pos < n {
		if _, err := rr.next(); err != nil {
			if err == io.EOF {
				return fmt.Errorf("sources: replay offset %d is past the end (%d lines)", n, rr.pos)
			}
			return err
		}
		rr.pos++
	}
	return nil
}

func (rr *replayReader) Close() error {
	for _, s := range rr.streams {
		s.rc.Close()
	}
	rr.streams = nil
	return nil
}
