package engine

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/harnessbridge"
	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// A change of a key's set of sessions gives the set asked for, in place, and clears the entries it drops
// (their contents go with them).
func TestMergingSetChanges(t *testing.T) {
	mw := func(s, e int64) mergedWindow {
		return mergedWindow{Window: Window{s, e}, State: Window{s, e}, Contents: s, Has: true}
	}
	for _, c := range []struct {
		name   string
		change func(s mergingSet) mergingSet
		want   mergingSet
	}{
		{"append at the end", func(s mergingSet) mergingSet { return s.replacing(3, 3, mw(60, 70)) },
			mergingSet{mw(0, 10), mw(20, 30), mw(40, 50), mw(60, 70)}},
		{"drop the first", func(s mergingSet) mergingSet { return s.without(0) },
			mergingSet{mw(20, 30), mw(40, 50)}},
		{"drop the last", func(s mergingSet) mergingSet { return s.without(2) },
			mergingSet{mw(0, 10), mw(20, 30)}},
		{"drop the middle", func(s mergingSet) mergingSet { return s.without(1) },
			mergingSet{mw(0, 10), mw(40, 50)}},
		{"insert in the middle", func(s mergingSet) mergingSet { return s.replacing(1, 1, mw(15, 17)) },
			mergingSet{mw(0, 10), mw(15, 17), mw(20, 30), mw(40, 50)}},
		{"insert at the start", func(s mergingSet) mergingSet { return s.replacing(0, 0, mw(-9, -5)) },
			mergingSet{mw(-9, -5), mw(0, 10), mw(20, 30), mw(40, 50)}},
		{"extend the last", func(s mergingSet) mergingSet {
			return s.replacing(2, 3, mergedWindow{Window: Window{40, 55}, State: Window{40, 50}})
		}, mergingSet{mw(0, 10), mw(20, 30), {Window: Window{40, 55}, State: Window{40, 50}}}},
		{"merge the last two", func(s mergingSet) mergingSet {
			return s.replacing(1, 3, mergedWindow{Window: Window{20, 50}, State: Window{20, 30}})
		}, mergingSet{mw(0, 10), {Window: Window{20, 50}, State: Window{20, 30}}}},
		{"merge all three", func(s mergingSet) mergingSet {
			return s.replacing(0, 3, mergedWindow{Window: Window{0, 50}, State: Window{0, 10}})
		}, mergingSet{{Window: Window{0, 50}, State: Window{0, 10}}}},
		{"drop the first, then append", func(s mergingSet) mergingSet {
			return s.without(0).replacing(2, 2, mw(60, 70))
		}, mergingSet{mw(20, 30), mw(40, 50), mw(60, 70)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stored := make(mergingSet, 0, 8)
			stored = append(stored, mw(0, 10), mw(20, 30), mw(40, 50))
			got := c.change(stored)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("changed set = %v, want %v", got, c.want)
			}
			// Every entry of the array outside the new set is cleared: it holds as many contents as the set.
			count := func(s mergingSet) (n int) {
				for _, e := range s {
					if e.Has {
						n++
					}
				}
				return n
			}
			if n, want := count(stored[:cap(stored)]), count(c.want); n != want {
				t.Fatalf("the array holds %d contents, the set %d: %v", n, want, stored[:cap(stored)])
			}
		})
	}
}

// A key's set used as a queue (a session appended, the first one fired, as in-order input with a short gap
// does) keeps its sessions in order and, once its array has grown to twice the sessions waiting, stays in
// that array: compact moves the set back to the array's front instead of letting append grow a new one.
func TestSessionBoxReusesItsArray(t *testing.T) {
	mw := func(s int64) mergedWindow {
		return mergedWindow{Window: Window{s, s + 5}, State: Window{s, s + 5}, Contents: s, Has: true}
	}
	b := &sessionBox{}
	var want mergingSet
	arrays := map[*mergedWindow]bool{}
	for i := range int64(1000) {
		set := b.compact()
		if i >= 8 { // eight sessions wait: fire the first
			set = set.without(0)
			want = want[1:]
		}
		set = set.replacing(len(set), len(set), mw(i))
		want = append(want, mw(i))
		b.store(set)
		if !reflect.DeepEqual(b.set, want) {
			t.Fatalf("after session %d the set is %v, want %v", i, b.set, want)
		}
		if i >= 100 {
			arrays[&b.base[:1][0]] = true
		}
	}
	if len(arrays) != 1 {
		t.Fatalf("the set moved between %d arrays in steady state, want 1", len(arrays))
	}
	for _, e := range b.base[len(b.set):cap(b.base)] {
		if e.Has && !slices.Contains(b.set, e) {
			t.Fatalf("a fired session's contents stay in the array: %v", e)
		}
	}
}

