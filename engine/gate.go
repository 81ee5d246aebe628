package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

type msgKind uint8

const (
	msgRecords msgKind = iota
	msgWatermark
	msgIdle
	msgActive
	msgEnd
	msgMail
	msgTime // in-band processing time (Config.DeterministicTime)
)

// message is what travels on a channel between two subtasks (in order: records never overtake watermarks),
// or a piece of mail for the receiving subtask's own goroutine (timers, snapshot requests).
type message struct {
	kind msgKind
	ch   int
	recs []record
	time int64
	mail func()
}

// gate is a subtask's input: every channel from its upstream subtasks feeds one queue, and each channel may
// have at most credits buffers in the queue, Flink's credit-based flow control. A sender without credit waits,
// so a slow subtask backpressures its producers and nothing grows without bound.
type gate struct {
	mu       sync.Mutex
	space    sync.Cond
	queue    []message
	head     int
	inflight []int
	credits  int
	inputs   []int // input index (0 or 1) of each channel
	wake     chan struct{}
	done     <-chan struct{}
	closed   bool
	mail     atomic.Int32 // pending mail, for sources that poll
}

func newGate(credits int, done <-chan struct{}) *gate {
	g := &gate{credits: credits, wake: make(chan struct{}, 1), done: done}
	g.space.L = &g.mu
	return g
}

func (g *gate) addChannel(input int) int {
	g.inputs = append(g.inputs, input)
	g.inflight = append(g.inflight, 0)
	return len(g.inputs) - 1
}

// backpressure measures how long a sender has waited for credit: the total of finished waits and the start
// of the wait in progress, so that a sender stuck right now shows as backpressured.
type backpressure struct {
	total atomic.Int64 // nanoseconds
	since atomic.Int64 // UnixNano of the current wait's start, or 0
}

// blockedNanos returns the time spent waiting so far, including a wait in progress.
func (b *backpressure) blockedNanos(now time.Time) int64 {
	n := b.total.Load()
	if s := b.since.Load(); s != 0 {
		n += now.UnixNano() - s
	}
	return n
}

// send enqueues m on channel ch, waiting for credit if m holds records; bp accounts the wait (the sender's
// backpressure). It returns false if the gate was closed.
func (g *gate) send(m message, bp *backpressure) bool {
	g.mu.Lock()
	if m.kind == msgRecords && g.inflight[m.ch] >= g.credits && !g.closed {
		start := time.Now()
		bp.since.Store(start.UnixNano())
		for g.inflight[m.ch] >= g.credits && !g.closed {
			g.space.Wait()
		}
		bp.total.Add(int64(time.Since(start)))
		bp.since.Store(0)
	}
	if g.closed {
		g.mu.Unlock()
		return false
	}
	if m.kind == msgRecords {
		g.inflight[m.ch]++
	}
	g.queue = append(g.queue, m)
	g.mu.Unlock()
	g.notify()
	return true
}

func (g *gate) notify() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// post enqueues mail for the subtask; it never waits.
func (g *gate) post(f func()) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.queue = append(g.queue, message{kind: msgMail, mail: f})
	g.mail.Add(1)
	g.mu.Unlock()
	g.notify()
}

// poll returns the next message without waiting.
func (g *gate) poll() (message, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.head == len(g.queue) {
		return message{}, false
	}
	m := g.queue[g.head]
	g.queue[g.head] = message{}
	g.head++
	if g.head == len(g.queue) {
		g.queue, g.head = g.queue[:0], 0
	}
	if m.kind == msgMail {
		g.mail.Add(-1)
	}
	return m, true
}

// next returns the next message, calling idle (to flush output) before it waits. It returns false once the
// job is stopping.
func (g *gate) next(idle func()) (message, bool) {
	flushed := false
	for {
		if m, ok := g.poll(); ok {
			return m, true
		}
		if !flushed {
			idle()
			flushed = true
			continue
		}
		select {
		case <-g.wake:
		case <-g.done:
			return message{}, false
		}
	}
}

// wait blocks until a message arrives, d passes, or the job stops.
func (g *gate) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-g.wake:
		g.notify() // leave the signal for poll's caller
	case <-t.C:
	case <-g.done:
	}
}

// release returns the credit of a processed buffer on channel ch.
func (g *gate) release(ch int) {
	g.mu.Lock()
	g.inflight[ch]--
	g.mu.Unlock()
	g.space.Broadcast()
}

// close wakes every waiting sender; later sends fail.
func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.space.Broadcast()
}

// fill returns how full the gate's queue is, 0 to 1, as the workbench's buffer-fill figure.
func (g *gate) fill() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	total := 0
	for _, n := range g.inflight {
		total += n
	}
	if len(g.inflight) == 0 {
		return 0
	}
	return float64(total) / float64(len(g.inflight)*g.credits)
}
