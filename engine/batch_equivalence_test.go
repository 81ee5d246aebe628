package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Batch mode gives the final results of streaming mode for an input that has no late records (Flink's
// execution-mode docs: "the same application ... will produce the same final results" for bounded input
// without late data), at parallelism 1, 2 and 4, for the keyed operators built on its timers and state:
// session windows (merging), window joins, interval joins (two connected keyed inputs), a bounded join and a
// group reduce (which emit at end of input).
func TestBatchEqualsStreamingForKeyedOperators(t *testing.T) {
	sideB := func() SliceSource {
		var s SliceSource
		for i, k := range []string{"a", "c", "b", "a", "d"} {
			s = append(s, SourceElement{Value: fmt.Sprintf("%s:%d", k, 10*(i+1)), Timestamp: int64(3*i + 2)})
		}
		return s
	}
	sorted := func(c *Collected) func() []string {
		return func() []string {
			var out []string
			for _, r := range c.Records() {
				out = append(out, fmt.Sprintf("%v@%d", r.Value, r.Timestamp))
			}
			slices.Sort(out)
			return out
		}
	}
	cases := map[string]func(env *Environment) func() []string{
		"session windows": func(env *Environment) func() []string {
			return sorted(env.FromSource(batchElements(false), nil, "in").KeyBy(keyOf).
				Window(EventTimeSessionWindows(5 * time.Millisecond)).
				Process(func(ctx *WindowContext, key any, elems []any, out Collector) {
					out.Collect(fmt.Sprintf("%v %v %d", key, ctx.Window(), len(elems)))
				}).Collect())
		},
		"window join": func(env *Environment) func() []string {
			return sorted(env.FromSource(batchElements(false), nil, "l").
				Join(env.FromSource(sideB(), nil, "r")).Where(keyOf).EqualTo(keyOf).
				Window(TumblingEventTimeWindows(10 * time.Millisecond)).
				Apply(func(l, r any) any { return fmt.Sprint(l, "+", r) }).Collect())
		},
		"interval join": func(env *Environment) func() []string {
			return sorted(env.FromSource(batchElements(false), nil, "l").KeyBy(keyOf).
				IntervalJoin(env.FromSource(sideB(), nil, "r").KeyBy(keyOf)).
				Between(-5*time.Millisecond, 5*time.Millisecond).
				Process(ProcessJoinFunction{ProcessElement: func(_ *JoinContext, l, r any, out Collector) {
					out.Collect(fmt.Sprint(l, "+", r))
				}}).Collect())
		},
		"bounded full outer join": func(env *Environment) func() []string {
			return sorted(env.FromSource(batchElements(false), nil, "l").
				JoinBounded(env.FromSource(sideB(), nil, "r"), FullOuterJoin).Where(keyOf).EqualTo(keyOf).
				Apply(func(l, r any) any { return fmt.Sprint(l, "+", r) }).Collect())
		},
		"group reduce": func(env *Environment) func() []string {
			return sorted(env.FromSource(batchElements(false), nil, "in").KeyBy(keyOf).
				ReduceGroup(func(key any, vs []any, out Collector) {
					sum := 0
					for _, v := range vs {
						sum += valueOf(v)
					}
					out.Collect(fmt.Sprintf("%v=%d/%d", key, sum, len(vs)))
				}).Collect())
		},
	}
	run := func(mode RuntimeMode, p int, build func(env *Environment) func() []string) []string {
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), RuntimeMode: mode})
		got := build(env)
		if _, err := env.Execute("equivalence"); err != nil {
			t.Fatal(err)
		}
		return got()
	}
	for name, build := range cases {
		want := run(Streaming, 1, build)
		if len(want) == 0 {
			t.Fatalf("%s: streaming gave nothing", name)
		}
		for _, p := range []int{1, 2, 4} {
			if got := run(Batch, p, build); !slices.Equal(got, want) {
				t.Errorf("%s at p=%d: batch\n %q\nstreaming\n %q", name, p, got, want)
			}
		}
	}
}

// Flink (FLINK-20491, broadcast state in BATCH execution): the broadcast side is read before the keyed side,
// so every keyed element sees all the rules, at any parallelism; streaming gives no such order.
func TestBatchBroadcastSideFirst(t *testing.T) {
	rules := State("rules")
	for _, p := range []int{1, 2, 4} {
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), RuntimeMode: Batch})
		bc := env.FromElements("a=x", "b=y").BroadcastWithState(rules)
		out := env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).ConnectBroadcast(bc).
			Process(KeyedBroadcastProcessFunction{
				ProcessElement: func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
					r, ok := ctx.BroadcastState(rules).Get(keyOf(v))
					if !ok {
						r = "none"
					}
					out.Collect(fmt.Sprint(v, " ", r))
				},
				ProcessBroadcastElement: func(ctx *KeyedBroadcastContext, v any, out Collector) {
					kv := strings.SplitN(v.(string), "=", 2)
					ctx.BroadcastState(rules).Put(kv[0], kv[1])
				},
			}).Collect()
		if _, err := env.Execute("broadcast first"); err != nil {
			t.Fatal(err)
		}
		want := []string{"a:2 x", "a:4 x", "a:6 x", "b:1 y", "b:5 y", "c:3 none", "c:7 none"}
		if got := out.Strings(); !slices.Equal(got, want) {
			t.Fatalf("p=%d: %q, want %q", p, got, want)
		}
	}
}