// sessionHarness drives event-time sessions of gap 10 ms on backend, restored from snaps, with the window
// function fn: "count" (Count with WithKeyAndWindow), "sum" (Reduce) or "list" (Process, the elements).
func sessionHarness(t *testing.T, backend StateBackendKind, fn string, snaps []*harnessbridge.Snapshot) *harness {
	t.Helper()
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0), StateBackend: backend})
	ws := env.FromElements().KeyBy(func(v any) any { return v.(rec).Key }).Window(EventTimeSessionWindows(10 * time.Millisecond))
	var out *DataStream
	switch fn {
	case "count":
		out = ws.Aggregate(Count(), WithKeyAndWindow)
	case "sum":
		out = ws.Reduce(func(a, b any) any { return rec{a.(rec).Key, a.(rec).V + b.(rec).V} }, WithKeyAndWindow)
	case "list":
		out = ws.Process(func(ctx *WindowContext, key any, elements []any, out Collector) {
			out.Collect(WindowResult{Key: key, Start: ctx.Window().Start, End: ctx.Window().End, Value: elements})
		})
	}
	oh, err := newOpHarness(env, out, 0, snaps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oh.Close() })
	return &harness{h: oh}
}

// snapshotAround takes a snapshot of h whose synchronous part runs before between and whose asynchronous
// part (writing the files) runs after it, as a checkpoint's does while records keep coming.
func snapshotAround(t *testing.T, h *harness, between func()) *harnessbridge.Snapshot {
	t.Helper()
	s, err := h.h.Snapshot() // the snapshot's frame; its files are replaced below
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "state")
	finish, err := h.h.head.base().snapshotKeyed(s.ID+100, dir)
	if err != nil {
		t.Fatal(err)
	}
	between()
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
	files, err := readSnapshotDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Ops[0].Files = files
	return s
}

// Sessions restored from a snapshot go on exactly as the snapshotted operator does, on both backends and for
// aggregated, reduced and listed contents: a session extended, merged with another and fired after the
// snapshot. The snapshot's asynchronous part runs after those records changed the sessions' contents in
// place (on the heap, in the key's set), and must still hold the contents of its moment.
func TestSessionsRestoreExactly(t *testing.T) {
	before := []string{"a:1@0", "a:2@30", "b:1@5", "a:3@8", "wm 3"}
	// a:5 bridges [0, 25) and [30, 40); a:6 opens a session of its own.
	after := []string{"a:4@15", "b:2@7", "a:5@22", "wm 26", "a:6@45", "c:1@41", "wm 100"}
	want := map[string][]string{
		"count": {"out b [5, 17) 2 @16", "wm 26", "out a [0, 40) 5 @39", "out c [41, 51) 1 @50", "out a [45, 55) 1 @54", "wm 100"},
		"sum":   {"out b [5, 17) b:3 @16", "wm 26", "out a [0, 40) a:15 @39", "out c [41, 51) c:1 @50", "out a [45, 55) a:6 @54", "wm 100"},
		"list": {"out b [5, 17) [b:1 b:2] @16", "wm 26", "out a [0, 40) [a:1 a:3 a:4 a:2 a:5] @39",
			"out c [41, 51) [c:1] @50", "out a [45, 55) [a:6] @54", "wm 100"},
	}
	for _, backend := range []StateBackendKind{HeapState, PebbleState} {
		for _, fn := range []string{"count", "sum", "list"} {
			t.Run(fmt.Sprint(backend, "/", fn), func(t *testing.T) {
				h := sessionHarness(t, backend, fn, nil)
				for _, l := range before {
					h.feed(t, l)
				}
				h.out = nil
				snap := snapshotAround(t, h, func() {
					for _, l := range after {
						h.feed(t, l)
					}
				})
				if !slices.Equal(h.out, want[fn]) {
					t.Fatalf("output %q, want %q", h.out, want[fn])
				}
				r := sessionHarness(t, backend, fn, []*harnessbridge.Snapshot{snap})
				r.feed(t, "wm 3")
				r.out = nil
				for _, l := range after {
					r.feed(t, l)
				}
				if !slices.Equal(r.out, want[fn]) {
					t.Fatalf("restored output %q, want %q", r.out, want[fn])
				}
			})
		}
	}
}

