package live

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// alignedSnapshot is two sources in alignment group "g" (max drift 2s) and a window operator after their
// union: subtask 0 of "fast" is paused at 12:00:05 while the group allows 12:00:03; its subtask 1 and "slow"
// read.
func alignedSnapshot() engine.JobSnapshot {
	at := func(s string) int64 {
		t, err := time.Parse("15:04:05", s)
		if err != nil {
			panic(err)
		}
		return time.Date(2026, 1, 1, t.Hour(), t.Minute(), t.Second(), 0, time.UTC).UnixMilli()
	}
	align := func(wm, allowed int64, paused bool) *engine.AlignmentSnapshot {
		return &engine.AlignmentSnapshot{Group: "g", MaxDrift: 2 * time.Second, Watermark: wm, MaxAllowed: allowed, Paused: paused}
	}
	return engine.JobSnapshot{Name: "aligned", Status: engine.JobRunning, ProcTime: at("12:00:10"),
		Vertices: []engine.VertexSnapshot{
			{ID: 1, Name: "Source: fast", Parallelism: 2,
				Operators: []engine.OperatorSnapshot{{Name: "Source: fast", Watermark: at("12:00:02")}},
				Subtasks: []engine.SubtaskSnapshot{
					{Index: 0, Alignment: align(at("12:00:05"), at("12:00:03"), true)},
					{Index: 1, Alignment: align(at("12:00:02"), at("12:00:03"), false)},
				}},
			{ID: 2, Name: "Source: slow", Parallelism: 1,
				Operators: []engine.OperatorSnapshot{{Name: "Source: slow", Watermark: at("12:00:01")}},
				Subtasks:  []engine.SubtaskSnapshot{{Index: 0, Alignment: align(at("12:00:01"), at("12:00:03"), false)}}},
			{ID: 3, Name: "Window", Parallelism: 1,
				Operators: []engine.OperatorSnapshot{{Name: "Window", Watermark: at("12:00:01")}},
				Subtasks:  []engine.SubtaskSnapshot{{Index: 0}}},
		}}
}

// The watermark view shows each source subtask that alignment pauses under its source's lane, with its
// watermark and the group's maximum allowed watermark, and nothing for those that read.
func TestWatermarksShowPausedSplits(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(alignedSnapshot(), nil)
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.EN, "⏸ 1.0 paused (aligned in g: wm 12:00:05.0 > allowed 12:00:03.0)"},
		{i18n.KO, "⏸ 1.0 일시 정지 (정렬 그룹 g: wm 12:00:05.0 > 허용 12:00:03.0)"},
	} {
		t.Run(c.lang.String(), func(t *testing.T) {
			s := ansi.Strip(Watermarks(h, 100, 8, c.lang))
			lines := strings.Split(s, "\n")
			if len(lines) != 5 || strings.TrimSpace(lines[2]) != c.want {
				t.Fatalf("want the paused split under fast's lane (line 3) as %q, got:\n%s", c.want, s)
			}
			if strings.Count(s, "⏸") != 1 {
				t.Fatalf("only subtask 1.0 is paused, got:\n%s", s)
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

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
		"Watermarks event time; processing time now 5.0s",
		" Source: clicks    %s wm 3.0s idle 1/2",
		" Window            %s wm 3.0s idle in 1/2",
		" Map               ▶%s wm 2.0s -1.0s",
		" Source: quiet     %s no watermark yet idle",
	}
	// The bars run from the lowest watermark (2.0s) to processing time now (5.0s): the lanes at 3.0s fill a
	// third of theirs, the rest is their lag.
	want[1] = fmt.Sprintf(want[1], strings.Repeat("━", 19)+"▶"+strings.Repeat("·", 39))
	want[2] = fmt.Sprintf(want[2], strings.Repeat("━", 19)+"▶"+strings.Repeat("·", 39))
	want[3] = fmt.Sprintf(want[3], strings.Repeat("·", 58))
	want[4] = fmt.Sprintf(want[4], strings.Repeat("·", 59))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
