package cep_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/sources"
)

// The engine's matches of the logins lesson's pattern agree, for every skip strategy and at parallelism 1
// and 4, with the counts sources computes in plain Go from the recording (logins.answers.json), and so do
// the timed-out partial matches sent to the side output.
func TestLoginsRecordingAgreesWithAnswers(t *testing.T) {
	rec, err := sources.FindRecording("logins")
	must(t, err)
	answers, err := sources.Answers("logins")
	must(t, err)
	want := answers["matchesPerStrategy"].(map[string]any)
	failure := func(v any, _ *cep.ConditionContext) bool { return v.(sources.Event).String("result") == "failure" }
	success := func(v any, _ *cep.ConditionContext) bool { return v.(sources.Event).String("result") == "success" }
	for _, par := range []int{1, 4} {
		for _, skip := range []cep.AfterMatchSkipStrategy{cep.NoSkip(), cep.SkipToNext(), cep.SkipPastLastEvent(),
			cep.SkipToFirst("fails"), cep.SkipToLast("fails")} {
			t.Run(fmt.Sprintf("p%d/%v", par, skip), func(t *testing.T) {
				env := engine.NewEnvironment(engine.Config{Parallelism: par})
				wm := engine.ForBoundedOutOfOrderness(0)
				logins := env.FromSource(rec.Replay(nil), &wm, "logins").KeyBy(func(v any) any { return v.(sources.Event).Key })
				p := cep.Begin("fails", skip).Where(failure).TimesOrMore(3).Consecutive().
					Next("success").Where(success).Within(10 * time.Second)
				timedOut := engine.NewOutputTag("timed-out")
				alerts := cep.CEP.Pattern(logins, p).Process(cep.PatternProcessFunction{
					ProcessMatch: func(m map[string][]any, ctx *cep.ProcessContext, out engine.Collector) {
						out.Collect(ctx.CurrentKey())
					},
					ProcessTimedOutMatch: func(m map[string][]any, ctx *cep.ProcessContext) { ctx.Output(timedOut, ctx.CurrentKey()) },
				})
				matches, timeouts := alerts.Collect(), alerts.SideOutput(timedOut).Collect()
				_, err := env.Execute("logins")
				must(t, err)
				if got, w := len(matches.Values()), int(want[skip.String()].(float64)); got != w {
					t.Errorf("%d matches, the answers say %d", got, w)
				}
				if got, w := len(timeouts.Values()), int(answers["timeouts"].(float64)); got != w {
					t.Errorf("%d timeouts, the answers say %d", got, w)
				}
			})
		}
	}
}
