package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// The engine pane's defects of issue 19 (defect 10): a single watermark lane's bar was always full, a fast
// job showed 0 rec/s (its rate between the last two polls), event time and the processing-time "now" were
// not told apart, and the job's key facts were cut at the pane's width.
func TestEnginePaneFacts(t *testing.T) {
	h := NewHistory(8, 8)
	lane := func(wm int64, procTime int64, out int64, up time.Duration) engine.JobSnapshot {
		return engine.JobSnapshot{Name: "clicks per page", Status: engine.JobFinished, Uptime: up, ProcTime: procTime,
			Vertices: []engine.VertexSnapshot{
				{ID: 1, Name: "src", Operators: []engine.OperatorSnapshot{{Name: "Source: clicks", Watermark: wm, RecordsOut: out}}},
				{ID: 2, Name: "sink", Inputs: []engine.PlanEdge{{From: 1, Partitioning: "FORWARD"}},
					Operators: []engine.OperatorSnapshot{{Name: "Sink", Watermark: wm, RecordsIn: out}}},
			}}
	}
	h.Add(lane(1000, 1000, 0, 0), nil)
	h.Add(lane(3000, 5000, 5000, 2*time.Second), nil) // rates are 0: the job ended between polls

	// One lane halfway through the run's event time: its bar is half full, not full.
	wm := ansi.Strip(Watermarks(h, 60, 4, i18n.EN))
	lines := strings.Split(wm, "\n")
	if !strings.Contains(lines[0], "event time") || !strings.Contains(lines[0], "processing time now") {
		t.Errorf("the watermark title does not tell event time from processing time:\n%s", wm)
	}
	// The run's first watermark was 1000, the lane is at 3000 and processing time at 5000: half the bar is
	// the watermark's progress, half its lag behind processing time.
	if full, empty := strings.Count(lines[1], "━"), strings.Count(lines[1], "·"); full == 0 || empty == 0 || full < empty-2 || full > empty+2 {
		t.Errorf("a lane halfway between the run's first watermark and processing time: want a half-full bar, got %q", lines[1])
	}

	tp := ansi.Strip(Throughput(h, 60, 4, i18n.EN))
	if !strings.Contains(tp, "avg 2.5k") {
		t.Errorf("a fast job's throughput: want its average over the run (5000 records in 2s), got:\n%s", tp)
	}

	g := ansi.Strip(Graph(h, 40, 6, i18n.EN))
	if !strings.Contains(g, "uptime 2.0s") || strings.Contains(g, "…") {
		t.Errorf("the graph's key facts are cut at 40 cells:\n%s", g)
	}
}
