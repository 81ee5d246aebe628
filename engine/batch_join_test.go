package engine

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/de4e/weir/engine/internal/batchmem"
	"github.com/de4e/weir/engine/internal/memory"
)

// The bounded joins and groupings in Batch mode (batch_join.go, batch_group.go), where they run Flink's batch
// strategies on managed memory: every strategy and join type against pinned outputs at parallelism 1 and 4,
// a budget small enough to spill against the in-memory result, and the spill files removed.

// runBatch runs build in Batch mode at parallelism 1, 2 and 4 and requires each run's sorted output to be
// want (sorted here too).
func runBatch(t *testing.T, want []string, build func(env *Environment) *Collected) {
	t.Helper()
	want = slices.Clone(want)
	sort.Strings(want)
	for _, p := range []int{1, 2, 4} {
		env := NewEnvironment(Config{Parallelism: p, RuntimeMode: Batch})
		out := build(env)
		if _, err := env.Execute(t.Name()); err != nil {
			t.Fatalf("parallelism %d: %v", p, err)
		}
		if got := out.Strings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("parallelism %d:\ngot  %q\nwant %q", p, got, want)
		}
	}
}

// allJoinHints is every JoinHint, with the broadcast ones a join type allows (Flink's OuterJoinITCase runs
// broadcast hints only where the broadcast side is inner).
func allJoinHints(kind JoinType) []JoinHint {
	hints := []JoinHint{JoinHintOptimizerChooses, JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst, JoinHintRepartitionHashSecond}
	if kind == InnerJoin || kind == RightOuterJoin {
		hints = append(hints, JoinHintBroadcastHashFirst)
	}
	if kind == InnerJoin || kind == LeftOuterJoin {
		hints = append(hints, JoinHintBroadcastHashSecond)
	}
	return hints
}

// Flink: JoinITCase#testUDFJoinOnTuplesWithKeyFieldPositions, OuterJoinITCase#testLeftOuterJoin1,
// #testRightOuterJoin1 and #testFullOuterJoin1, each with every strategy its join type allows, in Batch
// mode: the same pinned pairs as in Streaming mode (TestJoinBounded), with nil on the missing side (printed
// "null") on both sides.
func TestBatchJoinBounded(t *testing.T) {
	f := func(name string) KeySelector { return func(v any) any { return int64(Float(v, name)) } }
	cases := []struct {
		kind       JoinType
		key1, key2 string
		want       []string
	}{
		{InnerJoin, "F1", "F1", []string{"Hi,Hallo", "Hello,Hallo Welt", "Hello world,Hallo Welt"}},
		{LeftOuterJoin, "F0", "F0", []string{"Hi,Hallo", "Hello,Hallo Welt", "Hello,Hallo Welt wie", "Hello world,null"}},
		{RightOuterJoin, "F1", "F1", []string{"Hi,Hallo", "Hello,Hallo Welt", "null,Hallo Welt wie", "Hello world,Hallo Welt"}},
		{FullOuterJoin, "F0", "F2", []string{"null,Hallo", "Hi,Hallo Welt", "Hello,Hallo Welt wie", "Hello world,null"}},
	}
	for _, c := range cases {
		for _, hint := range allJoinHints(c.kind) {
			t.Run(c.kind.String()+"/"+hint.String(), func(t *testing.T) {
				runBatch(t, c.want, func(env *Environment) *Collected {
					return env.FromElements(getSmall3TupleDataSet()...).JoinBounded(env.FromElements(getSmall5TupleDataSet()...), c.kind).
						Where(f(c.key1)).EqualTo(f(c.key2)).WithHint(hint).Apply(t35String).Collect()
				})
			})
		}
	}
}

