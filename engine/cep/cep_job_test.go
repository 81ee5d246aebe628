package cep_test

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
)

// Event is Flink's test event org.apache.flink.cep.Event.
type Event struct {
	ID    int
	Name  string
	Price float64
}

// SubEvent is Flink's org.apache.flink.cep.SubEvent.
type SubEvent struct {
	Event
	Volume float64
}

func base(v any) Event {
	if s, ok := v.(SubEvent); ok {
		return s.Event
	}
	return v.(Event)
}

func nameIs(n string) cep.Condition {
	return func(v any, _ *cep.ConditionContext) bool { return base(v).Name == n }
}

func ids(m map[string][]any, stages ...string) string {
	s := ""
	for i, st := range stages {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(base(m[st][0]).ID)
	}
	return s
}

// startMiddleEnd is CEPITCase's pattern: start, followed by a SubEvent middle, followed by end.
func startMiddleEnd(subtype bool) *cep.Pattern {
	p := cep.Begin("start").Where(nameIs("start")).FollowedBy("middle")
	if subtype {
		p = p.Subtype(SubEvent{})
	}
	return p.Where(nameIs("middle")).FollowedBy("end").Where(nameIs("end"))
}

func timed(vs ...any) engine.SliceSource {
	var s engine.SliceSource
	for i := 0; i < len(vs); i += 2 {
		s = append(s, engine.SourceElement{Value: vs[i], Timestamp: int64(vs[i+1].(int))})
	}
	return s
}

func run(t *testing.T, env *engine.Environment, c *engine.Collected) []string {
	t.Helper()
	if _, err := env.Execute("cep"); err != nil {
		t.Fatal(err)
	}
	got := c.Strings()
	sort.Strings(got)
	return got
}

