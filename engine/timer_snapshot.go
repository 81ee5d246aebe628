package engine

import (
	"cmp"
	"slices"
	"sync"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// Timer tables: a keyed operator's timers are written into its snapshot as two tables of its state, one
// entry per key and namespace holding the times ([]int64) of its timers, so that they are restored with it.
const (
	eventTimerTable = "__timers/event"
	procTimerTable  = "__timers/proc"
)

// snapshotKeyed takes the synchronous part of a snapshot of b's keyed state and timers into dir. The timers
// go into the snapshot straight from their queues (captureTimers) as extra tables of the backend's snapshot,
// as Flink's heap timers are snapshotted by key group from the priority queue itself: they are never
// written into the backend's tables (on Pebble, a Put and a Delete per timer at every checkpoint).
func (b *opBase) snapshotKeyed(id int64, dir string) (func() (state.SnapshotStats, error), error) {
	r := b.backend.KeyGroups()
	return b.backend.SnapshotSyncWith(id, dir, []state.ExtraTable{
		b.eventTimers.capture(r).table(eventTimerTable),
		b.procTimers.capture(r).table(procTimerTable),
	})
}

// timerCapture is the live timers of a queue at a snapshot's synchronous part, taken in one pass over the
// queue's buckets without hashing a timer that the queue knows is live (addUnique's); the asynchronous part
// sorts them by key group and merges each key and namespace's times.
type timerCapture struct {
	r       keygroup.Range
	timers  []timer
	present []bool // by key group - r.Start: it has timers
	once    sync.Once
	byKG    [][]timer // the timers by key group (sorted in place by the first call of each)
}

// capture copies q's live timers for a snapshot of the key groups r.
func (q *timerQueue) capture(r keygroup.Range) *timerCapture {
	c := &timerCapture{r: r, present: make([]bool, r.Len()), timers: make([]timer, 0, q.len())}
	for _, ts := range q.times {
		b := q.buckets[ts]
		for _, t := range b.entries[b.head:] {
			if q.live(t) {
				c.timers = append(c.timers, t)
				c.present[t.kg-r.Start] = true
			}
		}
	}
	return c
}

// table returns the capture as a snapshot's extra table called name.
func (c *timerCapture) table(name string) state.ExtraTable {
	x := state.ExtraTable{Name: name, Each: c.each}
	for i, ok := range c.present {
		if ok {
			x.Groups = append(x.Groups, c.r.Start+i)
		}
	}
	return x
}

// group sorts the timers into their key groups, once, in place: a counting sort that swaps each timer
// into its group's next free place.
func (c *timerCapture) group() {
	c.once.Do(func() {
		ends := make([]int, c.r.Len()+1)
		for _, t := range c.timers {
			ends[t.kg-c.r.Start+1]++
		}
		for i := 1; i < len(ends); i++ {
			ends[i] += ends[i-1]
		}
		next := slices.Clone(ends[:len(ends)-1])
		for g := range next {
			for next[g] < ends[g+1] {
				i := next[g]
				if d := c.timers[i].kg - c.r.Start; d != g {
					c.timers[i], c.timers[next[d]] = c.timers[next[d]], c.timers[i]
					next[d]++
					continue
				}
				next[g]++
			}
		}
		c.byKG = make([][]timer, c.r.Len())
		for g := range c.byKG {
			c.byKG[g] = c.timers[ends[g]:ends[g+1]:ends[g+1]]
		}
	})
}

// each emits key group kg's timers, one entry per key and namespace with its times in ascending order. Timers
// of one namespace and one time that were all added with addUnique hold each key once (addUnique's
// contract), so they are emitted as they are: a window operator's timers need neither sorting nor merging.
// Otherwise the timers are ordered by namespace and time, and only the runs of one namespace that mix times
// or hold other timers are merged through a map.
func (c *timerCapture) each(kg int, emit func(key any, ns state.Namespace, v any)) {
	c.group()
	ts := c.byKG[kg-c.r.Start]
	times := make([]int64, len(ts)) // one array for every entry's times
	if oneTimePerNamespace(ts) {
		for _, t := range ts {
			times[0] = t.ts
			emit(t.key, state.Namespace(t.ns), times[:1:1])
			times = times[1:]
		}
		return
	}
	slices.SortFunc(ts, func(a, b timer) int {
		return cmp.Or(cmp.Compare(a.ns.Start, b.ns.Start), cmp.Compare(a.ns.End, b.ns.End), cmp.Compare(a.ts, b.ts))
	})
	for len(ts) > 0 {
		n, simple := 1, ts[0].unique
		for n < len(ts) && ts[n].ns == ts[0].ns {
			simple = simple && ts[n].unique && ts[n].ts == ts[0].ts
			n++
		}
		run := ts[:n]
		ts = ts[n:]
		ns := state.Namespace(run[0].ns)
		if simple {
			for _, t := range run {
				times[0] = t.ts
				emit(t.key, ns, times[:1:1])
				times = times[1:]
			}
			continue
		}
		keys := make([]any, 0, len(run))
		at := make(map[any][]int64, len(run))
		for _, t := range run {
			xs, ok := at[t.key]
			if !ok {
				keys = append(keys, t.key)
			}
			if len(xs) == 0 || xs[len(xs)-1] != t.ts { // a timer deleted and added again is in its bucket twice
				at[t.key] = append(xs, t.ts)
			}
		}
		for _, k := range keys {
			emit(k, ns, at[k])
		}
	}
}

// oneTimePerNamespace reports whether every timer of ts was added with addUnique and the timers of each
// namespace share one time. It gives up (false) beyond 8 namespaces, which the sorting path handles.
func oneTimePerNamespace(ts []timer) bool {
	var seen [8]timer
	n := 0
timers:
	for _, t := range ts {
		if !t.unique {
			return false
		}
		for _, s := range seen[:n] {
			if s.ns == t.ns {
				if s.ts != t.ts {
					return false
				}
				continue timers
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = t
		n++
	}
	return true
}

// loadTimers moves restored timers into the timer queues: from the snapshot's timer tables, which
// TakeRestored drops once read.
func (b *opBase) loadTimers(op operator) {
	for _, q := range []struct {
		name string
		q    *timerQueue
	}{{eventTimerTable, b.eventTimers}, {procTimerTable, b.procTimers}} {
		b.backend.TakeRestored(q.name, func(kg int, key any, ns state.Namespace, v any) {
			for _, ts := range v.([]int64) {
				q.q.add(ts, key, kg, Window(ns))
			}
		})
	}
	if b.procTimers.len() > 0 {
		b.scheduleProcWake(op)
	}
}
