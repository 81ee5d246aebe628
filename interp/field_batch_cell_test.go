package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// A cell uses each declarative field helper and each batch form on its own struct type and on maps, at
// parallelism 2. It is skipped until go generate ./interp/exports has exported them.
func TestFieldHelpersAndBatchFormsFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/engine"]["FieldIn"]; !ok {
		t.Skip("interp/exports predates the field helpers and batch forms: run go generate ./interp/exports")
	}
	k := New(Options{})
	src := `type Fare struct {
	Driver string
	Tip    float64
	Ride   int64
}
fares := []any{Fare{"ann", 2.5, 1}, Fare{"bob", 0, 2}, Fare{"ann", 7, 3}, Fare{"cid", 1, 4}, Fare{"dee", 12, 5}}
run := func(name string, f func(s *engine.DataStream) *engine.DataStream) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	got := f(env.FromSlice(fares).Rebalance()).Collect()
	if _, err := env.Execute(name); err != nil { panic(err) }
	var out []string
	for _, v := range got.Values() { out = append(out, fmt.Sprint(v)) }
	sort.Strings(out)
	fmt.Println(name, out)
}
ride := func(v any) any { return engine.Field(v, "Ride") }
run("equals", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldEquals("Driver", "ann")).Map(ride) })
run("not-equals", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldNotEquals("Driver", "ann")).Map(ride) })
run("less", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldLess("Tip", 2)).Map(ride) })
run("greater", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldGreater("Tip", 2)).Map(ride) })
run("in", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldIn("Driver", "bob", "dee")).Map(ride) })
run("keep", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldEquals("Ride", 3)).Map(engine.KeepFields("Driver:who", "Tip")) })
run("rename", func(s *engine.DataStream) *engine.DataStream { return s.Filter(engine.FieldEquals("Ride", 4)).Map(engine.RenameField("Tip", "tip")) })
run("map-batch", func(s *engine.DataStream) *engine.DataStream {
	return s.MapBatch(func(in []any) []any {
		out := make([]any, len(in))
		for i, v := range in { out[i] = v.(Fare).Driver }
		return out
	})
})
run("filter-batch", func(s *engine.DataStream) *engine.DataStream {
	return s.FilterBatch(func(in []any) []bool {
		keep := make([]bool, len(in))
		for i, v := range in { keep[i] = v.(Fare).Tip > 5 }
		return keep
	}).Map(ride)
})
run("flatmap-batch", func(s *engine.DataStream) *engine.DataStream {
	return s.FlatMapBatch(func(in []any, out engine.BatchCollector) {
		for i, v := range in {
			for j := int64(0); j < v.(Fare).Ride % 3; j++ { out.Collect(i, v.(Fare).Driver) }
		}
	})
})`
	ex := mustRun(t, k, "helpers", src)
	want := `equals [1 3]
not-equals [2 4 5]
less [2 4]
greater [1 3 5]
in [2 5]
keep [map[Tip:7 who:ann]]
rename [map[Driver:cid Ride:4 tip:1]]
map-batch [ann ann bob cid dee]
filter-batch [3 5]
flatmap-batch [ann bob bob cid dee dee]
`
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
