package cep_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
)

// The CEP operator publishes its Stats through the engine's gauge hook: Job.Snapshot carries them in the
// operator's OperatorSnapshot under cep.StatsGauge, with the stages in the pattern's order and the counts
// of CEPITCase#testTimeoutHandling's job (one match, one timeout).
func TestStatsGaugeInJobSnapshot(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(5 * time.Millisecond)
	in := env.FromSource(timed(Event{1, "start", 1}, 1, Event{1, "middle", 2}, 5, Event{1, "start", 2}, 4, Event{1, "end", 2}, 6), &s, "events")
	timedOut := engine.NewOutputTag("timed-out")
	matches := cep.CEP.Pattern(in.KeyBy(func(v any) any { return base(v).ID }), startMiddleEnd(false, false).Within(3*time.Millisecond)).
		SelectWithTimeout(timedOut, func(m map[string][]any, ts int64) any { return "timeout" },
			func(m map[string][]any) any { return "match" }).Name("pattern")
	matches.Union(matches.SideOutput(timedOut)).Collect()
	job, err := env.Execute("cep-gauge")
	if err != nil {
		t.Fatal(err)
	}
	var got []cep.Stats
	for _, v := range job.Snapshot().Vertices {
		for _, op := range v.Operators {
			if g, ok := op.Gauge(cep.StatsGauge); ok {
				if op.Name != "pattern" {
					t.Errorf("gauge on operator %q, want pattern", op.Name)
				}
				got = append(got, g.(cep.Stats))
			}
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d operators publish cep stats, want 1", len(got))
	}
	st := got[0]
	if st.Matches != 1 || st.Timeouts != 1 || fmt.Sprint(st.Stages) != "[middle end]" || len(st.Keys) != 0 {
		t.Fatalf("stats %v with stages %v, want 1 match, 1 timeout, stages [middle end], no key left waiting", st, st.Stages)
	}
}
