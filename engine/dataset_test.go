package engine

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The DataSet operations on bounded streams, ported from Flink's DataSet ITCases (flink-tests,
// org.apache.flink.test.operators) on the data sets of its CollectionDataSets. Every case runs as a real job
// at parallelism 1, 2 and 4, on the heap and on Pebble, and must produce the pinned output each time.

// t3 and t5 are Flink's Tuple3<Integer, Long, String> and Tuple5<Integer, Long, Integer, String, Long>.
type t3 struct {
	F0 int
	F1 int64
	F2 string
}

type t5 struct {
	F0 int
	F1 int64
	F2 int
	F3 string
	F4 int64
}

func init() {
	RegisterType(t3{})
	RegisterType(t5{})
}

// get3TupleDataSet is CollectionDataSets.get3TupleDataSet: 21 records, F1 = the group 1..6 of size F1.
func get3TupleDataSet() []any {
	strs := []string{"Hi", "Hello", "Hello world", "Hello world, how are you?", "I am fine.", "Luke Skywalker"}
	var out []any
	for id := 1; id <= 21; id++ {
		s := fmt.Sprintf("Comment#%d", id-6)
		if id <= 6 {
			s = strs[id-1]
		}
		g := int64(1)
		for n := 1; id > n*(n+1)/2; n++ {
			g = int64(n + 1)
		}
		out = append(out, t3{id, g, s})
	}
	return out
}

// getSmall3TupleDataSet and getSmall5TupleDataSet are CollectionDataSets' small data sets.
func getSmall3TupleDataSet() []any {
	return []any{t3{1, 1, "Hi"}, t3{2, 2, "Hello"}, t3{3, 2, "Hello world"}}
}

func getSmall5TupleDataSet() []any {
	return []any{t5{1, 1, 0, "Hallo", 1}, t5{2, 2, 1, "Hallo Welt", 2}, t5{2, 3, 2, "Hallo Welt wie", 1}}
}

// runBounded runs build at parallelism 1, 2 and 4 on both backends, and in Batch mode, and requires each
// run's sorted output to be want (sorted here too).
func runBounded(t *testing.T, want []string, build func(env *Environment) *Collected) {
	t.Helper()
	want = append([]string(nil), want...)
	sort.Strings(want)
	for _, mode := range []RuntimeMode{Streaming, Batch} {
		for _, backend := range []StateBackendKind{HeapState, PebbleState} {
			if mode == Batch && backend == PebbleState {
				continue // Batch mode keeps no keyed state
			}
			for _, p := range []int{1, 2, 4} {
				env := NewEnvironment(Config{Parallelism: p, StateBackend: backend, RuntimeMode: mode})
				out := build(env)
				if _, err := env.Execute(t.Name()); err != nil {
					t.Fatalf("%v, %v, parallelism %d: %v", mode, backend, p, err)
				}
				if got := out.Strings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("%v, %v, parallelism %d:\ngot  %q\nwant %q", mode, backend, p, got, want)
				}
			}
		}
	}
}

func f1Key(v any) any { return Field(v, "F1") }

// Flink: GroupReduceITCase#testCorrectnessOfGroupReduceOnTuplesWithKeyFieldSelector groups get3TupleDataSet
// by f1 and sums f0 in a GroupReduceFunction: each group's records arrive together, once.
func TestReduceGroup(t *testing.T) {
	runBounded(t, []string{"1,1,[1]", "5,2,[2 3]", "15,3,[4 5 6]", "34,4,[7 8 9 10]", "65,5,[11 12 13 14 15]",
		"111,6,[16 17 18 19 20 21]"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).ReduceGroup(func(key any, vs []any, out Collector) {
			sum, ids := 0, []int{}
			for _, v := range vs {
				sum += v.(t3).F0
				ids = append(ids, v.(t3).F0)
			}
			out.Collect(fmt.Sprintf("%d,%v,%v", sum, key, ids)) // ids in arrival order
		}).Collect()
	})
}

