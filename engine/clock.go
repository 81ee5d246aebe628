package engine

import (
	"sort"
	"sync"
	"time"
)

// Clock is the engine's source of processing time, in milliseconds since the Unix epoch.
// The engine never reads the system clock directly: a job runs on the Clock in its Config,
// so a test or a scripted replay can drive processing time by hand and stay reproducible.
type Clock interface {
	// NowMillis returns the current processing time in milliseconds.
	NowMillis() int64
	// AfterFunc calls f in its own goroutine once the clock has reached at (milliseconds).
	// The returned function cancels the call if it has not started yet.
	AfterFunc(at int64, f func()) (stop func() bool)
}

// RealClock is the wall clock. It is the default Clock of a Config.
type RealClock struct{}

// NowMillis returns the wall-clock time in milliseconds.
func (RealClock) NowMillis() int64 { return time.Now().UnixMilli() }

// AfterFunc calls f when the wall clock reaches at.
func (RealClock) AfterFunc(at int64, f func()) func() bool {
	d := time.Duration(at-time.Now().UnixMilli()) * time.Millisecond
	t := time.AfterFunc(max(d, 0), f)
	return t.Stop
}

// VirtualClock is a Clock that only moves when its owner calls Set or Advance.
// Callbacks due at or before the new time run, in deadline order, before Set returns.
// The zero VirtualClock starts at time 0 and is ready to use.
type VirtualClock struct {
	mu      sync.Mutex
	now     int64
	seq     int64
	pending []*virtualTimer
}

type virtualTimer struct {
	at, seq int64
	f       func()
	stopped bool
}

// NewVirtualClock returns a VirtualClock that reads start.
func NewVirtualClock(start int64) *VirtualClock { return &VirtualClock{now: start} }

// NowMillis returns the clock's current time.
func (c *VirtualClock) NowMillis() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock reaches at; if it already has, f runs at once.
func (c *VirtualClock) AfterFunc(at int64, f func()) func() bool {
	c.mu.Lock()
	if at <= c.now {
		c.mu.Unlock()
		f()
		return func() bool { return false }
	}
	c.seq++
	t := &virtualTimer{at: at, seq: c.seq, f: f}
	c.pending = append(c.pending, t)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock forward by d milliseconds.
func (c *VirtualClock) Advance(d int64) { c.Set(c.NowMillis() + d) }

// Set moves the clock to t (it never moves backwards) and runs the callbacks now due.
func (c *VirtualClock) Set(t int64) {
	c.mu.Lock()
	if t > c.now {
		c.now = t
	}
	var due, keep []*virtualTimer
	for _, p := range c.pending {
		switch {
		case p.stopped:
		case p.at <= c.now:
			p.stopped = true
			due = append(due, p)
		default:
			keep = append(keep, p)
		}
	}
	c.pending = keep
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if due[i].at != due[j].at {
			return due[i].at < due[j].at
		}
		return due[i].seq < due[j].seq
	})
	for _, p := range due {
		p.f()
	}
}
