package engine

import (
	"reflect"
	"testing"
)

// TestTimerQueueSetSemantics checks Flink's timer-service rules on the queue (InternalTimerServiceImplTest:
// registering a timer twice keeps one, a deleted timer never fires, timers fire in time order and, at equal
// times, in registration order), including timers added with addUnique, which live outside the set.
func TestTimerQueueSetSemantics(t *testing.T) {
	q := newTimerQueue()
	w1, w2 := Window{Start: 0, End: 10}, Window{Start: 10, End: 20}
	if !q.add(9, "a", 1, w1) || q.add(9, "a", 1, w1) {
		t.Fatal("add: the first registration is new, the second is not")
	}
	q.addUnique(9, "b", 2, w1)
	q.addUnique(19, "a", 1, w2)
	q.add(5, "c", 3, w1)
	q.add(7, "d", 4, w1)
	q.remove(7, "d", w1)
	if got := q.len(); got != 4 {
		t.Fatalf("len = %d, want 4", got)
	}
	var listed []string
	q.each(func(tm timer) { listed = append(listed, tm.key.(string)) })
	if want := []string{"c", "a", "b", "a"}; !reflect.DeepEqual(listed, want) {
		t.Fatalf("each = %v, want %v", listed, want)
	}
	if ts, ok := q.peek(); !ok || ts != 5 {
		t.Fatalf("peek = %d %v, want 5", ts, ok)
	}
	var fired []string
	for {
		tm, ok := q.pop(10)
		if !ok {
			break
		}
		fired = append(fired, tm.key.(string))
	}
	if want := []string{"c", "a", "b"}; !reflect.DeepEqual(fired, want) {
		t.Fatalf("fired up to 10 = %v, want %v", fired, want)
	}
	if q.len() != 1 {
		t.Fatalf("len after firing = %d, want 1", q.len())
	}
	if tm, ok := q.pop(100); !ok || tm.key != "a" || tm.ts != 19 || tm.kg != 1 || tm.ns != w2 {
		t.Fatalf("last timer = %+v %v", tm, ok)
	}
	if _, ok := q.pop(100); ok || q.len() != 0 {
		t.Fatal("the queue should be empty")
	}
	// After firing, the same timer can be registered again.
	if !q.add(9, "a", 1, w1) {
		t.Fatal("a fired timer registers anew")
	}
}

// TestTimerQueueRemoveUnique checks that a timer added with addUnique and deleted with removeUnique never
// fires and leaves the count exact, that removeUnique of a timer in the live set (restored from a checkpoint)
// removes it there, and that a bucket emptied by firing is reused for a later time without its old timers.
func TestTimerQueueRemoveUnique(t *testing.T) {
	q := newTimerQueue()
	w1, w2, w3 := Window{Start: 0, End: 10}, Window{Start: 5, End: 10}, Window{Start: 0, End: 20}
	q.addUnique(9, "a", 1, w1)
	q.addUnique(9, "b", 2, w1)
	q.addUnique(9, "a", 1, w2) // same time and key, another window
	q.add(19, "c", 3, w3)      // as a restored timer is
	q.removeUnique(9, "a", w1)
	q.removeUnique(19, "c", w3)
	q.removeUnique(9, "zz", w1) // not registered: nothing changes
	if got := q.len(); got != 2 {
		t.Fatalf("len = %d, want 2", got)
	}
	var listed []string
	q.each(func(tm timer) { listed = append(listed, tm.key.(string)+tm.ns.String()) })
	if want := []string{"b[0, 10)", "a[5, 10)"}; !reflect.DeepEqual(listed, want) {
		t.Fatalf("each = %v, want %v", listed, want)
	}
	var fired []string
	for tm, ok := q.pop(100); ok; tm, ok = q.pop(100) {
		fired = append(fired, tm.key.(string)+tm.ns.String())
	}
	if want := []string{"b[0, 10)", "a[5, 10)"}; !reflect.DeepEqual(fired, want) {
		t.Fatalf("fired = %v, want %v", fired, want)
	}
	if q.len() != 0 || len(q.spare) != 2 { // the buckets of times 9 and 19
		t.Fatalf("after firing: len %d, %d spare buckets, want 0 and 2", q.len(), len(q.spare))
	}
	q.addUnique(29, "d", 4, w3) // takes a spare bucket
	if len(q.spare) != 1 {
		t.Fatal("a spare bucket was not reused")
	}
	if tm, ok := q.pop(100); !ok || tm.key != "d" || tm.ts != 29 {
		t.Fatalf("timer in a reused bucket = %+v %v", tm, ok)
	}
	if _, ok := q.pop(100); ok {
		t.Fatal("a reused bucket kept an old timer")
	}
	if len(q.spare) != 2 {
		t.Fatalf("%d spare buckets after the reused one emptied, want 2", len(q.spare))
	}
	q.dropSpares() // as each watermark does before firing
	q.addUnique(39, "e", 5, w3)
	if len(q.spare) != 0 || q.spareEntries != 0 || cap(q.buckets[39].entries) != 1 {
		t.Fatalf("after dropSpares: %d spare buckets holding %d timers, a new bucket's capacity %d; want 0, 0, 1",
			len(q.spare), q.spareEntries, cap(q.buckets[39].entries))
	}
}

// A new time's bucket, with no spare bucket to take, starts with the capacity of the bucket used last (as
// many timers as it holds, up to maxCapacityHint), so that it does not grow from nothing.
func TestTimerBucketCapacityFollowsTheLastBucket(t *testing.T) {
	q := newTimerQueue()
	for i := range 3 {
		q.addUnique(5, i, 0, Window{0, 6})
	}
	q.addUnique(6, "x", 0, Window{1, 7})
	if c := cap(q.buckets[6].entries); c != 3 {
		t.Fatalf("a new bucket after one of 3 timers has capacity %d, want 3", c)
	}
	for i := range 2 * maxCapacityHint {
		q.addUnique(7, i, 0, Window{2, 8})
	}
	q.addUnique(8, "y", 0, Window{3, 9})
	if c := cap(q.buckets[8].entries); c != maxCapacityHint {
		t.Fatalf("a new bucket after a large one has capacity %d, want %d", c, maxCapacityHint)
	}
	q.addUnique(9, "z", 0, Window{4, 10})
	if c := cap(q.buckets[9].entries); c != 1 {
		t.Fatalf("a new bucket after one of 1 timer has capacity %d, want 1", c)
	}
}

// removeUnique keeps the bucket it found last at hand; a bucket dropped since (its time fired) and reused
// for another time must not be taken for its old time's.
func TestTimerQueueRemoveUniqueAfterItsBucketWent(t *testing.T) {
	q := newTimerQueue()
	w := Window{0, 10}
	q.addUnique(9, "a", 0, w)
	q.addUnique(9, "x", 0, w)
	q.removeUnique(9, "a", w)
	if tm, ok := q.pop(100); !ok || tm.key != "x" {
		t.Fatalf("pop = %+v %v, want x", tm, ok)
	}
	if _, ok := q.pop(100); ok { // drops the bucket of time 9, kept as a spare
		t.Fatal("a removed timer fired")
	}
	q.addUnique(5, "c", 0, w) // takes the spare bucket
	q.addUnique(9, "b", 0, w) // time 9 again, in a new bucket
	q.removeUnique(9, "b", w)
	var fired []any
	for tm, ok := q.pop(200); ok; tm, ok = q.pop(200) {
		fired = append(fired, tm.key)
	}
	if !reflect.DeepEqual(fired, []any{"c"}) {
		t.Fatalf("fired %v, want [c]", fired)
	}
}
