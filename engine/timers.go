package engine

import (
	"container/heap"
	"sort"
)

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
	// unique marks a timer added with addUnique: live until it fires, without an entry in the live set.
	unique bool
	// dead marks a timer added with addUnique and removed since: skipped when reached.
	dead bool
}

type timerID struct {
	ts  int64
	key any
	ns  Window
}

// timerQueue holds timers with Flink's set semantics: registering a timer that exists is a no-op, and a
// deleted timer never fires. Timers are bucketed by time (windows make thousands of timers share one end
// time): a min-heap orders the distinct times and each bucket keeps its timers in registration order, so
// timers of equal time fire in a fixed order.
type timerQueue struct {
	times   timeHeap
	buckets map[int64]*timerBucket
	set     map[timerID]struct{} // live timers
	deletes int                  // deletions from set since it was last rebuilt
	unique  int                  // live timers added with addUnique, which are not in set
	// spare holds emptied buckets for new times, their arrays kept: windows make a new time (and a bucket of
	// dozens of timers) every millisecond of event time, and a watermark fires and empties thousands of them
	// at once. spareEntries is the capacity of their arrays, bounded by maxSpareEntries.
	spare        []*timerBucket
	spareEntries int
	// last is the bucket of time lastTs that bucket returned last (nil: none): consecutive records mostly
	// set timers of one time.
	last   *timerBucket
	lastTs int64
	// first is the bucket of time firstTs that pop took timers from last (nil: none).
	first   *timerBucket
	firstTs int64
	// removed is the bucket of time removedTs that removeUnique found last (nil: none): merging sessions'
	// old timers are removed in time order, dozens from one bucket in a row.
	removed   *timerBucket
	removedTs int64
	// quiesced makes add ignore new timers: set while Batch mode fires a key's timers at its end (Flink's
	// BatchExecutionInternalTimeService ignores timers registered from those callbacks).
	quiesced bool
}

// forgotten counts a deletion from the live set. A Go map keeps deleted slots until it grows, which
// lengthens every lookup when timers come and go all the time (a window's timers are all deleted when it
// fires), so the set is rebuilt once deletions outnumber live timers: amortised O(1) per deletion.
func (q *timerQueue) forgotten() {
	q.deletes++
	if q.deletes > 2*len(q.set)+1024 {
		fresh := make(map[timerID]struct{}, len(q.set))
		for k := range q.set {
			fresh[k] = struct{}{}
		}
		q.set, q.deletes = fresh, 0
	}
}

type timerBucket struct {
	entries []timer
	head    int
	// next is where removeUnique starts looking: just after the timer it removed last, since timers of one
	// time are mostly removed in the order they were added (the keys of merging sessions come in turn).
	next int
}

func newTimerQueue() *timerQueue {
	return &timerQueue{buckets: map[int64]*timerBucket{}, set: map[timerID]struct{}{}}
}

// add registers a timer and reports whether it was new. It hashes the timer once: inserting into the live
// set and comparing the set's size tells whether the timer already existed (the default EventTimeTrigger
// registers the same timer for every record of a window).
func (q *timerQueue) add(ts int64, key any, kg int, ns Window) bool {
	if q.quiesced {
		return false
	}
	n := len(q.set)
	q.set[timerID{ts, key, ns}] = struct{}{}
	if len(q.set) == n {
		return false
	}
	b := q.bucket(ts)
	b.entries = append(b.entries, timer{ts: ts, key: key, kg: kg, ns: ns})
	return true
}

// addUnique registers a timer that the caller knows is not registered yet and will never delete nor
// register again before it fires, without touching the live set: the default trigger's timer of a window's
// first record, on the window operator's fast path. It saves two hashes of a key that is cold in the cache
// (100,000 keys make each a cache miss) per window and key.
func (q *timerQueue) addUnique(ts int64, key any, kg int, ns Window) {
	if q.quiesced {
		return
	}
	q.unique++
	b := q.bucket(ts)
	b.entries = append(b.entries, timer{ts: ts, key: key, kg: kg, ns: ns, unique: true})
}

// removeUnique deletes a timer added with addUnique. Its bucket (the timers of one time, a few dozen at most
// in practice) is scanned for it, from where the last removal from the bucket left off and round, and the
// entry, marked dead, is skipped when reached. A timer not found there is removed from the live set (a timer restored from a checkpoint was
// added with add).
func (q *timerQueue) removeUnique(ts int64, key any, ns Window) {
	b := q.removed
	if b == nil || q.removedTs != ts {
		b = q.buckets[ts]
		q.removed, q.removedTs = b, ts
	}
	if b != nil {
		from := max(b.next, b.head)
		for n := len(b.entries) - b.head; n > 0; n-- {
			if from >= len(b.entries) {
				from = b.head
			}
			if e := &b.entries[from]; e.unique && e.ns == ns && e.key == key {
				e.unique, e.dead = false, true
				q.unique--
				b.next = from + 1
				return
			}
			from++
		}
	}
	q.remove(ts, key, ns)
}

