package memory

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// The sort index lives in the sorter's pages: sorting and spilling int64 records with normalised keys
// allocates nothing per record outside the budget (the old index, a Go slice of decoded records, took 24
// bytes and a boxed value per record). Flink: NormalizedKeySorter keeps (normalised key, pointer) entries
// in its own memory segments.
func TestSorterIndexStaysInPages(t *testing.T) {
	const n = 100_000
	m, _ := NewManager(64*4096, 4096)
	s, err := NewSorter(SorterConfig{Manager: m, Owner: "idx", Pages: 64, TempDir: t.TempDir(),
		Compare: func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) }, NormalizedKeyLen: 8, NormalizedKey: Int64NormalizedKey})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rng := rand.New(rand.NewSource(7))
	for range n {
		if err := s.Add(rng.Int63() - rng.Int63()); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if st := s.Stats(); st.Spills < 10 {
		t.Fatalf("want many spills, got %+v", st)
	}
	// Boxing an int64 into Add's any parameter is the caller's; what remains must not grow with n.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > n*8+1<<20 && !raceEnabled {
		t.Fatalf("adding and spilling %d records allocated %d bytes outside the pages", n, grew)
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	prev, count := int64(-1<<63), 0
	for {
		v, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if v.(int64) < prev {
			t.Fatalf("out of order at %d: %d after %d", count, v, prev)
		}
		prev = v.(int64)
		count++
	}
	if count != n {
		t.Fatalf("got %d records, want %d", count, n)
	}
}

// Normalised keys that are only a prefix (8 bytes of a string), records of two classes in one buffer (which
// then compares records), and CompareRecords on encodings all give exactly a stable in-memory sort.
// Flink: NormalizedKeySorterTest#testSortShortStringKeys (prefix keys, ties decided by the comparator).
func TestSorterNormalizedKeysMatchStableSort(t *testing.T) {
	type rec struct {
		K   any
		Seq int
	}
	less := func(a, b any) int {
		ka, kb := a.(rec).K, b.(rec).K
		sa, aStr := ka.(string)
		sb, bStr := kb.(string)
		switch {
		case aStr && bStr:
			return strings.Compare(sa, sb)
		case aStr:
			return 1 // ints before strings
		case bStr:
			return -1
		}
		return cmp.Compare(ka.(int), kb.(int))
	}
	nk := func(v any, dst []byte) (int, bool) {
		switch k := v.(rec).K.(type) {
		case string:
			copy(dst, k)
			return 1, len(k) < len(dst) // shorter than the key: the whole key (zero padding sorts first)
		case int:
			for i := range 8 {
				dst[i] = byte((uint64(k) ^ 1<<63) >> (56 - 8*i))
			}
			return 0, true
		}
		panic("key")
	}
	for _, mixed := range []bool{false, true} {
		t.Run(fmt.Sprint("mixed=", mixed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(3))
			m, _ := NewManager(6*512, 512)
			s, err := NewSorter(SorterConfig{Manager: m, Owner: "nk", Pages: 6, TempDir: t.TempDir(), FanIn: 3, Compare: less,
				NormalizedKeyLen: 8, NormalizedKey: nk})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var in []any
			prefixes := []string{"aaaaaaaa", "aaaaaaab", "zz", "", "aaaa"}
			for i := range 1500 {
				var k any = prefixes[rng.Intn(len(prefixes))] + strings.Repeat("q", rng.Intn(3))
				if mixed && rng.Intn(3) == 0 {
					k = rng.Intn(20) - 10
				}
				r := rec{K: k, Seq: i}
				in = append(in, r)
				if err := s.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			it, err := s.Sort()
			if err != nil {
				t.Fatal(err)
			}
			got := drain(t, it)
			want := append([]any(nil), in...)
			sort.SliceStable(want, func(i, j int) bool { return less(want[i], want[j]) < 0 })
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("record %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
			if s.Stats().Spills < 5 {
				t.Fatalf("want several spills: %+v", s.Stats())
			}
		})
	}
}

// CompareRecords orders records by their encodings, without decoding them to compare.
func TestSorterCompareRecords(t *testing.T) {
	m, _ := NewManager(4*256, 256)
	decoded := 0
	s, err := NewSorter(SorterConfig{Manager: m, Owner: "raw", Pages: 4, TempDir: t.TempDir(),
		CompareRecords: func(a, b []byte) int { return bytes.Compare(a, b) },
		Encode:         func(dst []byte, v any) ([]byte, error) { return append(dst, v.(string)...), nil },
		Decode:         func(rec []byte) (any, error) { decoded++; return string(rec), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewSource(1))
	var want []string
	for range 500 {
		w := fmt.Sprintf("w%04d", rng.Intn(1000))
		want = append(want, w)
		if err := s.Add(w); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(want)
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, it)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d: %v, want %v", i, got[i], want[i])
		}
	}
	if s.Stats().Spills == 0 {
		t.Fatal("no spill")
	}
	// Records are decoded once each to be returned, and once more per record read back by the merge.
	if decoded > 2*len(want) {
		t.Fatalf("decoded %d times for %d records: comparisons decoded", decoded, len(want))
	}
}

// With Grow a sorter takes pages as its buffer fills: a small input holds few pages, a large one grows to
// Pages and spills; pages other owners hold make it spill early with what it has, and the result is the same.
func TestSorterGrows(t *testing.T) {
	cmpInt := func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) }
	m, _ := NewManager(32*256, 256)
	s, err := NewSorter(SorterConfig{Manager: m, Owner: "grow", Pages: 16, Grow: true, TempDir: t.TempDir(), Compare: cmpInt,
		NormalizedKeyLen: 8, NormalizedKey: Int64NormalizedKey})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		s.Add(int64(10 - i))
	}
	// 10 frames of 10 bytes and 10 index entries of 16 bytes: one record page, one index page, the I/O page.
	if used := m.Figures().UsedBytes; used != 3*256 {
		t.Fatalf("10 records of 10 bytes hold %d bytes, want the first 3 pages", used)
	}
	for i := range 2000 {
		s.Add(int64(i * 7919 % 2000))
	}
	if used := m.Figures().UsedBytes; used != 16*256 || s.Stats().Spills == 0 {
		t.Fatalf("2010 records: %d bytes held, %+v; want all 16 pages and spills", used, s.Stats())
	}
	s.Close()
	// Another owner takes all but 5 pages: the sorter grows to what is free and spills there.
	other, _ := m.Allocate("other", 27)
	s, err = NewSorter(SorterConfig{Manager: m, Owner: "grow", Pages: 16, Grow: true, TempDir: t.TempDir(), Compare: cmpInt,
		NormalizedKeyLen: 8, NormalizedKey: Int64NormalizedKey})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 2000 {
		if err := s.Add(int64(i * 7919 % 2000)); err != nil {
			t.Fatal(err)
		}
	}
	if f := m.Figures(); f.UsedBytes != 32*256 {
		t.Fatalf("used %d, want the whole budget", f.UsedBytes)
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, it)
	for i, v := range got {
		if v.(int64) != int64(i) {
			t.Fatalf("record %d is %v", i, v)
		}
	}
	m.ReleasePages("other", other)
}
