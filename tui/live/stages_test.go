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

// batchSnapshot is a Batch job of three stages: the source finished, the keyed count running its second
// attempt (its first failed), the final reduce waiting for it.
func batchSnapshot() engine.JobSnapshot {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	return engine.JobSnapshot{Name: "batch", Status: engine.JobRunning, Restarts: 1, Time: t0.Add(3 * time.Second),
		Vertices: []engine.VertexSnapshot{
			{ID: 1, Name: "Source: words", Parallelism: 1},
			{ID: 2, Name: "KeyedProcess -> Collect", Parallelism: 4, Inputs: []engine.PlanEdge{{From: 1, Partitioning: "HASH"}}},
			{ID: 3, Name: "Reduce -> Collect", Parallelism: 4, Inputs: []engine.PlanEdge{{From: 2, Partitioning: "HASH"}}},
		},
		Stages: []engine.StageSnapshot{
			{ID: 1, Vertices: []int{1}, VertexNames: []string{"Source: words"}, State: engine.StageFinished, Attempts: 1,
				RecordsIn: 40000, RecordsOut: 40000, Started: t0, Finished: t0.Add(1200 * time.Millisecond)},
			{ID: 2, Vertices: []int{2}, VertexNames: []string{"KeyedProcess -> Collect"}, Inputs: []int{1}, State: engine.StageRunning,
				Attempts: 2, RecordsIn: 12000, RecordsOut: 3, Started: t0.Add(2500 * time.Millisecond)},
			{ID: 3, Vertices: []int{3}, VertexNames: []string{"Reduce -> Collect"}, Inputs: []int{2}, State: engine.StageWaiting},
		}}
}

// The stages pane lists every stage in the order they run with its state, attempts (a restarted stage's
// in colour), records read and written and how long it ran, and what a waiting stage waits for.
func TestStagesPane(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(batchSnapshot(), nil)
	for _, c := range []struct {
		lang  i18n.Lang
		lines []string
	}{
		{i18n.EN, []string{
			"Stages 1 finished · 1 running · 1 waiting",
			" ✓ 1 [1] Source: words                finished  attempt 1  in 40k  out 40k  1.2s",
			" ▶ 2 [2] KeyedProcess -> Collect      running   attempt 2  in 12k  out 3  500ms",
			" · 3 [3] Reduce -> Collect            waiting   reads 2",
		}},
		{i18n.KO, nil},
	} {
		t.Run(c.lang.String(), func(t *testing.T) {
			s := ansi.Strip(Stages(h, 100, 6, c.lang))
			var got []string
			for _, l := range strings.Split(s, "\n") {
				got = append(got, strings.TrimRight(l, " "))
			}
			if c.lines != nil && strings.Join(got, "\n") != strings.Join(c.lines, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.lines, "\n"))
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

// A Batch job's dashboard shows its stages where a streaming job's shows its watermarks.
func TestDashboardShowsStagesForBatch(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(batchSnapshot(), nil)
	d := ansi.Strip(Dashboard(h, 120, 30, i18n.EN))
	if !strings.Contains(d, "Stages 1 finished") || strings.Contains(d, "Watermarks") {
		t.Fatalf("a Batch dashboard should show the stages pane instead of watermarks:\n%s", d)
	}
	streaming := batchSnapshot()
	streaming.Stages = nil
	h = NewHistory(0, 0)
	h.Add(streaming, nil)
	d = ansi.Strip(Dashboard(h, 120, 30, i18n.EN))
	if strings.Contains(d, "Stages") || !strings.Contains(d, "Watermarks") {
		t.Fatalf("a streaming dashboard should show watermarks:\n%s", d)
	}
}
