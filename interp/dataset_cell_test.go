package interp

import "testing"

// A cell runs the DataSet operations on bounded streams (engine/dataset*.go): the interpreter reaches every
// type, constant and method they need.
func TestDataSetOperationsFromACell(t *testing.T) {
	k := New(Options{})
	src := `type Sale struct { Shop string; Item string; Amount int }
env := engine.NewEnvironment(engine.Config{Parallelism: 2})
sales := env.FromElements(Sale{"a", "tea", 3}, Sale{"b", "tea", 5}, Sale{"a", "cake", 4}, Sale{"a", "tea", 3})
shops := env.FromElements(map[string]any{"Shop": "a", "City": "Seoul"}, map[string]any{"Shop": "c", "City": "Busan"})
groups := sales.KeyByField("Shop").ReduceGroup(func(key any, vs []any, out engine.Collector) {
	out.Collect(fmt.Sprintf("%v:%d", key, len(vs)))
}).Collect()
totals := sales.KeyByField("Shop").Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "Amount"}).Collect()
top := sales.KeyByField("Shop").FirstNSorted(1, "Amount", engine.Descending).Collect()
uniq := sales.Distinct().Collect()
sorted := sales.SortPartition("Amount", engine.Ascending).SetParallelism(1).Collect()
joined := sales.JoinBounded(shops, engine.FullOuterJoin).Where(engine.KeyByField("Shop")).EqualTo(engine.KeyByField("Shop")).
	WithHint(engine.JoinHintRepartitionHashFirst).Apply(func(l, r any) any { return fmt.Sprintf("%v|%v", l, r) }).Collect()
pairs := shops.Cross(env.FromElements(1, 2)).With(func(l, r any) any { return fmt.Sprint(l.(map[string]any)["Shop"], r) }).Collect()
ranged := sales.PartitionByRange(engine.KeyByField("Amount")).Map(func(v any) any { return v.(Sale).Amount }).Collect()
bjoin := sales.JoinBounded(shops, engine.LeftOuterJoin).Where(engine.KeyByField("Shop")).EqualTo(engine.KeyByField("Shop")).
	WithHint(engine.JoinHintBroadcastHashSecond).Apply(func(l, r any) any {
		if r == nil { return l.(Sale).Item + "@?" }
		return l.(Sale).Item + "@" + r.(map[string]any)["City"].(string)
	}).Collect()
withSet := sales.FlatMapWithBroadcastSet(shops, func(v any, set []any, out engine.Collector) {
	for _, s := range set {
		if s.(map[string]any)["Shop"] == v.(Sale).Shop { out.Collect(v.(Sale).Item + "@" + s.(map[string]any)["City"].(string)) }
	}
}).Collect()
if _, err := env.Execute("dataset"); err != nil { panic(err) }
fmt.Println(groups.Strings(), totals.Strings(), top.Strings(), uniq.Len(), sorted.Strings(), len(joined.Strings()), pairs.Strings(), withSet.Strings(), ranged.Strings(), bjoin.Strings())`
	ex := mustRun(t, k, "dataset", src)
	want := "[a:3 b:1] [{a tea 10} {b tea 5}] [{a cake 4} {b tea 5}] 3 [{a cake 4} {a tea 3} {a tea 3} {b tea 5}] 5 [a1 a2 c1 c2] [cake@Seoul tea@Seoul tea@Seoul] [3 3 4 5] [cake@Seoul tea@? tea@Seoul tea@Seoul]\n"
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