// Flink: AggregateITCase#testGroupedAggregate (groupBy(1).aggregate(SUM, 0): "1,1 2,5 3,15 4,34 5,65 6,111"),
// with .and(MIN, ...) and .and(MAX, ...) on further fields, and the first record's other fields kept; and
// minBy/maxBy keeping whole records (Flink: MinByOperatorTest, MaxByOperatorTest semantics).
func TestAggregateFields(t *testing.T) {
	type agg struct {
		Key           int64
		Sum, Min, Max int
		Name          string
	}
	RegisterType(agg{})
	toAgg := func(v any) any { r := v.(t3); return agg{r.F1, r.F0, r.F0, r.F0, r.F2} }
	runBounded(t, []string{"{1 1 1 1 Hi}", "{2 5 2 3 Hello}", "{3 15 4 6 Hello world, how are you?}",
		"{4 34 7 10 Comment#1}", "{5 65 11 15 Comment#5}", "{6 111 16 21 Comment#10}"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).Map(toAgg).SetParallelism(1).KeyByField("Key"). // keeps arrival order: the first record of a key is defined
														Aggregate(FieldAggregation{AggSum, "Sum"}, FieldAggregation{AggMin, "Min"}, FieldAggregation{AggMax, "Max"}).Collect()
	})
	// Sorted output of maxBy(F0) per group: the last record of each group; minBy: the first.
	runBounded(t, []string{"{1 1 Hi}", "{3 2 Hello world}", "{6 3 Luke Skywalker}", "{10 4 Comment#4}",
		"{15 5 Comment#9}", "{21 6 Comment#15}"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).Aggregate(FieldAggregation{AggMaxBy, "F0"}).Collect()
	})
	runBounded(t, []string{"{1 1 Hi}", "{2 2 Hello}", "{4 3 Hello world, how are you?}", "{7 4 Comment#1}",
		"{11 5 Comment#5}", "{16 6 Comment#10}"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).Aggregate(FieldAggregation{AggMinBy, "F0"}).Collect()
	})
}

// Flink: FirstNITCase#testFirstNOnGroupedDS (groupBy(1).first(4), counted per group: "1,1 2,2 3,3 4,4 5,4
// 6,4") and #testFirstNOnGroupedAndSortedDS (groupBy(1).sortGroup(0, DESCENDING).first(3).project(1, 0)).
func TestFirstN(t *testing.T) {
	runBounded(t, []string{"1,[1]", "2,[2 3]", "3,[4 5 6]", "4,[7 8 9 10]", "5,[11 12 13 14]", "6,[16 17 18 19]"},
		func(env *Environment) *Collected {
			return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).FirstN(4).
				KeyBy(f1Key).ReduceGroup(func(key any, vs []any, out Collector) {
				ids := []int{}
				for _, v := range vs {
					ids = append(ids, v.(t3).F0)
				}
				out.Collect(fmt.Sprintf("%v,%v", key, ids))
			}).Collect()
		})
	runBounded(t, []string{"1,1", "2,3", "2,2", "3,6", "3,5", "3,4", "4,10", "4,9", "4,8", "5,15", "5,14", "5,13",
		"6,21", "6,20", "6,19"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).FirstNSorted(3, "F0", Descending).
			Map(func(v any) any { return fmt.Sprintf("%d,%d", v.(t3).F1, v.(t3).F0) }).Collect()
	})
	// Ties keep arrival order: the first two of each group by ascending F1 (all equal) are its first two.
	runBounded(t, []string{"1", "2", "3", "4", "5", "7", "8", "11", "12", "16", "17"}, func(env *Environment) *Collected {
		return env.FromElements(get3TupleDataSet()...).KeyBy(f1Key).FirstNSorted(2, "F1", Ascending).
			Map(func(v any) any { return v.(t3).F0 }).Collect()
	})
}