// Flink: OuterJoinITCase#testJoinWithAtomicType1/2-like joins of larger sets with keys on one side only,
// both sides: get3TupleDataSet (21 records, F1 in 1..6) with get5TupleDataSet-like records whose F0 runs
// 4..8, so keys 1..3 are only on the left and 7..8 only on the right, and key 4..6 pair many with many.
func TestBatchOuterJoinManyToMany(t *testing.T) {
	var right []any
	for i := range 10 {
		right = append(right, t5{F0: 4 + i%5, F3: fmt.Sprintf("r%d", i)})
	}
	count := func(out []string) map[string]int {
		m := map[string]int{}
		for _, s := range out {
			m[s]++
		}
		return m
	}
	// Expected by hand: key k of F1 has k records on the left; keys 4..8 have two records each on the right.
	want := map[JoinType][2]int{ // pairs, then records with nil on the right and on the left
		InnerJoin:      {(4 + 5 + 6) * 2, 0},
		LeftOuterJoin:  {(4 + 5 + 6) * 2, 1 + 2 + 3},
		RightOuterJoin: {(4 + 5 + 6) * 2, 4},
		FullOuterJoin:  {(4 + 5 + 6) * 2, 1 + 2 + 3 + 4},
	}
	for _, kind := range []JoinType{InnerJoin, LeftOuterJoin, RightOuterJoin, FullOuterJoin} {
		for _, hint := range allJoinHints(kind) {
			for _, p := range []int{1, 4} {
				env := NewEnvironment(Config{Parallelism: p, RuntimeMode: Batch})
				out := env.FromElements(get3TupleDataSet()...).JoinBounded(env.FromElements(right...), kind).
					Where(KeyByField("F1")).EqualTo(func(v any) any { return int64(v.(t5).F0) }).WithHint(hint).
					Apply(func(l, r any) any {
						switch {
						case l == nil:
							return "null," + r.(t5).F3
						case r == nil:
							return fmt.Sprintf("%d,null", l.(t3).F0)
						}
						if l.(t3).F1 != int64(r.(t5).F0) {
							return "wrong pair"
						}
						return "pair"
					}).Collect()
				if _, err := env.Execute("outer"); err != nil {
					t.Fatal(err)
				}
				got := count(out.Strings())
				nulls := len(out.Strings()) - got["pair"]
				if got["pair"] != want[kind][0] || nulls != want[kind][1] || got["wrong pair"] != 0 {
					t.Errorf("%v %v p%d: %d pairs and %d with nil, want %v: %v", kind, hint, p, got["pair"], nulls, want[kind], out.Strings())
				}
			}
		}
	}
}

// The order each Batch strategy emits in at parallelism 1: the sort-merge join walks the keys in order
// (Flink's merge iterators); the hash joins probe in the probe input's arrival order and emit the build
// side's unmatched records after (Flink's MutableHashTable and its unmatched-build-side iterator).
func TestBatchJoinStrategyOrder(t *testing.T) {
	order := func(kind JoinType, hint JoinHint) string {
		env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch})
		left := env.FromElements(t3{3, 0, "c"}, t3{1, 0, "a"}, t3{2, 0, "b"}, t3{1, 0, "a2"})
		right := env.FromElements(t5{F0: 2, F3: "B"}, t5{F0: 4, F3: "D"}, t5{F0: 1, F3: "A"})
		out := left.JoinBounded(right, kind).Where(KeyByField("F0")).EqualTo(KeyByField("F0")).WithHint(hint).
			Apply(func(l, r any) any {
				ls, rs := "-", "-"
				if l != nil {
					ls = l.(t3).F2
				}
				if r != nil {
					rs = r.(t5).F3
				}
				return ls + rs
			}).Collect()
		if _, err := env.Execute("join order"); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out.Values())
	}
	for _, c := range []struct {
		kind JoinType
		hint JoinHint
		want string
	}{
		{FullOuterJoin, JoinHintRepartitionSortMerge, "[aA a2A bB c- -D]"},
		{FullOuterJoin, JoinHintRepartitionHashFirst, "[bB -D aA a2A c-]"},
		{FullOuterJoin, JoinHintRepartitionHashSecond, "[c- aA bB a2A -D]"},
		{LeftOuterJoin, JoinHintBroadcastHashSecond, "[c- aA bB a2A]"},
		{RightOuterJoin, JoinHintBroadcastHashFirst, "[bB -D aA a2A]"},
	} {
		if got := order(c.kind, c.hint); got != c.want {
			t.Errorf("%v %v: got %s, want %s", c.kind, c.hint, got, c.want)
		}
	}
}

