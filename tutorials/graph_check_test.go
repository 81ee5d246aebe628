package tutorials

import (
	"testing"
)

// TestMaxValueCheckRejectsPlausibleWrongAnswers runs lesson 17 with plausible wrong answers to its "maxvalue"
// exercise (a vertex-centric maximum value propagation) in place of the solution: each must fail the check that
// names its mistake.
func TestMaxValueCheckRejectsPlausibleWrongAnswers(t *testing.T) {
	const sends = "if ctx.Superstep() == 1 || largest != v.Value.(int) {\n\t\tctx.SendMessageToAllNeighbors(largest)\n\t}"
	const values = "every vertex's value is the largest of its component"
	const converged = "the iteration ended because no vertex sent a message"
	cases := []struct {
		name, old, new, failing string
	}{
		{"sends only in superstep 1", sends,
			"if ctx.Superstep() == 1 {\n\t\tctx.SendMessageToAllNeighbors(largest)\n\t}", values},
		{"never sends in superstep 1", sends,
			"if largest != v.Value.(int) {\n\t\tctx.SendMessageToAllNeighbors(largest)\n\t}", values},
		{"sends its old value", sends,
			"if ctx.Superstep() == 1 || largest != v.Value.(int) {\n\t\tctx.SendMessageToAllNeighbors(v.Value)\n\t}", values},
		{"keeps the smallest value", "if m.(int) > largest {", "if m.(int) < largest {", values},
		{"sends every superstep, so it never converges", sends, "ctx.SendMessageToAllNeighbors(largest)", converged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			requireCheckRejects(t, "en/17-graphs.md", "maxvalue", c.old, c.new, c.failing)
		})
	}
}
