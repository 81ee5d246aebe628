package cep_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
)

// What a CEP operator emits carries the match's timestamp, as Flink's CepOperator sets its collector's and
// context's timestamp before handing over each match (processMatchedSequences, processTimedOutSequences):
// a match the timestamp of the event that completed it, a timed-out partial match the time its window
// closed. With an out-of-orderness bound of an hour the watermark passes every event only at the end of
// the input, so one timer (the one for the earliest event, at 1) releases them all; before the fix every
// output carried that timer's time, 1. The test also reads ProcessContext.StageNames, the stages of each
// match in the pattern's order.
func TestMatchTimestamps(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			env := engine.NewEnvironment(engine.Config{Parallelism: p})
			s := engine.ForBoundedOutOfOrderness(time.Hour)
			in := env.FromSource(timed(Event{1, "start", 1}, 1, Event{1, "end", 2}, 5, Event{2, "start", 3}, 20,
				Event{1, "start", 4}, 7, Event{1, "end", 5}, 12, Event{3, "x", 6}, 40), &s, "events").
				KeyBy(func(v any) any { return base(v).ID })
			pattern := cep.Begin("start").Where(nameIs("start")).FollowedBy("end").Where(nameIs("end")).Within(10 * time.Millisecond)
			timedOut := engine.NewOutputTag("timed-out")
			matches := cep.CEP.Pattern(in, pattern).Process(cep.PatternProcessFunction{
				ProcessMatch: func(m map[string][]any, ctx *cep.ProcessContext, out engine.Collector) {
					out.Collect(fmt.Sprintf("match %v-%v [%s] ctx@%d", base(m["start"][0]).Price, base(m["end"][0]).Price,
						strings.Join(ctx.StageNames(), " "), ctx.Timestamp()))
				},
				ProcessTimedOutMatch: func(m map[string][]any, ctx *cep.ProcessContext) {
					ctx.Output(timedOut, fmt.Sprintf("timeout %v [%s] ctx@%d", base(m["start"][0]).Price,
						strings.Join(ctx.StageNames(), " "), ctx.Timestamp()))
				},
			})
			stamp := engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
				out.Collect(fmt.Sprintf("%v record@%d", v, ctx.Timestamp()))
			}}
			c := matches.Process(stamp).Union(matches.SideOutput(timedOut).Process(stamp)).Collect()
			got := run(t, env, c)
			want := []string{
				"match 1-2 [start end] ctx@5 record@5",
				"match 4-5 [start end] ctx@12 record@12",
				"timeout 3 [start] ctx@30 record@30",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