// Flink: GroupReduceITCase#testCorrectnessOfGroupReduceOnTuplesWithKeyFieldSelector and CoGroupITCase, in
// Batch mode: the same pinned groups as in Streaming mode (TestReduceGroup, TestCoGroupBounded), each key's
// records in arrival order.
func TestBatchReduceGroupAndCoGroup(t *testing.T) {
	runBatch(t, []string{"1,1,[1]", "5,2,[2 3]", "15,3,[4 5 6]", "34,4,[7 8 9 10]", "65,5,[11 12 13 14 15]",
		"111,6,[16 17 18 19 20 21]"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).ReduceGroup(func(key any, vs []any, out Collector) {
			sum, ids := 0, []int{}
			for _, v := range vs {
				sum += v.(t3).F0
				ids = append(ids, v.(t3).F0)
			}
			out.Collect(fmt.Sprintf("%d,%v,%v", sum, key, ids))
		}).Collect()
	})
	runBatch(t, []string{"1:[Hi]:[Hallo]", "2:[Hello]:[Hallo Welt Hallo Welt wie]", "3:[Hello world]:[]"},
		func(env *Environment) *Collected {
			return env.FromElements(getSmall3TupleDataSet()...).CoGroupBounded(env.FromElements(getSmall5TupleDataSet()...)).
				Where(KeyByField("F0")).EqualTo(KeyByField("F0")).Apply(func(l, r []any, out Collector) {
				var ls, rs []string
				key := 0
				for _, v := range l {
					ls, key = append(ls, v.(t3).F2), v.(t3).F0
				}
				for _, v := range r {
					rs, key = append(rs, v.(t5).F3), v.(t5).F0
				}
				out.Collect(fmt.Sprintf("%d:%v:%v", key, ls, rs))
			}).Collect()
		})
}

// In Batch mode ReduceGroup keeps no keyed state: it emits each key when the next one begins. A group
// function that sees the records of two keys, or of one key twice, fails the test.
func TestBatchReduceGroupEmitsOneKeyAtATime(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch})
	var words []any
	for i := range 1000 {
		words = append(words, fmt.Sprintf("w%d", (i*7)%13))
	}
	seen := map[any]bool{}
	out := env.FromElements(words...).KeyBy(func(v any) any { return v }).ReduceGroup(func(key any, vs []any, out Collector) {
		if seen[key] {
			out.Collect("twice " + key.(string))
		}
		seen[key] = true
		for _, v := range vs {
			if v != key {
				out.Collect("foreign record in " + key.(string))
			}
		}
		out.Collect(fmt.Sprintf("%v:%d", key, len(vs)))
	}).Collect()
	if _, err := env.Execute("one key at a time"); err != nil {
		t.Fatal(err)
	}
	// 1000 = 13*76 + 12: i*7 mod 13 takes each residue 76 or 77 times.
	got := out.Strings()
	if len(got) != 13 || !slices.Contains(got, "w0:77") || !slices.Contains(got, "w6:76") {
		t.Fatalf("got %v", got)
	}
}

// bjRec is a record of the spilling join tests.
type bjRec struct {
	K int
	S string
}

func init() { RegisterType(bjRec{}) }

// joinSpillInputs returns two inputs over overlapping key ranges (keys only on the left, on both, only on the
// right), with duplicate keys on both sides and padding to make the records large.
func joinSpillInputs(n int) (left, right []any) {
	rng := rand.New(rand.NewSource(13))
	for i := range n {
		left = append(left, bjRec{K: rng.Intn(n / 2), S: fmt.Sprintf("l%d%s", i, strings.Repeat("x", rng.Intn(40)))})
		right = append(right, bjRec{K: n/4 + rng.Intn(n/2), S: fmt.Sprintf("r%d%s", i, strings.Repeat("y", rng.Intn(40)))})
	}
	return left, right
}

