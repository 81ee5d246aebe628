package interp

import "testing"

// A cell builds the three joins of the DataStream API (window join, coGroup, interval join with a late-data side
// output) and runs them: the interpreter reaches every type and method they need.
func TestJoinsFromACell(t *testing.T) {
	k := New(Options{})
	src := `type Click struct { User string; TS int64 }
type View struct { User string; Page string; TS int64 }
env := engine.NewEnvironment(engine.Config{Parallelism: 2})
wm := engine.ForMonotonousTimestamps()
views := env.FromSource(engine.SliceSource{
	{Value: View{"ann", "home", 1}, Timestamp: 1}, {Value: View{"bob", "cart", 2}, Timestamp: 2}, {Value: View{"ann", "cart", 12}, Timestamp: 12}}, &wm, "views")
clicks := env.FromSource(engine.SliceSource{
	{Value: Click{"ann", 3}, Timestamp: 3}, {Value: Click{"bob", 15}, Timestamp: 15}}, &wm, "clicks")
byUser := func(v any) any {
	if c, ok := v.(Click); ok { return c.User }
	return v.(View).User
}
joined := views.Join(clicks).Where(byUser).EqualTo(byUser).Window(engine.TumblingEventTimeWindows(10 * time.Millisecond)).
	Apply(func(l, r any) any { return fmt.Sprintf("%s saw %s then clicked", l.(View).User, l.(View).Page) }).Collect()
groups := views.CoGroup(clicks).Where(byUser).EqualTo(byUser).Window(engine.TumblingEventTimeWindows(10 * time.Millisecond)).
	Apply(func(l, r []any, out engine.Collector) { out.Collect(fmt.Sprintf("%d views %d clicks", len(l), len(r))) }).Collect()
late := engine.NewOutputTag("late")
ij := views.KeyBy(byUser).IntervalJoin(clicks.KeyBy(byUser)).Between(0, 5*time.Millisecond).SideOutputRightLateData(late).
	Process(engine.ProcessJoinFunction{ProcessElement: func(ctx *engine.JoinContext, l, r any, out engine.Collector) {
		out.Collect(fmt.Sprintf("%s %d->%d @%d", ctx.CurrentKey(), ctx.LeftTimestamp(), ctx.RightTimestamp(), ctx.Timestamp()))
	}})
intervals := ij.Collect()
if _, err := env.Execute("joins"); err != nil { panic(err) }
fmt.Println(joined.Strings(), groups.Strings(), intervals.Strings())`
	ex := mustRun(t, k, "joins", src)
	if got, want := ex.Output(), "[ann saw home then clicked] [0 views 1 clicks 1 views 0 clicks 1 views 0 clicks 1 views 1 clicks] [ann 1->3 @3]\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
