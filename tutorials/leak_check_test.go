package tutorials

import (
	"testing"
)

// TestLeakCheckRejectsPlausibleWrongAnswers runs lesson 8 with plausible wrong answers to its "tidy" exercise
// in place of the solution: each must fail the check of the operator harness that names its mistake.
func TestLeakCheckRejectsPlausibleWrongAnswers(t *testing.T) {
	cases := []struct {
		name, old, new, failing string
	}{
		{"forgets to delete the two-hour timer when the end comes",
			"ctx.DeleteEventTimeTimer(s.(int64) + twoHours)\n", "\n",
			"a short ride leaves no state and no timer once it has ended"},
		{"forgets to delete the end's timer when the start comes",
			"ctx.DeleteEventTimeTimer(end.(int64))\n", "\n",
			"a ride whose end comes first leaves no state and no timer once its start arrives"},
		{"never clears an end stored alone (the leak)",
			"ctx.ValueState(endState).Clear() // the timer", "_ = 0 // the timer",
			"an end whose start never comes is cleared once the watermark passes it"},
		{"alerts from every timer",
			"if _, ok := ctx.ValueState(startState).Get(); ok { // the two-hour timer", "if true { // the two-hour timer",
			"a long ride alerts once, and its late end leaves nothing once the watermark passes it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			requireCheckRejects(t, "en/08-long-ride-alerts.md", "tidy", c.old, c.new, c.failing)
		})
	}
}
