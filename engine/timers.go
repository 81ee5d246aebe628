package engine

import "container/heap"

// TimeDomain says which clock a timer was registered on.
type TimeDomain uint8

// The time domains of timers.
const (
	EventTime TimeDomain = iota
	ProcessingTime
)

func (d TimeDomain) String() string {
	if d == EventTime {
		return "event time"
	}
	return "processing time"
}

// timer is a registered timer: a time, and the key and namespace it was set for.
type timer struct {
	ts  int64
	key any
	kg  int
	ns  Window
	seq uint64 // registration order, so timers of equal time fire in a fixed order
}

type timerID struct {
	ts  int64
	key any
	ns  Window
}

// timerQueue is a min-heap of timers with Flink's set semantics: registering a timer that exists is a no-op,
// and a deleted timer never fires.
type timerQueue struct {
	h   timerHeap
	set map[timerID]uint64 // live timers and the seq of their heap entry
	seq uint64
}

func newTimerQueue() *timerQueue { return &timerQueue{set: map[timerID]uint64{}} }

func (q *timerQueue) add(ts int64, key any, kg int, ns Window) bool {
	id := timerID{ts, key, ns}
	if _, ok := q.set[id]; ok {
		return false
	}
	q.seq++
	q.set[id] = q.seq
	heap.Push(&q.h, timer{ts: ts, key: key, kg: kg, ns: ns, seq: q.seq})
	return true
}

func (q *timerQueue) remove(ts int64, key any, ns Window) { delete(q.set, timerID{ts, key, ns}) }

// peek returns the earliest live timer's time, dropping deleted entries on the way.
func (q *timerQueue) peek() (int64, bool) {
	for len(q.h) > 0 {
		t := q.h[0]
		if seq, ok := q.set[timerID{t.ts, t.key, t.ns}]; ok && seq == t.seq {
			return t.ts, true
		}
		heap.Pop(&q.h)
	}
	return 0, false
}

// pop removes and returns the earliest live timer if its time is at most upTo.
func (q *timerQueue) pop(upTo int64) (timer, bool) {
	ts, ok := q.peek()
	if !ok || ts > upTo {
		return timer{}, false
	}
	t := heap.Pop(&q.h).(timer)
	delete(q.set, timerID{t.ts, t.key, t.ns})
	return t, true
}

func (q *timerQueue) len() int { return len(q.set) }

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].ts != h[j].ts {
		return h[i].ts < h[j].ts
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
