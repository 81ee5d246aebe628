package memory

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type joinRec struct {
	K   int
	Val string
}

func joinKey(v any) any { return v.(joinRec).K }

func newTestJoin(t *testing.T, pages, pageSize, partitions int) (*HashJoin, *Manager, string) {
	t.Helper()
	m, _ := NewManager(int64(pages*pageSize), pageSize)
	dir := t.TempDir()
	j, err := NewHashJoin(HashJoinConfig{Manager: m, Owner: "join-test", Pages: pages, Partitions: partitions, TempDir: dir,
		BuildKey: joinKey, ProbeKey: joinKey})
	if err != nil {
		t.Fatal(err)
	}
	return j, m, dir
}

// runJoin builds and probes, returning the joined pairs as sorted strings.
func runJoin(t *testing.T, j *HashJoin, build, probe []joinRec) ([]string, error) {
	t.Helper()
	var out []string
	emit := func(b, p any) error {
		out = append(out, fmt.Sprintf("%d:%s+%s", b.(joinRec).K, b.(joinRec).Val, p.(joinRec).Val))
		return nil
	}
	for _, r := range build {
		if err := j.Build(r); err != nil {
			return nil, err
		}
	}
	for _, r := range probe {
		if err := j.Probe(r, emit); err != nil {
			return nil, err
		}
	}
	if err := j.Finish(emit); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// nestedLoop is the reference inner join.
func nestedLoop(build, probe []joinRec) []string {
	var out []string
	for _, p := range probe {
		for _, b := range build {
			if b.K == p.K {
				out = append(out, fmt.Sprintf("%d:%s+%s", b.K, b.Val, p.Val))
			}
		}
	}
	sort.Strings(out)
	return out
}

// A small join with the result pinned, all in memory: every probe record meets every build record of its
// key, and none of another.
func TestHashJoinPinned(t *testing.T) {
	j, m, dir := newTestJoin(t, 8, 1024, 4)
	got, err := runJoin(t, j,
		[]joinRec{{1, "a"}, {2, "b"}, {1, "c"}, {3, "d"}},
		[]joinRec{{1, "x"}, {4, "y"}, {3, "z"}, {1, "w"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:a+w", "1:a+x", "1:c+w", "1:c+x", "3:d+z"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("joined %v, want %v", got, want)
	}
	if st := j.Stats(); st.SpilledPartitions != 0 || st.Matches != 5 || st.BuildRecords != 4 || st.ProbeRecords != 4 {
		t.Fatalf("stats %+v", st)
	}
	j.Close()
	assertEmptyDir(t, dir)
	if m.Figures().UsedBytes != 0 {
		t.Fatal("pages not returned")
	}
}

// Property: with a build side 10-100x its pages, spilled partitions joined recursively give exactly the
// nested-loop join (seeds pinned). Flink: HashTableITCase#testSpillingHashJoinOneRecursionValidity and
// #testSpillingHashJoinWithTwoRecursions, in spirit (their generators and sizes are not ported).
func TestHashJoinSpillsAndRecurses(t *testing.T) {
	for _, tc := range []struct {
		seed                  int64
		nBuild, nProbe, keys  int
		pages, ps, partitions int
		wantDepth             bool
	}{
		{seed: 1, nBuild: 3000, nProbe: 3000, keys: 2000, pages: 80, ps: 256, partitions: 16},
		{seed: 2, nBuild: 4000, nProbe: 2000, keys: 300, pages: 64, ps: 256, partitions: 16, wantDepth: true},
	} {
		t.Run(fmt.Sprint("seed", tc.seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(tc.seed))
			gen := func(n int, side string) []joinRec {
				rs := make([]joinRec, n)
				for i := range rs {
					rs[i] = joinRec{K: rng.Intn(tc.keys), Val: fmt.Sprintf("%s%d%s", side, i, strings.Repeat("-", rng.Intn(20)))}
				}
				return rs
			}
			build, probe := gen(tc.nBuild, "b"), gen(tc.nProbe, "p")
			j, m, dir := newTestJoin(t, tc.pages, tc.ps, tc.partitions)
			got, err := runJoin(t, j, build, probe)
			if err != nil {
				t.Fatal(err)
			}
			want := nestedLoop(build, probe)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("joined %d pairs, want %d", len(got), len(want))
			}
			st := j.Stats()
			t.Logf("%+v", st)
			if st.SpilledPartitions == 0 || st.SpilledBytes == 0 {
				t.Fatalf("no partition spilled: %+v", st)
			}
			if ratio := float64(st.SpilledBytes) / float64(tc.pages*tc.ps); ratio < 10 {
				t.Fatalf("spilled only %.1fx the budget: %+v", ratio, st)
			}
			if tc.wantDepth && st.Depth < 2 {
				t.Fatalf("no second-level recursion: %+v", st)
			}
			if f := m.Figures(); f.PeakBytes > f.BudgetBytes {
				t.Fatalf("above budget: %+v", f)
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			assertEmptyDir(t, dir)
			if m.Figures().UsedBytes != 0 {
				t.Fatal("pages not returned")
			}
		})
	}
}

// A build side of one key larger than the pages cannot be split by hashing: the join fails after
// MaxJoinRecursion levels and Close still removes its files. Flink: HashTableITCase#testFailingHashJoinTooManyRecursions.
func TestHashJoinTooManyDuplicates(t *testing.T) {
	j, m, dir := newTestJoin(t, 6, 256, 4)
	var build, probe []joinRec
	for i := range 500 {
		build = append(build, joinRec{7, fmt.Sprint("b", i)})
	}
	probe = append(probe, joinRec{7, "p"})
	_, err := runJoin(t, j, build, probe)
	if !errors.Is(err, ErrJoinRecursion) {
		t.Fatalf("err = %v, want ErrJoinRecursion", err)
	}
	if d := j.Stats().Depth; d != MaxJoinRecursion {
		t.Fatalf("depth %d, want %d", d, MaxJoinRecursion)
	}
	j.Close()
	assertEmptyDir(t, dir)
	if m.Figures().UsedBytes != 0 {
		t.Fatal("pages not returned")
	}
}

// An emit that fails during Finish stops the join with its error; Close removes the spill files.
func TestHashJoinCleansUpAfterEmitFails(t *testing.T) {
	j, m, dir := newTestJoin(t, 32, 256, 8)
	for i := range 400 {
		if err := j.Build(joinRec{i % 50, fmt.Sprint("b", i)}); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("sink failed")
	emit := func(b, p any) error { return boom }
	for i := range 400 {
		if err := j.Probe(joinRec{i % 50, "p"}, emit); err != nil && !errors.Is(err, boom) {
			t.Fatal(err)
		}
	}
	if j.Stats().SpilledPartitions == 0 {
		t.Fatal("nothing spilled")
	}
	if err := j.Finish(emit); !errors.Is(err, boom) {
		t.Fatalf("Finish: %v, want the emit's error", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, dir)
	if m.Figures().UsedBytes != 0 {
		t.Fatal("pages not returned")
	}
}

// A build side smaller than the budget stays in memory even when the pages are large: a level makes no
// more partitions than its pages can hold with their bucket tables.
func TestHashJoinSmallBuildStaysInMemory(t *testing.T) {
	m, _ := NewManager(18*DefaultPageSize, 0)
	id := func(v any) any { return v }
	j, err := NewHashJoin(HashJoinConfig{Manager: m, Owner: "join-small", Pages: 18, TempDir: t.TempDir(), BuildKey: id, ProbeKey: id})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for i := range int64(10_000) { // 200 KB of frame pairs in 576 KB of pages
		if err := j.Build(i % 2500); err != nil {
			t.Fatal(err)
		}
	}
	var pairs int
	emit := func(b, p any) error { pairs++; return nil }
	for i := range int64(5000) {
		if err := j.Probe(i, emit); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Finish(emit); err != nil {
		t.Fatal(err)
	}
	if st := j.Stats(); pairs != 2500*4 || st.SpilledPartitions != 0 || j.SpillDir() != "" {
		t.Fatalf("%d pairs (want 10000), stats %+v", pairs, st)
	}
}
