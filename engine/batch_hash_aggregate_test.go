package engine

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/memory"
)

// aggWord is a reduce accumulator whose encoding changes length as it grows (Tags gains a letter each
// time), so the table replaces it in place while it fits its room and appends it again when not. Flink:
// InPlaceMutableHashTableTest#testWithLengthChangingReduceFunction.
type aggWord struct {
	Key   int64
	Sum   int64
	Count int64
	Tags  string
}

func sumWords(a, b any) any {
	x, y := a.(aggWord), b.(aggWord)
	tags := x.Tags
	if len(tags) < 40 {
		tags += y.Tags
	}
	return aggWord{x.Key, x.Sum + y.Sum, x.Count + y.Count, tags}
}

// hiddenSum has an unexported field, which gob would drop: the aggregation keeps it on the heap.
type hiddenSum struct {
	Key int64
	sum int64
}

// aggInputs returns n records over keys 0..keys-1: record i has key i%keys and value i.
func aggInputs(n, keys int) []any {
	out := make([]any, n)
	for i := range n {
		out[i] = aggWord{Key: int64(i % keys), Sum: int64(i), Count: 1, Tags: string(rune('a' + i%26))}
	}
	return out
}

// The hash aggregation alone, with a table of a few pages: it fills, its partials go to the sorter, the
// sorter spills runs, and the final values are the pinned sums (key k of 20 000 records over 700 keys: the
// values k, k+700, ... below 20 000). Flink: ReduceCombineDriverTest compares the combined sums per key with
// the expected ones.
func TestHashAggregateSpillsItsPartials(t *testing.T) {
	dir := t.TempDir()
	m, err := memory.NewManager(24*256, 256)
	if err != nil {
		t.Fatal(err)
	}
	agg, err := newHashAggregate(testOperatorMemory(m, "agg"), dir, sumWords)
	if err != nil {
		t.Fatal(err)
	}
	const n, keys = 20000, 700
	for _, v := range aggInputs(n, keys) {
		if err := agg.add(v.(aggWord).Key, v); err != nil {
			t.Fatal(err)
		}
	}
	got := map[int64]aggWord{}
	var order []int64
	if err := agg.finish(func(key, v any) {
		got[key.(int64)] = v.(aggWord)
		order = append(order, key.(int64))
	}); err != nil {
		t.Fatal(err)
	}
	if agg.flushes < 2 || agg.sorter.Stats().Spills == 0 {
		t.Errorf("%d table flushes, %d sorter spills; want the tiny table to flush and the sorter to spill", agg.flushes, agg.sorter.Stats().Spills)
	}
	if len(got) != keys || !sort.SliceIsSorted(order, func(i, j int) bool { return order[i] < order[j] }) {
		t.Fatalf("%d keys (in ascending order: %v), want %d", len(got), sort.SliceIsSorted(order, func(i, j int) bool { return order[i] < order[j] }), keys)
	}
	// Key 0: 0+700+...+19600 = 700*(0+1+...+28) = 284200 over 29 records; key 699: 699+1399+...+19599 = 28
	// records, 28*699 + 700*(0+...+27) = 284172.
	for k, want := range map[int64][2]int64{0: {284200, 29}, 1: {284229, 29}, 399: {295771, 29}, 699: {284172, 28}} {
		if g := got[k]; g.Sum != want[0] || g.Count != want[1] {
			t.Errorf("key %d: sum %d of %d records, want %d of %d", k, g.Sum, g.Count, want[0], want[1])
		}
	}
	var total, count int64
	for _, w := range got {
		total += w.Sum
		count += w.Count
	}
	if total != n*(n-1)/2 || count != n {
		t.Errorf("sums add up to %d over %d records, want %d over %d", total, count, n*(n-1)/2, n)
	}
	if err := agg.close(); err != nil {
		t.Fatal(err)
	}
	if f := m.Figures(); f.UsedBytes != 0 {
		t.Errorf("%d bytes held after close", f.UsedBytes)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left after close: %v", entries)
	}
}

