package live

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// The watermark lanes show idleness (Flink's WatermarkStatus): the source's second subtask is idle, so its
// lane says "idle 1/2"; the window's input channel from it is idle ("idle in 1/2"), which is why the window
// follows the active subtask's watermark; a lane with no watermark yet still shows an idle output.
func TestWatermarkLanesShowIdleness(t *testing.T) {
	h := NewHistory(4, 4)
	h.Add(engine.JobSnapshot{ProcTime: 5000, Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "src", Operators: []engine.OperatorSnapshot{{Name: "Source: clicks", Watermark: 3000}},
			Subtasks: []engine.SubtaskSnapshot{{Index: 0}, {Index: 1, OutputIdle: true}}},
		{ID: 2, Name: "win", Operators: []engine.OperatorSnapshot{{Name: "Window", Watermark: 3000}, {Name: "Map", Watermark: 2000}},
			Subtasks: []engine.SubtaskSnapshot{{Index: 0, IdleInputs: []bool{false, true}}}},
		{ID: 3, Name: "quiet", Operators: []engine.OperatorSnapshot{{Name: "Source: quiet", Watermark: math.MinInt64}},
			Subtasks: []engine.SubtaskSnapshot{{Index: 0, OutputIdle: true}}},
	}}, nil)
	var got []string
	for _, l := range strings.Split(ansi.Strip(Watermarks(h, 100, 6, i18n.EN)), "\n") {
		got = append(got, strings.TrimRight(l, " "))
	}
	// width 100: names take 18 cells, the longest value ("no watermark yet idle") 21, so bars are 59 cells.
	want := []string{
		"Watermarks now 5.0s",
		" Source: clicks    %s▶ wm 3.0s idle 1/2",
		" Window            %s▶ wm 3.0s idle in 1/2",
		" Map               ▶%s wm 2.0s -1.0s",
		" Source: quiet     %s no watermark yet idle",
	}
	want[1] = fmt.Sprintf(want[1], strings.Repeat("━", 58))
	want[2] = fmt.Sprintf(want[2], strings.Repeat("━", 58))
	want[3] = fmt.Sprintf(want[3], strings.Repeat("·", 58))
	want[4] = fmt.Sprintf(want[4], strings.Repeat("·", 59))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