// Flink: DistinctITCase#testCorrectnessOfDistinctOnTuplesWithKeyFieldSelector (small3 union small3,
// distinct: the three records once) and #testCorrectnessOfDistinctOnTuplesWithKeyExtractorFunction.
func TestDistinct(t *testing.T) {
	runBounded(t, []string{"{1 1 Hi}", "{2 2 Hello}", "{3 2 Hello world}"}, func(env *Environment) *Collected {
		ds := env.FromElements(getSmall3TupleDataSet()...)
		return ds.Union(env.FromElements(getSmall3TupleDataSet()...)).Distinct().Collect()
	})
	runBounded(t, []string{"1", "2"}, func(env *Environment) *Collected {
		ds := env.FromElements(getSmall3TupleDataSet()...)
		return ds.Union(ds).DistinctBy(f1Key).Map(func(v any) any { return v.(t3).F1 }).Collect()
	})
}

func TestDistinctRefusesIncomparableRecords(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1})
	env.FromElements(map[string]any{"a": 1}).Distinct().Collect()
	_, err := env.Execute("distinct maps")
	if err == nil || !strings.Contains(err.Error(), "not comparable") {
		t.Fatalf("err = %v, want a refusal naming the incomparable record", err)
	}
}

// subtaskTagged tags each record with the subtask that emits it, so that a test can check what each
// partition received and in which order.
func subtaskTagged(s *DataStream) *DataStream {
	return s.Process(ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
		out.Collect(fmt.Sprintf("%d|%v", ctx.Subtask(), v))
	}})
}

// Flink: SortPartitionITCase#testSortPartitionByKeyField sorts get3TupleDataSet by f1 descending at
// parallelism 4 and checks each partition's order (OrderCheckMapper); here also by a key selector, and the
// whole output at parallelism 1, where the one partition is the whole input.
func TestSortPartition(t *testing.T) {
	for _, p := range []int{1, 2, 4} {
		for _, byKey := range []bool{false, true} {
			env := NewEnvironment(Config{Parallelism: p})
			in := env.FromElements(get3TupleDataSet()...).Rebalance()
			var sorted *DataStream
			if byKey {
				sorted = in.SortPartitionBy(func(v any) any { return v.(t3).F2 }, Ascending)
			} else {
				sorted = in.SortPartition("F1", Descending)
			}
			out := subtaskTagged(sorted).Collect()
			if _, err := env.Execute("sort partition"); err != nil {
				t.Fatal(err)
			}
			parts := map[string][]t3{}
			n := 0
			for _, v := range out.Values() {
				sub, _, _ := strings.Cut(v.(string), "|")
				var r t3
				rest := v.(string)[len(sub)+1:]
				if _, err := fmt.Sscanf(rest, "{%d %d", &r.F0, &r.F1); err != nil {
					t.Fatalf("%q: %v", v, err)
				}
				r.F2 = get3TupleDataSet()[r.F0-1].(t3).F2
				parts[sub] = append(parts[sub], r)
				n++
			}
			if n != 21 {
				t.Fatalf("parallelism %d: %d records, want 21", p, n)
			}
			for sub, rs := range parts {
				ok := sort.SliceIsSorted(rs, func(i, j int) bool {
					if byKey {
						return rs[i].F2 < rs[j].F2
					}
					return rs[i].F1 > rs[j].F1
				})
				if !ok {
					t.Fatalf("parallelism %d, by key %v: partition %s not sorted: %v", p, byKey, sub, rs)
				}
			}
			if p == 1 && !byKey { // stable: arrival order within a group
				var ids []string
				for _, r := range parts["0"] {
					ids = append(ids, fmt.Sprint(r.F0))
				}
				if got, want := strings.Join(ids, " "), "16 17 18 19 20 21 11 12 13 14 15 7 8 9 10 4 5 6 2 3 1"; got != want {
					t.Fatalf("parallelism 1: got %s, want %s", got, want)
				}
			}
		}
	}
}