// A checkpoint of an earlier version holds a key's sessions in the merging table (as a map, in older ones)
// and their contents in the contents table under each session's state window; a restore on the heap moves
// the contents into the sessions: the session extends and fires with both records.
func TestSessionsRestoreFromTheEarlierLayout(t *testing.T) {
	for _, c := range []struct {
		name string
		set  any
	}{
		{"a sorted set", mergingSet{{Window: Window{0, 10}, State: Window{0, 10}}}},
		{"a map", map[Window]Window{{Start: 0, End: 10}: {Start: 0, End: 10}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := sessionHarness(t, HeapState, "count", nil)
			h.feed(t, "a:1@0")
			b := h.h.head.base()
			kg := keygroup.Of("a", keygroup.DefaultMaxParallelism)
			b.backend.Table(mergingWindowsTable).Put(kg, "a", state.Namespace{}, c.set)
			b.backend.Table(windowContentsTable).Put(kg, "a", state.Namespace{Start: 0, End: 10}, int64(1))
			snap, err := h.h.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			r := sessionHarness(t, HeapState, "count", []*harnessbridge.Snapshot{snap})
			if n := r.h.head.base().backend.Table(windowContentsTable).Len(); n != 0 {
				t.Fatalf("the contents table keeps %d entries after the restore", n)
			}
			r.feed(t, "a:2@5")
			r.feed(t, "wm 100")
			if want := []string{"out a [0, 15) 2 @14", "wm 100"}; !slices.Equal(r.out, want) {
				t.Fatalf("output %q, want %q", r.out, want)
			}
		})
	}
}

// On Pebble the sessions keep the earlier layout: a key's set stored as a map (as checkpoints of earlier
// versions hold it) is read as the sorted set, its contents staying in the contents table.
func TestMergingSetStoredAsAMapIsRead(t *testing.T) {
	h := sessionHarness(t, PebbleState, "count", nil)
	h.feed(t, "a:1@0")
	b := h.h.head.base()
	kg := keygroup.Of("a", keygroup.DefaultMaxParallelism)
	tab := b.backend.Table(mergingWindowsTable)
	v, ok := tab.Get(kg, "a", state.Namespace{})
	if set, isSet := v.(mergingSet); !ok || !isSet || len(set) != 1 || set[0].Has {
		t.Fatalf("stored merging set %#v", v)
	}
	tab.Put(kg, "a", state.Namespace{}, map[Window]Window{{Start: 0, End: 10}: {Start: 0, End: 10}})
	h.feed(t, "a:2@5")
	h.feed(t, "wm 100")
	if want := []string{"out a [0, 15) 2 @14", "wm 100"}; !slices.Equal(h.out, want) {
		t.Fatalf("output %q, want %q", h.out, want)
	}
}

// A key whose sessions have all fired leaves its box as a spare, which the next new key's set takes (its
// array grown already), and spares that no key took by the next watermark are dropped.
func TestEmptiedSessionBoxesAreReused(t *testing.T) {
	h := sessionHarness(t, HeapState, "count", nil)
	op := h.h.head.(*windowOp)
	steps := []struct {
		line   string
		spares int
	}{
		{"a:1@0", 0},
		{"a:1@4", 0},
		{"wm 20", 1}, // a's session [0, 14) fires: its set empties
		{"b:1@30", 0},
		{"b:1@32", 0},
		{"c:1@35", 0},
		{"wm 43", 1}, // c's [35, 45) waits; b's [30, 42) fires
		{"wm 60", 1}, // the spare from b is dropped, c's fires
		{"d:1@70", 0},
		{"wm 90", 1},
	}
	for _, s := range steps {
		h.feed(t, s.line)
		if len(op.spareBoxes) != s.spares {
			t.Fatalf("after %q: %d spare boxes, want %d", s.line, len(op.spareBoxes), s.spares)
		}
	}
	want := []string{"out a [0, 14) 2 @13", "wm 20", "out b [30, 42) 2 @41", "wm 43", "out c [35, 45) 1 @44",
		"wm 60", "out d [70, 80) 1 @79", "wm 90"}
	if !reflect.DeepEqual(h.out, want) {
		t.Fatalf("output %q, want %q", h.out, want)
	}
}
