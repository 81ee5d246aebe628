package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// The engine pane follows an iteration through the jobs of its supersteps: polling the newest superstep's
// job draws the iteration view with every superstep the iteration ran and why it ended.
func TestEnginePaneFollowsIteration(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	var jobs []interp.LiveJob
	env.Observe(engine.Observer{JobStarted: func(j *engine.Job) { jobs = append(jobs, interp.LiveJobOf(j)) }})
	_, err := env.IterateBulk([]any{1, 2, 3}, engine.BulkIteration{Name: "count up", MaxIterations: 3,
		Aggregators: map[string]engine.Aggregator{"sum": engine.LongSumAggregator()},
		Step: func(env *engine.Environment, p *engine.DataStream) *engine.DataStream {
			sum := env.IterationRuntimeContext().IterationAggregator("sum")
			return p.Map(func(v any) any {
				sum.Aggregate(v)
				return v.(int) + 1
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	p := &enginePane{width: 120, height: 24}
	p.poll(jobs)
	view := ansi.Strip(p.view(i18n.EN))
	for _, want := range []string{
		"Iteration count up bulk · superstep 3 of 3 · finished",
		"ended: maximum supersteps reached after 3 supersteps",
	} {
		if !strings.Contains(view, want) {
			t.Fatalf("the engine pane lacks %q:\n%s", want, view)
		}
	}
	// Each superstep's row: its input and output sizes, its time, and the sum of {1,2,3}, {2,3,4}, {3,4,5}.
	for _, row := range []string{`(?m)^ 1   3    3 +\S+ +6 `, `(?m)^ 2   3    3 +\S+ +9 `, `(?m)^ 3   3    3 +\S+ +12 `} {
		if !regexp.MustCompile(row).MatchString(view) {
			t.Fatalf("the engine pane lacks a row %s:\n%s", row, view)
		}
	}
}
