package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// ccRunning is Flink's AggregatorConvergenceITCase as a delta iteration seen while its fourth superstep runs:
// three supersteps have ended, changing 6, 3 and 2 vertices (the convergence criterion's aggregator).
func ccRunning() engine.IterationSnapshot {
	steps := []engine.SuperstepInfo{
		{Superstep: 1, Input: 9, Output: 9, Delta: 9, SolutionSet: 9, Duration: 12 * time.Millisecond, Aggregates: map[string]any{"updated": int64(6)}},
		{Superstep: 2, Input: 9, Output: 8, Delta: 8, SolutionSet: 9, Duration: 9 * time.Millisecond, Aggregates: map[string]any{"updated": int64(3)}},
		{Superstep: 3, Input: 8, Output: 3, Delta: 3, SolutionSet: 9, Duration: 8 * time.Millisecond, Aggregates: map[string]any{"updated": int64(2)}},
	}
	return engine.IterationSnapshot{Name: "connected components", Kind: engine.IterationDelta, MaxIterations: 10,
		Superstep: 4, Input: 3, Running: 1500 * time.Millisecond, State: engine.IterationRunning,
		Aggregators: []string{"updated"}, Convergence: "updated", Supersteps: steps}
}

// kmeansFinished is a bulk iteration (k-means with a termination criterion and two aggregators) that
// converged after five supersteps, its centroid movement falling below the threshold.
func kmeansFinished() engine.IterationSnapshot {
	var steps []engine.SuperstepInfo
	for i, m := range []float64{4.5, 1.25, 0.3125, 0.078125, 0.01953125} {
		steps = append(steps, engine.SuperstepInfo{Superstep: i + 1, Input: 2, Output: 2, Criterion: 2, Duration: time.Duration(20+i) * time.Millisecond,
			Aggregates: map[string]any{"movement": m, "points": int64(6)}})
	}
	return engine.IterationSnapshot{Name: "kmeans", Kind: engine.IterationBulk, MaxIterations: 20, Superstep: 5, Input: 2,
		State: engine.IterationFinished, Ended: engine.EndedConvergence, Aggregators: []string{"movement", "points"},
		Convergence: "movement", Termination: true, Supersteps: steps}
}

// goldenInEachLang draws a view 80 cells wide in English and Korean, checks that every line is 80 cells, and
// compares the drawing (without styles) with the subtest's golden file.
func goldenInEachLang(t *testing.T, draw func(lang i18n.Lang) string) {
	t.Helper()
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			s := draw(lang)
			for _, l := range strings.Split(s, "\n") {
				if w := ansi.StringWidth(l); w != 80 {
					t.Fatalf("line %q is %d cells, want 80", ansi.Strip(l), w)
				}
			}
			golden.RequireEqual(t, []byte(ansi.Strip(s)))
		})
	}
}

func stripLines(s string) []string {
	var out []string
	for _, l := range strings.Split(ansi.Strip(s), "\n") {
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

// The iteration view of a running delta iteration: superstep 4 of 10 runs on a workset of 3; the workset,
// the solution set and the convergence aggregator (marked ◎) have a sparkline over the three supersteps that
// ended, and the table lists them and the running one.
func TestIterationViewRunningDelta(t *testing.T) {
	goldenInEachLang(t, func(lang i18n.Lang) string { return Iteration(ccRunning(), 80, 12, lang) })
	got := strings.Join(stripLines(Iteration(ccRunning(), 80, 12, i18n.EN)), "\n")
	want := strings.Join([]string{
		"Iteration connected components delta · superstep 4 of 10 · running 1.5s",
		" ████████░░░░░░░░░░░░░░░░░░ 3/10",
		" workset      3 " + strings.Repeat(" ", 60) + "█▇▃",
		" solution set 9 " + strings.Repeat(" ", 60) + "███",
		" ◎ updated    2 " + strings.Repeat(" ", 60) + "█▅▃",
		" #  in  out  Δ  solution set  time  updated",
		" 1   9    9  9             9  12ms        6",
		" 2   9    8  8             9   9ms        3",
		" 3   8    3  3             9   8ms        2",
		" 4   3  ▶ running",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// A finished bulk iteration says why it ended (its convergence criterion, on the centroids' movement), shows
// its termination criterion's column, formats floating-point aggregates to four figures, and keeps only the
// newest supersteps when the table does not fit.
func TestIterationViewFinishedBulk(t *testing.T) {
	s := Iteration(kmeansFinished(), 70, 9, i18n.EN)
	golden.RequireEqual(t, []byte(ansi.Strip(s)))
	ls := stripLines(s)
	if ls[2] != " ended: converged on movement after 5 supersteps" {
		t.Fatalf("end line %q", ls[2])
	}
	if ls[6] != " #  in  out  criterion  time  movement  points" || ls[7] != " 4   2    2          2  23ms   0.07812       6" || ls[8] != " 5   2    2          2  24ms   0.01953       6" {
		t.Fatalf("table, newest two rows:\n%s", strings.Join(ls[6:], "\n"))
	}
}

// A failed iteration shows its error; a History whose job is no superstep's has no iteration, and the
// dashboard of a superstep's job shows the iteration beside the job graph.
func TestIterationInDashboard(t *testing.T) {
	failed := ccRunning()
	failed.State, failed.Err = engine.IterationFailed, "engine: iteration failed: connected components, superstep 4: boom"
	if ls := stripLines(Iteration(failed, 90, 4, i18n.EN)); !strings.HasSuffix(ls[0], "· failed") || ls[2] != " "+failed.Err {
		t.Fatalf("failed view:\n%s", strings.Join(ls, "\n"))
	}
	h := NewHistory(0, 0)
	h.Add(engine.JobSnapshot{Name: "connected components, superstep 4", Status: engine.JobRunning}, nil)
	if _, ok := h.Iteration(); ok || strings.Contains(Dashboard(h, 120, 30, i18n.EN), "Iteration") {
		t.Fatal("a job that is no superstep's shows no iteration")
	}
	h.SetIteration(ccRunning())
	d := ansi.Strip(Dashboard(h, 120, 30, i18n.EN))
	ls := strings.Split(d, "\n")
	if len(ls) != 30 || !strings.HasPrefix(ls[0], "Iteration connected components") || !strings.Contains(ls[0], "Job graph connected components, superstep 4") {
		t.Fatalf("dashboard:\n%s", d)
	}
}
