package memory

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// sortRec is a record the codec encodes with gob: sorted by K, with Seq telling equal keys apart so that the
// sort's stability can be checked.
type sortRec struct {
	K   int64
	Seq int
	Pad string
}

func byK(a, b any) int { return cmp.Compare(a.(sortRec).K, b.(sortRec).K) }

func newTestSorter(t *testing.T, m *Manager, pages, fanIn int, compare func(a, b any) int) (*Sorter, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := NewSorter(SorterConfig{Manager: m, Owner: "sort-test", Pages: pages, TempDir: dir, FanIn: fanIn, Compare: compare})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func drain(t *testing.T, it *Iterator) []any {
	t.Helper()
	var out []any
	for {
		v, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 0 {
		t.Fatalf("%s still holds %d entries after Close (first %s)", dir, len(es), es[0].Name())
	}
}

// A spilled sort of a small input with the expected order pinned: int keys, three records per run.
// Flink: ExternalSortITCase#testSpillingSort (records spilled in runs and merged back in order).
func TestSorterPinnedSpill(t *testing.T) {
	m, _ := NewManager(3*64, 64)
	s, dir := newTestSorter(t, m, 3, 2, func(a, b any) int { return cmp.Compare(a.(int), b.(int)) })
	in := []int{42, 7, 19, 3, 88, 7, 61, 0, -5, 23, 19, 100, 1}
	for _, v := range in {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, it)
	want := []any{-5, 0, 1, 3, 7, 7, 19, 19, 23, 42, 61, 88, 100}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sorted %v, want %v", got, want)
	}
	// An int frame is 10 bytes. Of the two pages beside the I/O page, one holds records (6 frames in 64
	// bytes) and one the index (8 entries of 8 bytes, the offsets): 6 records a run, so 13 records make
	// three runs (6, 6, 1); with fan-in 2 the first two are merged into one run of 120 bytes, then the last
	// two.
	st := s.Stats()
	if st.Records != 13 || st.Spills != 3 || st.SpilledBytes != 130 || st.MergePasses != 1 || st.MergedBytes != 120 {
		t.Fatalf("stats %+v, want 13 records, 3 spills of 130 bytes, one intermediate merge of 120 bytes", st)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, dir)
	if f := m.Figures(); f.UsedBytes != 0 {
		t.Fatalf("pages not returned: %+v", f)
	}
}

// Property: for random inputs (seeds pinned) 10 to 100 times larger than the sorter's pages, the external
// sort returns exactly what a stable in-memory sort returns, spilling and (with a small fan-in) merging in
// intermediate passes. Flink: ExternalSortITCase#testSortWithIntermediateMerge.
func TestSorterMatchesInMemorySort(t *testing.T) {
	for _, tc := range []struct {
		seed       int64
		n, pages   int
		keys       int64
		fanIn      int
		wantPasses bool
		pageSize   int
		padMax     int
		nk         bool // order by an 8-byte normalised key of K (the whole key) rather than decoding records
	}{
		// Fan-in min(128, 79 pages) is above the ~37 runs: one final merge.
		{seed: 1, n: 6000, pages: 80, keys: 1 << 40, fanIn: 0, pageSize: 256, padMax: 8, nk: true},
		// Many equal keys (stability) and fan-in 3: intermediate passes.
		{seed: 2, n: 2000, pages: 4, keys: 50, fanIn: 3, wantPasses: true, pageSize: 1024, padMax: 40},
		// Records up to twice a page, crossing pages, and fan-in 2.
		{seed: 3, n: 3000, pages: 40, keys: 1000, fanIn: 2, wantPasses: true, pageSize: 512, padMax: 900},
	} {
		t.Run(fmt.Sprint("seed", tc.seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(tc.seed))
			m, _ := NewManager(int64(tc.pages*tc.pageSize), tc.pageSize)
			s, dir := newTestSorter(t, m, tc.pages, tc.fanIn, byK)
			if tc.nk {
				s.Close()
				var err error
				s, err = NewSorter(SorterConfig{Manager: m, Owner: "sort-test", Pages: tc.pages, TempDir: dir, FanIn: tc.fanIn, Compare: byK,
					NormalizedKeyLen: 8, NormalizedKey: func(v any, nk []byte) (int, bool) { return Int64NormalizedKey(v.(sortRec).K, nk) }})
				if err != nil {
					t.Fatal(err)
				}
			}
			in := make([]any, tc.n)
			for i := range in {
				r := sortRec{K: rng.Int63n(tc.keys) - tc.keys/2, Seq: i, Pad: strings.Repeat("x", rng.Intn(tc.padMax+1))}
				in[i] = r
				if err := s.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			if used := m.Figures().UsedBytes; used != int64(tc.pages*tc.pageSize) {
				t.Fatalf("sorter holds %d bytes, want its %d pages", used, tc.pages)
			}
			it, err := s.Sort()
			if err != nil {
				t.Fatal(err)
			}
			got := drain(t, it)
			want := append([]any(nil), in...)
			sort.SliceStable(want, func(i, j int) bool { return byK(want[i], want[j]) < 0 })
			if len(got) != len(want) {
				t.Fatalf("got %d records, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("record %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
			st := s.Stats()
			if st.Spills == 0 || st.SpilledBytes == 0 {
				t.Fatalf("no spill happened: %+v", st)
			}
			if tc.wantPasses && st.MergePasses == 0 {
				t.Fatalf("no intermediate merge with fan-in %d: %+v", tc.fanIn, st)
			}
			if !tc.wantPasses && st.MergePasses != 0 {
				t.Fatalf("intermediate merges with the default fan-in: %+v", st)
			}
			// Every record was spilled once, so the spilled bytes are the serialised input.
			if ratio := float64(st.SpilledBytes) / float64(tc.pages*tc.pageSize); ratio < 10 || ratio > 100 {
				t.Fatalf("serialised input is %.1fx the budget; the test wants 10-100x", ratio)
			}
			spill := s.SpillDir()
			if _, err := os.Stat(spill); err != nil {
				t.Fatalf("spill directory: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			assertEmptyDir(t, dir)
			if f := m.Figures(); f.UsedBytes != 0 || f.PeakBytes != int64(tc.pages*tc.pageSize) {
				t.Fatalf("figures after Close: %+v", f)
			}
		})
	}
}

// Without a spill the sort stays in memory and writes nothing. Flink: ExternalSortITCase#testInMemorySort.
func TestSorterInMemory(t *testing.T) {
	m, _ := NewManager(1<<20, 0)
	s, dir := newTestSorter(t, m, 4, 0, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	for _, v := range []string{"pear", "apple", "fig", "apple", ""} {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := drain(t, it), []any{"", "apple", "apple", "fig", "pear"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if st := s.Stats(); st.Spills != 0 || s.SpillDir() != "" {
		t.Fatalf("in-memory sort spilled: %+v", st)
	}
	if _, err := s.Sort(); !errors.Is(err, ErrSorterClosed) {
		t.Fatalf("second Sort: %v", err)
	}
	if err := s.Add("x"); !errors.Is(err, ErrSorterClosed) {
		t.Fatalf("Add after Sort: %v", err)
	}
	s.Close()
	assertEmptyDir(t, dir)
}

// A record larger than a page is framed across pages; one larger than all pages but the I/O page and one
// index page is refused.
func TestSorterLargeRecords(t *testing.T) {
	m, _ := NewManager(5*256, 256)
	s, dir := newTestSorter(t, m, 5, 0, func(a, b any) int { return cmp.Compare(len(a.(string)), len(b.(string))) })
	in := []string{strings.Repeat("c", 700), strings.Repeat("a", 300), strings.Repeat("b", 500), "d"}
	for _, v := range in {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Add(strings.Repeat("z", 800))
	if !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("Add of 800 bytes into 768 bytes of record pages: %v", err)
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, it)
	if len(got) != 4 || got[0] != "d" || got[1] != in[1] || got[2] != in[2] || got[3] != in[0] {
		t.Fatalf("got records of lengths %v", lens(got))
	}
	if s.Stats().Spills == 0 {
		t.Fatal("1500 bytes in at most 768 bytes of record pages did not spill")
	}
	s.Close()
	assertEmptyDir(t, dir)
}

func lens(vs []any) []int {
	var out []int
	for _, v := range vs {
		out = append(out, len(v.(string)))
	}
	return out
}

// A record the codec cannot encode fails Add after runs were spilled; Close still removes every file and
// returns the pages.
func TestSorterCleansUpAfterAddFails(t *testing.T) {
	m, _ := NewManager(3*128, 128)
	s, dir := newTestSorter(t, m, 3, 0, func(a, b any) int { return 0 })
	for i := range 200 {
		if err := s.Add(i); err != nil {
			t.Fatal(err)
		}
	}
	if s.Stats().Spills == 0 {
		t.Fatal("no spill before the failure")
	}
	err := s.Add(make(chan int))
	if err == nil || !strings.Contains(err.Error(), "chan int") {
		t.Fatalf("Add(chan) = %v, want an encoding error naming the type", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, dir)
	if m.Figures().UsedBytes != 0 {
		t.Fatal("pages not returned after a failure")
	}
}

// A run cut short on disk fails the merge with an error naming the file; Close removes everything.
func TestSorterCleansUpAfterMergeFails(t *testing.T) {
	m, _ := NewManager(3*128, 128)
	s, dir := newTestSorter(t, m, 3, 0, func(a, b any) int { return cmp.Compare(a.(int), b.(int)) })
	for i := range 100 {
		if err := s.Add(100 - i); err != nil {
			t.Fatal(err)
		}
	}
	runs, _ := filepath.Glob(filepath.Join(s.SpillDir(), "run-*"))
	if len(runs) < 2 {
		t.Fatalf("%d runs spilled, want several", len(runs))
	}
	if err := os.Truncate(runs[0], 35); err != nil {
		t.Fatal(err)
	}
	it, err := s.Sort()
	if err == nil {
		for {
			var ok bool
			if _, ok, err = it.Next(); err != nil || !ok {
				break
			}
		}
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), runs[0]) {
		t.Fatalf("merge of a truncated run: %v; want io.ErrUnexpectedEOF naming %s", err, runs[0])
	}
	if it != nil {
		if _, again, err2 := it.Next(); again || !errors.Is(err2, io.ErrUnexpectedEOF) {
			t.Fatalf("Next after the error: %v %v", again, err2)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, dir)
}

// A sorter takes its pages from the budget or fails; bad configurations are refused.
func TestSorterBudgetAndConfig(t *testing.T) {
	m, _ := NewManager(8*256, 256)
	cmpInt := func(a, b any) int { return cmp.Compare(a.(int), b.(int)) }
	s1, _ := newTestSorter(t, m, 6, 0, cmpInt)
	_, err := NewSorter(SorterConfig{Manager: m, Owner: "sort-2", Pages: 3, Compare: cmpInt})
	if !errors.Is(err, ErrBudgetExhausted) || !strings.Contains(err.Error(), "sort-2") {
		t.Fatalf("second sorter beyond budget: %v", err)
	}
	s1.Close()
	for name, cfg := range map[string]SorterConfig{
		"Manager": {Owner: "s", Pages: 3, Compare: cmpInt},
		"Owner":   {Manager: m, Pages: 3, Compare: cmpInt},
		"Compare": {Manager: m, Owner: "s", Pages: 3},
		"Pages":   {Manager: m, Owner: "s", Pages: 2, Compare: cmpInt},
		"FanIn":   {Manager: m, Owner: "s", Pages: 3, FanIn: 1, Compare: cmpInt},
	} {
		if _, err := NewSorter(cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("config without a valid %s: %v", name, err)
		}
	}
	if m.Figures().UsedBytes != 0 {
		t.Fatal("refused sorters kept pages")
	}
}