// bucket returns the bucket of time ts, making it (from a spare one if there is one) if there is none.
func (q *timerQueue) bucket(ts int64) *timerBucket {
	if q.last != nil && q.lastTs == ts {
		return q.last
	}
	b := q.buckets[ts]
	if b == nil {
		if n := len(q.spare); n > 0 {
			b, q.spare = q.spare[n-1], q.spare[:n-1]
			q.spareEntries -= cap(b.entries)
		} else {
			b = &timerBucket{entries: make([]timer, 0, q.capacityHint())}
		}
		q.buckets[ts] = b
		heap.Push(&q.times, ts)
	}
	q.last, q.lastTs = b, ts
	return b
}

// maxCapacityHint bounds capacityHint.
const maxCapacityHint = 1024

// capacityHint is the capacity a new bucket's array starts with when no spare bucket is left: as many timers
// as the bucket used last holds (up to maxCapacityHint), since windows make times of similar numbers of
// timers one after another, and an array grown from nothing reallocates about log2(n) times. A guess too
// large wastes one bucket's array: the next guess follows that bucket.
func (q *timerQueue) capacityHint() int {
	if q.last == nil {
		return 0
	}
	return min(len(q.last.entries), maxCapacityHint)
}

// maxSpareEntries bounds the timers the arrays of spare buckets can hold (at about 56 bytes a timer, 56 MiB).
// A watermark empties as many buckets as the times it passes (thousands when windows make a time every
// millisecond), and the records until the next watermark make as many again, so the bound is wide; spares
// live only until the next watermark (dropSpares), so they hold at most what the buckets held just before.
const maxSpareEntries = 1 << 20

// dropSpares lets the GC have the spare buckets that no new time took since the last watermark.
func (q *timerQueue) dropSpares() {
	clear(q.spare)
	q.spare, q.spareEntries = q.spare[:0], 0
}

// dropEarliest forgets the earliest time's bucket, whose entries have all been consumed (and cleared), and
// keeps it as a spare.
func (q *timerQueue) dropEarliest(ts int64, b *timerBucket) {
	delete(q.buckets, ts)
	heap.Pop(&q.times)
	if q.last == b {
		q.last = nil
	}
	if q.first == b {
		q.first = nil
	}
	if q.removed == b {
		q.removed = nil
	}
	if c := cap(b.entries); q.spareEntries+c <= maxSpareEntries {
		b.entries, b.head, b.next = b.entries[:0], 0, 0
		q.spare = append(q.spare, b)
		q.spareEntries += c
	}
}

// live reports whether a bucket entry is a live timer.
func (q *timerQueue) live(t timer) bool {
	if t.unique || t.dead {
		return t.unique
	}
	_, ok := q.set[timerID{t.ts, t.key, t.ns}]
	return ok
}

// remove deletes a timer; its bucket entry is skipped when reached.
func (q *timerQueue) remove(ts int64, key any, ns Window) {
	n := len(q.set)
	delete(q.set, timerID{ts, key, ns})
	if len(q.set) < n {
		q.forgotten()
	}
}

// peek returns the earliest live timer's time, dropping deleted entries and empty buckets on the way.
func (q *timerQueue) peek() (int64, bool) {
	for len(q.times) > 0 {
		ts := q.times[0]
		b := q.buckets[ts]
		for b.head < len(b.entries) {
			if q.live(b.entries[b.head]) {
				return ts, true
			}
			b.entries[b.head] = timer{}
			b.head++
		}
		q.dropEarliest(ts, b)
	}
	return 0, false
}

// pop removes and returns the earliest live timer if its time is at most upTo. Each entry is hashed once:
// deleting it from the live set and comparing the set's size tells whether it was live.
func (q *timerQueue) pop(upTo int64) (timer, bool) {
	for len(q.times) > 0 {
		ts := q.times[0]
		if ts > upTo {
			return timer{}, false
		}
		b := q.first
		if b == nil || q.firstTs != ts {
			b = q.buckets[ts]
			q.first, q.firstTs = b, ts
		}
		for b.head < len(b.entries) {
			t := b.entries[b.head]
			b.entries[b.head] = timer{}
			b.head++
			if t.unique {
				q.unique--
				return t, true
			}
			if t.dead {
				continue
			}
			n := len(q.set)
			delete(q.set, timerID{t.ts, t.key, t.ns})
			if len(q.set) < n {
				q.forgotten()
				return t, true
			}
		}
		q.dropEarliest(ts, b)
	}
	return timer{}, false
}

func (q *timerQueue) len() int { return len(q.set) + q.unique }

// each calls f for every live timer, in firing order.
func (q *timerQueue) each(f func(timer)) {
	times := append([]int64(nil), q.times...)
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	seen := map[timerID]bool{}
	for _, ts := range times {
		b := q.buckets[ts]
		for _, t := range b.entries[b.head:] {
			id := timerID{t.ts, t.key, t.ns}
			if q.live(t) && !seen[id] {
				seen[id] = true
				f(t)
			}
		}
	}
}

type timeHeap []int64

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *timeHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