// referenceJoin is a nested-loop join of left and right of kind, as the sorted strings joinString makes.
func referenceJoin(kind JoinType, left, right []any) []string {
	var out []string
	matchedR := make([]bool, len(right))
	for _, l := range left {
		found := false
		for i, r := range right {
			if l.(bjRec).K == r.(bjRec).K {
				out = append(out, joinString(l, r))
				found, matchedR[i] = true, true
			}
		}
		if !found && (kind == LeftOuterJoin || kind == FullOuterJoin) {
			out = append(out, joinString(l, nil))
		}
	}
	if kind == RightOuterJoin || kind == FullOuterJoin {
		for i, r := range right {
			if !matchedR[i] {
				out = append(out, joinString(nil, r))
			}
		}
	}
	sort.Strings(out)
	return out
}

func joinString(l, r any) string {
	ls, rs := "null", "null"
	if l != nil {
		ls = l.(bjRec).S
	}
	if r != nil {
		rs = r.(bjRec).S
	}
	return ls + "," + rs
}

// withBatchMemory sets the managed memory of batch operators for the test.
func withBatchMemory(t *testing.T, bytes int64, pageSize int) {
	t.Helper()
	t.Cleanup(batchmem.Set(bytes, pageSize))
}

// Every strategy and join type with a budget of 32 pages of 512 bytes, several times below each subtask's input:
// the sorters spill runs and merge them, the hash joins spill partitions and join them recursively, and the
// result is the nested-loop join's and the in-memory run's (Flink: the spilling cases of
// UnilateralSortMergerITCase, HashTableITCase#testSpillingHashJoinOneRecursion and the outer-join drivers'
// tests with a small memory). The spill files are gone when the job ends: TMPDIR is empty.
func TestBatchJoinSpills(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	left, right := joinSpillInputs(2000)
	run := func(kind JoinType, hint JoinHint, p int) []string {
		env := NewEnvironment(Config{Parallelism: p, RuntimeMode: Batch})
		out := env.FromElements(left...).JoinBounded(env.FromElements(right...), kind).
			Where(KeyByField("K")).EqualTo(KeyByField("K")).WithHint(hint).
			Apply(func(l, r any) any { return joinString(l, r) }).Collect()
		if _, err := env.Execute("spilling join"); err != nil {
			t.Fatalf("%v %v p%d: %v", kind, hint, p, err)
		}
		got := out.Strings()
		sort.Strings(got)
		return got
	}
	for _, kind := range []JoinType{InnerJoin, LeftOuterJoin, RightOuterJoin, FullOuterJoin} {
		want := referenceJoin(kind, left, right)
		inMemory := run(kind, JoinHintRepartitionSortMerge, 4)
		if !slices.Equal(inMemory, want) {
			t.Fatalf("%v in memory: %d rows, want %d", kind, len(inMemory), len(want))
		}
		for _, hint := range allJoinHints(kind)[1:] {
			func() {
				withBatchMemory(t, 16<<10, 512)
				for _, p := range []int{1, 4} {
					before := batchmem.Spills()
					if got := run(kind, hint, p); !slices.Equal(got, inMemory) {
						t.Fatalf("%v %v p%d spilling: %d rows, want %d", kind, hint, p, len(got), len(inMemory))
					}
					if batchmem.Spills() == before {
						t.Fatalf("%v %v p%d: nothing spilled", kind, hint, p)
					}
				}
			}()
		}
	}
	if entries, _ := os.ReadDir(os.Getenv("TMPDIR")); len(entries) != 0 {
		t.Fatalf("left in TMPDIR: %v", entries)
	}
}

var errJoinDown = errors.New("join function down")

// A join that fails after it has spilled leaves no spill file behind either: its spill directory is in the
// job's working directory, which the job removes however it ends.
func TestBatchJoinFailureRemovesSpillFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	withBatchMemory(t, 16<<10, 512)
	left, right := joinSpillInputs(3000)
	for _, hint := range []JoinHint{JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst} {
		env := NewEnvironment(Config{Parallelism: 2, RuntimeMode: Batch})
		before := batchmem.Spills()
		var n atomic.Int64 // both subtasks count
		env.FromElements(left...).JoinBounded(env.FromElements(right...), InnerJoin).
			Where(KeyByField("K")).EqualTo(KeyByField("K")).WithHint(hint).
			Apply(func(l, r any) any {
				if n.Add(1) == 100 {
					panic(errJoinDown)
				}
				return 0
			}).SinkTo("out", func(any, int64) error { return nil })
		if _, err := env.Execute("failing join"); !errors.Is(err, errJoinDown) {
			t.Fatalf("%v: got %v", hint, err)
		}
		if batchmem.Spills() == before {
			t.Fatalf("%v: nothing spilled", hint)
		}
		if entries, _ := os.ReadDir(os.Getenv("TMPDIR")); len(entries) != 0 {
			t.Fatalf("%v: left in TMPDIR: %v", hint, entries)
		}
	}
}

