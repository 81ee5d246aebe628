package engine

import (
	"reflect"
	"testing"
)

// TestMergingSetChangesKeepEarlierSets checks the promise snapshots rely on: a change to a key's set of
// sessions never changes a set returned before it (a snapshot may be writing that one out), whether the change
// shares the array (appending at the end, dropping the first window) or copies it.
func TestMergingSetChangesKeepEarlierSets(t *testing.T) {
	mw := func(s, e int64) mergedWindow { return mergedWindow{Window{s, e}, Window{s, e}} }
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
		{"insert in the middle", func(s mergingSet) mergingSet { return s.replacing(1, 1, mw(15, 17)) },
			mergingSet{mw(0, 10), mw(15, 17), mw(20, 30), mw(40, 50)}},
		{"merge the last two", func(s mergingSet) mergingSet {
			return s.replacing(1, 3, mergedWindow{Window{20, 50}, Window{20, 30}})
		}, mergingSet{mw(0, 10), {Window{20, 50}, Window{20, 30}}}},
		{"drop the last, then append", func(s mergingSet) mergingSet {
			return s.without(2).replacing(2, 2, mw(45, 47))
		}, mergingSet{mw(0, 10), mw(20, 30), mw(45, 47)}},
		{"drop the first, then append", func(s mergingSet) mergingSet {
			return s.without(0).replacing(2, 2, mw(60, 70))
		}, mergingSet{mw(20, 30), mw(40, 50), mw(60, 70)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stored := make(mergingSet, 0, 8) // room to append in place
			stored = append(stored, mw(0, 10), mw(20, 30), mw(40, 50))
			before := append(mergingSet(nil), stored...)
			got := c.change(stored)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("changed set = %v, want %v", got, c.want)
			}
			if !reflect.DeepEqual(stored, before) {
				t.Fatalf("the earlier set became %v, want %v", stored, before)
			}
			// A further append to the new set must not show in the earlier one either.
			more := got.replacing(len(got), len(got), mw(90, 95))
			if !reflect.DeepEqual(stored, before) || !reflect.DeepEqual(more[:len(got)], c.want) {
				t.Fatalf("after another append: earlier %v, changed %v", stored, more)
			}
		})
	}
}
