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

// TestHashIsPinned compares Hash and Of with values computed once from this implementation and written down
// here. Key groups are written into checkpoints and savepoints, so a change to any of these numbers makes
// every checkpoint taken before it restore keys into the wrong subtasks: the test must fail on such a change.
func TestHashIsPinned(t *testing.T) {
	type pair struct {
		A string
		B int
	}
	type nested struct {
		P  pair
		On bool
		F  float64
	}
	for _, c := range []struct {
		key         any
		hash        uint32
		kg128, kg1k int // key group with max parallelism 128 and 1000
	}{
		{"", 0xab3e7c0b, 11, 923},
		{"alice", 0xea14d61e, 30, 78},
		{"bob", 0xf958e856, 86, 430},
		{"user-42", 0x7c2a1196, 22, 798},
		{"Ünïcödé", 0x2ca51aa8, 40, 768},
		{0, 0x00000000, 0, 0},
		{1, 0x809477d0, 80, 648},
		{-1, 0x2f372d2a, 42, 194},
		{42, 0x0f4a20ac, 44, 268},
		{int64(1) << 40, 0x3afd51d8, 88, 88},
		{int32(-7), 0xb72300df, 95, 511},
		{int8(5), 0x8e908a86, 6, 318},
		{int16(300), 0x9213e53d, 61, 405},
		{uint(9), 0x66d46bca, 74, 258},
		{uint32(4000000000), 0x18a77dbf, 63, 887},
		{uint64(1) << 63, 0x2049ac83, 3, 203},
		{uint8(200), 0x3c370628, 40, 16},
		{true, 0x809477d0, 80, 648},
		{false, 0x00000000, 0, 0},
		{3.5, 0xff2f62e9, 105, 593},
		{float32(2.25), 0xb6b064bb, 59, 435},
		{pair{"a", 1}, 0x9f7d5a3e, 62, 446},
		{pair{"b", 2}, 0x0245e03e, 62, 822},
		{nested{pair{"x", 3}, true, 0.5}, 0xe6265e69, 105, 217},
		{[2]int{1, 2}, 0x2035c042, 66, 538},
		{nil, 0x00000000, 0, 0},
	} {
		if got := Hash(c.key); got != c.hash {
			t.Errorf("Hash(%#v) = %#08x, pinned %#08x", c.key, got, c.hash)
		}
		if got := Of(c.key, 128); got != c.kg128 {
			t.Errorf("Of(%#v, 128) = %d, pinned %d", c.key, got, c.kg128)
		}
		if got := Of(c.key, 1000); got != c.kg1k {
			t.Errorf("Of(%#v, 1000) = %d, pinned %d", c.key, got, c.kg1k)
		}
	}
}

// TestHashSpreads checks that consecutive integer keys fill all 128 key groups about evenly.
func TestHashSpreads(t *testing.T) {
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