// KeyedStream.Reduce in Batch mode is a hash aggregation in the slot's managed memory: with a 16 KiB budget
// it spills (JobSnapshot.Memory counts the runs) and gives the pinned result of the 128 MiB default, in
// ascending key order, for an accumulator in the pages (aggWord), one on the heap (hiddenSum, an unexported
// field) and a scalar.
func TestBatchReduceHashAggregateUnderATinyBudget(t *testing.T) {
	const n, keys = 6000, 300
	cases := []struct {
		name   string
		input  []any
		key    KeySelector
		reduce ReduceFunc
		show   func(v any) string
		want   []string // keys 0, 1, 299 and the sum over every key
	}{
		{"struct in pages", aggInputs(n, keys), func(v any) any { return v.(aggWord).Key }, sumWords,
			func(v any) string { w := v.(aggWord); return fmt.Sprintf("%d:%d/%d", w.Key, w.Sum, w.Count) },
			// key k: 20 records k, k+300, ..., k+5700: 20k + 300*190
			[]string{"0:57000/20", "1:57020/20", "299:62980/20", "total 17997000"}},
		{"struct on the heap", func() []any {
			out := make([]any, n)
			for i := range n {
				out[i] = hiddenSum{int64(i % keys), int64(i)}
			}
			return out
		}(), func(v any) any { return v.(hiddenSum).Key }, func(a, b any) any {
			return hiddenSum{a.(hiddenSum).Key, a.(hiddenSum).sum + b.(hiddenSum).sum}
		}, func(v any) string { return fmt.Sprintf("%d:%d", v.(hiddenSum).Key, v.(hiddenSum).sum) },
			[]string{"0:57000", "1:57020", "299:62980", "total 17997000"}},
		{"scalar", func() []any {
			out := make([]any, n)
			for i := range n {
				out[i] = int64(i)
			}
			return out
		}(), func(v any) any { return fmt.Sprintf("k%03d", v.(int64)%keys) }, func(a, b any) any { return a.(int64) + b.(int64) },
			func(v any) string { return fmt.Sprint(v) },
			[]string{"57000", "57020", "62980", "total 17997000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results [][]string
			for _, budget := range []int64{16 << 10, 128 << 20} {
				env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch, ManagedMemorySize: budget, MemorySegmentSize: 256, TempDir: t.TempDir()})
				out := env.FromElements(c.input...).KeyBy(c.key).Reduce(c.reduce).Collect()
				job, err := env.Execute("hash aggregation")
				if err != nil {
					t.Fatalf("budget %d: %v", budget, err)
				}
				var spills int64
				for _, m := range job.Snapshot().Memory {
					spills += m.Spills
				}
				if small := budget == 16<<10; (spills > 0) != small {
					t.Errorf("budget %d: %d spills", budget, spills)
				}
				var shown []string
				for _, v := range out.Values() {
					shown = append(shown, c.show(v))
				}
				results = append(results, shown)
			}
			small, large := results[0], results[1]
			if strings.Join(small, " ") != strings.Join(large, " ") {
				t.Fatalf("16 KiB budget:\n%v\n128 MiB:\n%v", small, large)
			}
			if len(small) != keys {
				t.Fatalf("%d results, want %d", len(small), keys)
			}
			var total int64
			for _, s := range small {
				var a, b int64
				if i := strings.LastIndexAny(s, ":"); i >= 0 {
					s = s[i+1:]
				}
				fmt.Sscanf(s, "%d/%d", &a, &b)
				total += a
			}
			if got := []string{small[0], small[1], small[keys-1], fmt.Sprint("total ", total)}; strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// A small input takes little of the budget: the table starts with two pages and the sorter with its
// minimum, growing only as they fill.
func TestHashAggregateGrowsWithItsInput(t *testing.T) {
	m, err := memory.NewManager(1<<20, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	agg, err := newHashAggregate(testOperatorMemory(m, "agg"), t.TempDir(), sumWords)
	if err != nil {
		t.Fatal(err)
	}
	defer agg.close()
	for _, v := range aggInputs(10, 3) {
		if err := agg.add(v.(aggWord).Key, v); err != nil {
			t.Fatal(err)
		}
	}
	if used := m.Figures().UsedBytes; used != (2+memory.MinSorterPages)<<10 {
		t.Errorf("10 records hold %d bytes, want 2 table pages and the sorter's %d", used, memory.MinSorterPages)
	}
	for _, v := range aggInputs(20000, 5000) {
		if err := agg.add(v.(aggWord).Key, v); err != nil {
			t.Fatal(err)
		}
	}
	if used := m.Figures().UsedBytes; used <= 64<<10 || agg.flushes != 0 {
		t.Errorf("5000 keys hold %d bytes after %d flushes; want the table grown, no flush with 1 MiB", used, agg.flushes)
	}
	n := 0
	if err := agg.finish(func(key, v any) {
		if w := v.(aggWord); key.(int64) == 7 && (w.Count != 4 || w.Sum != 7+5007+10007+15007) {
			t.Errorf("key 7: %+v", w)
		}
		n++
	}); err != nil {
		t.Fatal(err)
	}
	if n != 5000 {
		t.Errorf("%d keys, want 5000", n)
	}
}

// Only values that gob gives back unchanged go into the pages; the rest stay on the heap.
func TestHashAggregateKeepsInPagesOnlyWhatGobGivesBack(t *testing.T) {
	type withSlice struct{ A []int }
	type withMap struct{ M map[string]int }
	type empty struct{}
	for _, c := range []struct {
		v    any
		want bool
	}{
		{aggWord{}, true}, {[2]int64{}, true}, {struct{ A, B float64 }{}, true},
		{hiddenSum{}, false}, {withSlice{}, false}, {withMap{}, false}, {&aggWord{}, false}, {empty{}, false},
		{[]int{}, false}, {struct{ F func() }{}, false}, {struct{ X any }{}, false},
	} {
		if got := gobKeepsAll(reflect.TypeOf(c.v), map[reflect.Type]bool{}); got != c.want {
			t.Errorf("%T: %v, want %v", c.v, got, c.want)
		}
	}
}