// Each strategy removes its own spill directory when the operator closes (the job's directory is only the
// fallback), and returns its pages.
func TestBatchJoinStrategiesRemoveTheirSpillFiles(t *testing.T) {
	left, right := joinSpillInputs(2000)
	key := KeyByField("K")
	for name, newJoin := range map[string]func(m *memory.Manager, dir string) (batchJoinStrategy, error){
		"sort-merge": func(m *memory.Manager, dir string) (batchJoinStrategy, error) {
			return newSortMergeJoin(testOperatorMemory(m, "sm"), dir, key, key, true, true)
		},
		"hash": func(m *memory.Manager, dir string) (batchJoinStrategy, error) {
			return newHybridHashJoin(testOperatorMemory(m, "hh"), dir, key, key, true, true, false)
		},
	} {
		m, err := memory.NewManager(64<<10, 1<<10)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		j, err := newJoin(m, dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := range left {
			if err := j.add(false, left[i]); err != nil {
				t.Fatal(err)
			}
			if err := j.add(true, right[i]); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		if err := j.run(func(l, r any) { got = append(got, joinString(l, r)) }); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		if want := referenceJoin(FullOuterJoin, left, right); !slices.Equal(got, want) {
			t.Fatalf("%s: %d rows, want %d", name, len(got), len(want))
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "*", "*")); len(files) == 0 {
			t.Fatalf("%s: no spill file before close", name)
		}
		if err := j.close(); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("%s: left after close: %v", name, entries)
		}
		if f := m.Figures(); f.UsedBytes != 0 || f.PeakBytes > f.BudgetBytes {
			t.Fatalf("%s: %+v", name, f)
		}
	}
}

// Without an override a Batch join takes its share of its slot's managed memory (Config.ManagedMemorySize):
// a small budget makes it spill, the spills show in JobSnapshot.Memory, and the result is the in-memory one.
func TestBatchJoinTakesTheSlotsManagedMemory(t *testing.T) {
	left, right := joinSpillInputs(3000)
	want := referenceJoin(FullOuterJoin, left, right)
	for _, hint := range []JoinHint{JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst} {
		env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch, ManagedMemorySize: 64 << 10, MemorySegmentSize: 512})
		out := env.FromElements(left...).JoinBounded(env.FromElements(right...), FullOuterJoin).
			Where(KeyByField("K")).EqualTo(KeyByField("K")).WithHint(hint).
			Apply(func(l, r any) any { return joinString(l, r) }).Collect()
		job, err := env.Execute("join in the slot's memory")
		if err != nil {
			t.Fatalf("%v: %v", hint, err)
		}
		got := out.Strings()
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%v: %d rows, want %d", hint, len(got), len(want))
		}
		var spills int64
		for _, m := range job.Snapshot().Memory {
			spills += m.Spills
		}
		if spills == 0 {
			t.Errorf("%v: no spill in JobSnapshot.Memory with a 64 KiB budget", hint)
		}
	}
	// Too little memory for even a sorter's minimum fails the job, naming the setting.
	env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch, ManagedMemorySize: 1 << 10, MemorySegmentSize: 512})
	env.FromElements(left...).JoinBounded(env.FromElements(right...), InnerJoin).
		Where(KeyByField("K")).EqualTo(KeyByField("K")).Apply(func(l, r any) any { return 0 }).Collect()
	if _, err := env.Execute("too little"); err == nil || !strings.Contains(err.Error(), "Config.ManagedMemorySize") {
		t.Errorf("a 1 KiB budget: %v, want an error naming Config.ManagedMemorySize", err)
	}
}