// Flink: PartitionITCase#testHashPartitionByKeyField: after partitionByHash(1) every key is in one partition.
func TestPartitionByHash(t *testing.T) {
	for _, p := range []int{1, 2, 4} {
		env := NewEnvironment(Config{Parallelism: p})
		out := subtaskTagged(env.FromElements(get3TupleDataSet()...).PartitionByHash(f1Key).
			Map(func(v any) any { return v.(t3).F1 })).Collect()
		if _, err := env.Execute("partition by hash"); err != nil {
			t.Fatal(err)
		}
		where := map[string]map[string]bool{}
		for _, v := range out.Strings() {
			sub, key, _ := strings.Cut(v, "|")
			if where[key] == nil {
				where[key] = map[string]bool{}
			}
			where[key][sub] = true
		}
		if out.Len() != 21 || len(where) != 6 {
			t.Fatalf("parallelism %d: %d records over %d keys, want 21 over 6", p, out.Len(), len(where))
		}
		for key, subs := range where {
			if len(subs) != 1 {
				t.Fatalf("parallelism %d: key %s in partitions %v, want one", p, key, subs)
			}
		}
	}
}

func t35String(l, r any) any {
	ls, rs := "null", "null"
	if l != nil {
		ls = l.(t3).F2
	}
	if r != nil {
		rs = r.(t5).F3
	}
	return ls + "," + rs
}

// Flink: JoinITCase#testUDFJoinOnTuplesWithKeyFieldPositions (inner, where(1).equalTo(1)) and
// OuterJoinITCase#testLeftOuterJoin1 (where(0).equalTo(0)), #testRightOuterJoin1 (where(1).equalTo(1)),
// #testFullOuterJoin1 (where(0).equalTo(2)), each with every join hint (Flink runs each outer join test with
// every strategy the join type supports), so nil is tested on both sides.
func TestJoinBounded(t *testing.T) {
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
		for _, hint := range []JoinHint{JoinHintOptimizerChooses, JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst,
			JoinHintRepartitionHashSecond, JoinHintBroadcastHashFirst, JoinHintBroadcastHashSecond} {
			// Flink's OuterJoinITCase runs broadcast hints only where the broadcast side is inner.
			if (hint == JoinHintBroadcastHashFirst && (c.kind == LeftOuterJoin || c.kind == FullOuterJoin)) ||
				(hint == JoinHintBroadcastHashSecond && (c.kind == RightOuterJoin || c.kind == FullOuterJoin)) {
				continue
			}
			t.Run(c.kind.String()+"/"+hint.String(), func(t *testing.T) {
				runBounded(t, c.want, func(env *Environment) *Collected {
					return env.FromElements(getSmall3TupleDataSet()...).JoinBounded(env.FromElements(getSmall5TupleDataSet()...), c.kind).
						Where(f(c.key1)).EqualTo(f(c.key2)).WithHint(hint).Apply(t35String).Collect()
				})
			})
		}
	}
}

