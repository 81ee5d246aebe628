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
