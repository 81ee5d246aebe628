package tutorials

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
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
			nb, err := Open("en/17-graphs.md")
			if err != nil {
				t.Fatal(err)
			}
			_, solutions := nb.Exercises()
			sol := solutions["maxvalue"]
			if sol == nil || !strings.Contains(sol.Text, c.old) {
				t.Fatalf("the solution of exercise maxvalue no longer contains %q", c.old)
			}
			sol.Text = strings.Replace(sol.Text, c.old, c.new, 1)
			s := interp.NewSession(nb, interp.Options{})
			defer s.Kernel.Restart()
			rep := s.RunAll(context.Background(), interp.RunOptions{Solutions: true, Checks: true, CellTimeout: time.Minute})
			var failed []string
			for _, r := range rep.Checks {
				if !r.OK {
					failed = append(failed, r.Name)
				}
			}
			for _, f := range failed {
				if f == c.failing {
					return
				}
			}
			t.Fatalf("the wrong answer passes %q (failed checks: %q)", c.failing, failed)
		})
	}
}