// The order each strategy emits in, at parallelism 1 (Flink's hash join probes in the probe side's order and
// emits the build side's unmatched records after; the sort-merge join walks the keys in order; the
// broadcast hash join probes with the other input as it arrived).
func TestJoinBoundedStrategyOrder(t *testing.T) {
	order := func(kind JoinType, hint JoinHint) string {
		env := NewEnvironment(Config{Parallelism: 1})
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
	for hint, want := range map[JoinHint]string{
		JoinHintRepartitionSortMerge:  "[aA a2A bB c- -D]",
		JoinHintRepartitionHashFirst:  "[aA a2A bB -D c-]",
		JoinHintRepartitionHashSecond: "[aA a2A bB c- -D]",
	} {
		if got := order(FullOuterJoin, hint); got != want {
			t.Errorf("%v: got %s, want %s", hint, got, want)
		}
	}
	// Broadcasting the second input, the first is probed in arrival order, unmatched ones paired with nil.
	if got, want := order(LeftOuterJoin, JoinHintBroadcastHashSecond), "[c- aA bB a2A]"; got != want {
		t.Errorf("%v: got %s, want %s", JoinHintBroadcastHashSecond, got, want)
	}
}

// Flink: CoGroupITCase (coGroup of two data sets where(0).equalTo(0)): each key once, with the records of
// both sides, one of which may be empty.
func TestCoGroupBounded(t *testing.T) {
	runBounded(t, []string{"1:[Hi]:[Hallo]", "2:[Hello]:[Hallo Welt Hallo Welt wie]", "3:[Hello world]:[]"},
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

func TestDataSetBuildersRefuseBadArguments(t *testing.T) {
	env := NewEnvironment(Config{})
	s := env.FromElements(1)
	for name, f := range map[string]func(){
		"ReduceGroup nil":       func() { s.KeyBy(f1Key).ReduceGroup(nil) },
		"Aggregate none":        func() { s.KeyBy(f1Key).Aggregate() },
		"Aggregate minBy mixed": func() { s.KeyBy(f1Key).Aggregate(FieldAggregation{AggMinBy, "F0"}, FieldAggregation{AggSum, "F1"}) },
		"FirstN zero":           func() { s.KeyBy(f1Key).FirstN(0) },
		"FirstNSorted order":    func() { s.KeyBy(f1Key).FirstNSorted(1, "F0", Order(7)) },
		"DistinctBy nil":        func() { s.DistinctBy(nil) },
		"SortPartitionBy nil":   func() { s.SortPartitionBy(nil, Ascending) },
		"PartitionByHash nil":   func() { s.PartitionByHash(nil) },
		"PartitionByRange nil":  func() { s.PartitionByRange(nil) },
		"JoinBounded no keys":   func() { s.JoinBounded(s, InnerJoin).Apply(t35String) },
		"JoinBounded kind":      func() { s.JoinBounded(s, JoinType(9)) },
		"JoinBounded hint":      func() { s.JoinBounded(s, InnerJoin).WithHint(JoinHint(9)) },
		"broadcast outer side":  func() { s.JoinBounded(s, LeftOuterJoin).WithHint(JoinHintBroadcastHashFirst) },
		"broadcast full outer":  func() { s.JoinBounded(s, FullOuterJoin).WithHint(JoinHintBroadcastHashSecond) },
		"CoGroupBounded no key": func() { s.CoGroupBounded(s).Where(f1Key).Apply(func(l, r []any, out Collector) {}) },
		"Cross nil":             func() { s.Cross(s).With(nil) },
		"BroadcastSet nil":      func() { s.FlatMapWithBroadcastSet(s, nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "engine:") {
					t.Errorf("%s: recovered %v, want a panic naming the argument", name, r)
				}
			}()
			f()
		}()
	}
}

// Flink: CrossITCase#testCorrectnessOfCrossOnTwoTupleInputs (getSmall5TupleDataSet crossed with itself,
// Tuple5Cross: f2+f2 and f3 of each, all nine pairs).
func TestCross(t *testing.T) {
	runBounded(t, []string{"0,HalloHallo", "1,HalloHallo Welt", "2,HalloHallo Welt wie", "1,Hallo WeltHallo",
		"2,Hallo WeltHallo Welt", "3,Hallo WeltHallo Welt wie", "2,Hallo Welt wieHallo", "3,Hallo Welt wieHallo Welt",
		"4,Hallo Welt wieHallo Welt wie"}, func(env *Environment) *Collected {
		ds := env.FromElements(getSmall5TupleDataSet()...)
		return ds.Cross(env.FromElements(getSmall5TupleDataSet()...)).With(func(l, r any) any {
			a, b := l.(t5), r.(t5)
			return fmt.Sprintf("%d,%s%s", a.F2+b.F2, a.F3, b.F3)
		}).Collect()
	})
	// A larger product spreads over every subtask: 40 x 7 pairs, each once.
	var want []string
	for i := range 40 {
		for j := range 7 {
			want = append(want, fmt.Sprintf("%d-%d", i, j))
		}
	}
	runBounded(t, want, func(env *Environment) *Collected {
		var a, b []any
		for i := range 40 {
			a = append(a, i)
		}
		for j := range 7 {
			b = append(b, j)
		}
		return env.FromElements(a...).Rebalance().Map(func(v any) any { return v }).Cross(env.FromElements(b...)).
			With(func(l, r any) any { return fmt.Sprintf("%v-%v", l, r) }).Collect()
	})
}

// Flink: the broadcast variable example of the DataSet guide (withBroadcastSet(toBroadcast,
// "broadcastSetName"), read in open with getBroadcastVariable) and BroadcastVarInitializationITCase: every
// subtask sees the whole set, however the main input is spread.
func TestFlatMapWithBroadcastSet(t *testing.T) {
	runBounded(t, []string{"1 of 3", "2 of 3", "3 of 3", "4 of 3", "5 of 3", "6 of 3"}, func(env *Environment) *Collected {
		groups := env.FromElements(int64(1), int64(2), int64(3))
		return env.FromElements(get3TupleDataSet()...).Rebalance().Map(func(v any) any { return v }).
			FlatMapWithBroadcastSet(groups, func(v any, set []any, out Collector) {
				for _, g := range set {
					if g == v.(t3).F1 {
						out.Collect(fmt.Sprintf("%d of %d", v.(t3).F0, len(set)))
					}
				}
			}).Collect()
	})
}

// Flink: PartitionITCase#testRangePartitionByKeyField and RangePartitionRewriteITCase (ranges ascend with the
// partition index and never split a key). With fewer records than RangeSampleSize the sample is the whole
// input, so the boundaries are exact quantiles and can be pinned.
func TestPartitionByRange(t *testing.T) {
	ranges := func(p int, key KeySelector) string {
		env := NewEnvironment(Config{Parallelism: p})
		out := subtaskTagged(env.FromElements(get3TupleDataSet()...).PartitionByRange(key).
			Map(func(v any) any { return key(v) })).Collect()
		if _, err := env.Execute("partition by range"); err != nil {
			t.Fatal(err)
		}
		byPart := map[int][]int{}
		for _, v := range out.Values() {
			var sub, k int
			if _, err := fmt.Sscanf(v.(string), "%d|%d", &sub, &k); err != nil {
				t.Fatal(err)
			}
			byPart[sub] = append(byPart[sub], k)
		}
		var b strings.Builder
		for sub := range p {
			ks := byPart[sub]
			sort.Ints(ks)
			if len(ks) > 0 {
				fmt.Fprintf(&b, "%d:%d-%d(%d) ", sub, ks[0], ks[len(ks)-1], len(ks))
			} else {
				fmt.Fprintf(&b, "%d:- ", sub)
			}
		}
		return strings.TrimSpace(b.String())
	}
	f0 := func(v any) any { return v.(t3).F0 }
	for _, c := range []struct {
		p    int
		key  KeySelector
		want string
	}{
		{1, f0, "0:1-21(21)"},
		{2, f0, "0:1-11(11) 1:12-21(10)"}, // boundary: the sample's element 21/2 = 10, key 11
		{4, f0, "0:1-6(6) 1:7-11(5) 2:12-16(5) 3:17-21(5)"},
		{2, f1Key, "0:1-5(15) 1:6-6(6)"}, // equal keys stay together: boundary key 5
	} {
		if got := ranges(c.p, c.key); got != c.want {
			t.Errorf("parallelism %d: got %s, want %s", c.p, got, c.want)
		}
	}
}
