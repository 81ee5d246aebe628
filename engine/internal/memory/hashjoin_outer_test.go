package memory

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// outerReference is the reference outer join of build and probe: every matching pair, then each unmatched
// probe record with "-" for the build side (probeOuter) and each unmatched build record with "-" for the
// probe side (buildOuter), sorted.
func outerReference(build, probe []joinRec, probeOuter, buildOuter bool) []string {
	out := nestedLoop(build, probe)
	matched := map[int]bool{}
	for _, p := range probe {
		for _, b := range build {
			if b.K == p.K {
				matched[b.K] = true
			}
		}
	}
	if probeOuter {
		for _, p := range probe {
			if !matched[p.K] {
				out = append(out, fmt.Sprintf("%d:-+%s", p.K, p.Val))
			}
		}
	}
	if buildOuter {
		keys := map[int]bool{}
		for _, p := range probe {
			keys[p.K] = true
		}
		for _, b := range build {
			if !keys[b.K] {
				out = append(out, fmt.Sprintf("%d:%s+-", b.K, b.Val))
			}
		}
	}
	sort.Strings(out)
	return out
}

// runOuterJoin is runJoin for outer joins: a missing side prints as "-".
func runOuterJoin(t *testing.T, j *HashJoin, build, probe []joinRec) []string {
	t.Helper()
	var out []string
	emit := func(b, p any) error {
		bs, ps, k := "-", "-", 0
		if b != nil {
			bs, k = b.(joinRec).Val, b.(joinRec).K
		}
		if p != nil {
			ps, k = p.(joinRec).Val, p.(joinRec).K
		}
		out = append(out, fmt.Sprintf("%d:%s+%s", k, bs, ps))
		return nil
	}
	for _, r := range build {
		if err := j.Build(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range probe {
		if err := j.Probe(r, emit); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Finish(emit); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// Flink: the outer variants of HashTableITCase / the hash join iterators (ReusingBuildFirstHashJoinIterator
// with probeSideOuterJoin and buildSideOuterJoin): a pinned small join in memory, each side outer.
func TestHashJoinOuterPinned(t *testing.T) {
	build := []joinRec{{1, "a"}, {2, "b"}, {1, "c"}}
	probe := []joinRec{{1, "x"}, {4, "y"}, {4, "z"}}
	for _, tc := range []struct {
		probeOuter, buildOuter bool
		want                   string
	}{
		{false, false, "1:a+x 1:c+x"},
		{true, false, "1:a+x 1:c+x 4:-+y 4:-+z"},
		{false, true, "1:a+x 1:c+x 2:b+-"},
		{true, true, "1:a+x 1:c+x 2:b+- 4:-+y 4:-+z"},
	} {
		m, _ := NewManager(8*1024, 1024)
		j, err := NewHashJoin(HashJoinConfig{Manager: m, Owner: "outer", Pages: 8, Partitions: 4, TempDir: t.TempDir(),
			BuildKey: joinKey, ProbeKey: joinKey, ProbeOuter: tc.probeOuter, BuildOuter: tc.buildOuter})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(runOuterJoin(t, j, build, probe), " "); got != tc.want {
			t.Errorf("probeOuter %v buildOuter %v: got %s, want %s", tc.probeOuter, tc.buildOuter, got, tc.want)
		}
		j.Close()
	}
}

// Outer joins far over budget: spilled partitions, including ones with no probe record at all, still emit
// their unmatched records on both sides, as the reference does.
func TestHashJoinOuterSpills(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	gen := func(n, keys, offset int, side string) []joinRec {
		rs := make([]joinRec, n)
		for i := range rs {
			rs[i] = joinRec{K: offset + rng.Intn(keys), Val: fmt.Sprintf("%s%d%s", side, i, strings.Repeat("-", rng.Intn(20)))}
		}
		return rs
	}
	build, probe := gen(3000, 2000, 0, "b"), gen(3000, 2000, 1000, "p") // keys 0..999 build only, 2000..2999 probe only
	for _, outer := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		m, _ := NewManager(64*256, 256)
		dir := t.TempDir()
		j, err := NewHashJoin(HashJoinConfig{Manager: m, Owner: "outer", Pages: 64, Partitions: 16, TempDir: dir,
			BuildKey: joinKey, ProbeKey: joinKey, ProbeOuter: outer[0], BuildOuter: outer[1]})
		if err != nil {
			t.Fatal(err)
		}
		got := runOuterJoin(t, j, build, probe)
		if want := outerReference(build, probe, outer[0], outer[1]); !reflect.DeepEqual(got, want) {
			t.Fatalf("outer %v: %d rows, want %d", outer, len(got), len(want))
		}
		if st := j.Stats(); st.SpilledPartitions == 0 {
			t.Fatalf("outer %v: nothing spilled: %+v", outer, st)
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		assertEmptyDir(t, dir)
	}
}