// Flink: CEPITCase, at parallelism 1 and 4; each case names its test method.
func TestCEPITCase(t *testing.T) {
	byID := func(v any) any { return base(v).ID }
	cases := []struct {
		name  string
		build func(env *engine.Environment) *engine.Collected
		want  []string
	}{
		{"testSimplePatternCEP", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements(Event{1, "barfoo", 1}, Event{2, "start", 2}, Event{3, "foobar", 3}, SubEvent{Event{4, "foo", 4}, 1},
				Event{5, "middle", 5}, SubEvent{Event{6, "middle", 6}, 2}, SubEvent{Event{7, "bar", 3}, 3}, Event{42, "42", 42}, Event{8, "end", 1})
			return cep.CEP.Pattern(in, startMiddleEnd(true)).InProcessingTime().
				Select(func(m map[string][]any) any { return ids(m, "start", "middle", "end") }).Collect()
		}, []string{"2,6,8"}},
		{"testSimpleKeyedPatternCEP", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements(Event{1, "barfoo", 1}, Event{2, "start", 2}, Event{3, "start", 2.1}, Event{3, "foobar", 3},
				SubEvent{Event{4, "foo", 4}, 1}, SubEvent{Event{3, "middle", 3.2}, 1}, Event{42, "start", 3.1}, SubEvent{Event{42, "middle", 3.3}, 1.2},
				Event{5, "middle", 5}, SubEvent{Event{2, "middle", 6}, 2}, SubEvent{Event{7, "bar", 3}, 3}, Event{42, "42", 42},
				Event{3, "end", 2}, Event{2, "end", 1}, Event{42, "end", 42}).KeyBy(byID)
			return cep.CEP.Pattern(in, startMiddleEnd(true)).InProcessingTime().
				Select(func(m map[string][]any) any { return ids(m, "start", "middle", "end") }).Collect()
		}, []string{"2,2,2", "3,3,3", "42,42,42"}},
		{"testSimplePatternEventTime", func(env *engine.Environment) *engine.Collected {
			s := engine.ForBoundedOutOfOrderness(5 * time.Millisecond)
			in := env.FromSource(timed(Event{1, "start", 1}, 5, Event{2, "middle", 2}, 1, Event{3, "end", 3}, 3,
				Event{4, "end", 4}, 10, Event{5, "middle", 5}, 7, Event{5, "middle", 5}, 100), &s, "events")
			return cep.CEP.Pattern(in, startMiddleEnd(false)).
				Select(func(m map[string][]any) any { return ids(m, "start", "middle", "end") }).Collect()
		}, []string{"1,5,4"}},
		{"testSimpleKeyedPatternEventTime", func(env *engine.Environment) *engine.Collected {
			s := engine.ForBoundedOutOfOrderness(5 * time.Millisecond)
			in := env.FromSource(timed(Event{1, "start", 1}, 5, Event{1, "middle", 2}, 1, Event{2, "middle", 2}, 4, Event{2, "start", 2}, 3,
				Event{1, "end", 3}, 3, Event{3, "start", 4.1}, 5, Event{1, "end", 4}, 10, Event{2, "end", 2}, 8, Event{1, "middle", 5}, 7,
				Event{3, "middle", 6}, 9, Event{3, "end", 7}, 7), &s, "events").KeyBy(byID)
			return cep.CEP.Pattern(in, startMiddleEnd(false)).
				Select(func(m map[string][]any) any { return ids(m, "start", "middle", "end") }).Collect()
		}, []string{"1,1,1", "2,2,2"}},
		{"testSimplePatternWithSingleState", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements([2]int{0, 1}, [2]int{0, 2})
			p := cep.Begin("start").Where(func(v any, _ *cep.ConditionContext) bool { return v.([2]int)[1] == 1 })
			return cep.CEP.Pattern(in, p).InProcessingTime().
				Select(func(m map[string][]any) any { return m["start"][0] }).Collect()
		}, []string{"[0 1]"}},
		{"testProcessingTimeWithWindow", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements(1, 2)
			p := cep.Begin("start").FollowedBy("end").Within(24 * time.Hour)
			return cep.CEP.Pattern(in, p).InProcessingTime().
				Select(func(m map[string][]any) any { return m["start"][0].(int) + m["end"][0].(int) }).Collect()
		}, []string{"3"}},
		{"testTimeoutHandling", func(env *engine.Environment) *engine.Collected {
			s := engine.ForBoundedOutOfOrderness(5 * time.Millisecond)
			in := env.FromSource(timed(Event{1, "start", 1}, 1, Event{1, "middle", 2}, 5, Event{1, "start", 2}, 4, Event{1, "end", 2}, 6), &s, "events")
			p := startMiddleEnd(false).Within(3 * time.Millisecond)
			timedOut := engine.NewOutputTag("timed-out")
			matches := cep.CEP.Pattern(in, p).SelectWithTimeout(timedOut,
				func(m map[string][]any, ts int64) any { return fmt.Sprintf("Left(%v)", base(m["start"][0]).Price) },
				func(m map[string][]any) any {
					return fmt.Sprintf("Right(%v,%v,%v)", base(m["start"][0]).Price, base(m["middle"][0]).Price, base(m["end"][0]).Price)
				})
			return matches.Union(matches.SideOutput(timedOut)).Collect()
		}, []string{"Left(1)", "Right(2,2,2)"}},
		{"testFromFirstCEP", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements(Event{1, "A", 1}, Event{2, "B", 2}, Event{3, "C", 2.1})
			p := cep.Begin("start").FollowedByAny("end")
			return cep.CEP.Pattern(in, p).InProcessingTime().
				Select(func(m map[string][]any) any { return ids(m, "start", "end") }).Collect()
		}, []string{"1,2", "1,3", "2,3"}},
		{"testAfterLastCEP (SkipPastLastEvent)", func(env *engine.Environment) *engine.Collected {
			in := env.FromElements(Event{1, "A", 1}, Event{2, "B", 2}, Event{3, "C", 2.1}, Event{4, "D", 2.1})
			p := cep.Begin("start", cep.SkipPastLastEvent()).FollowedByAny("end")
			return cep.CEP.Pattern(in, p).InProcessingTime().
				Select(func(m map[string][]any) any { return ids(m, "start", "end") }).Collect()
		}, []string{"1,2", "3,4"}},
	}
	for _, c := range cases {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", c.name, p), func(t *testing.T) {
				env := engine.NewEnvironment(engine.Config{Parallelism: p})
				got := run(t, env, c.build(env))
				want := slices.Clone(c.want)
				sort.Strings(want)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %q, want %q", got, want)
				}
			})
		}
	}
}
