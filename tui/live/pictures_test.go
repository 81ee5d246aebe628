package live

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// From cpBarsWidth cells, each checkpoint row ends in a bar of its duration against the longest shown, the
// alignment part apart (▒), and a bar of its size against the largest; narrower, the table alone.
func TestCheckpointBars(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Checkpoints: []engine.CheckpointStats{
		{ID: 1, Status: engine.CheckpointCompleted, Duration: 400 * time.Millisecond, AlignMax: 100 * time.Millisecond, Bytes: 2048, NewBytes: 2048},
		{ID: 2, Status: engine.CheckpointCompleted, Duration: 200 * time.Millisecond, Bytes: 1024, NewBytes: 512},
	}}, nil)
	got := strings.Split(ansi.Strip(Checkpoints(h, cpBarsWidth, 10, i18n.EN)), "\n")
	want := []string{
		" 2     COMPLETED      200ms   1.0 KiB     512 B     0µs  ██████████░░░░░░░░░░  █████░░░░░",
		" 1     COMPLETED      400ms   2.0 KiB   2.0 KiB   100ms  ▒▒▒▒▒███████████████  ██████████",
	}
	if len(got) < 5 || strings.TrimRight(got[3], " ") != want[0] || strings.TrimRight(got[4], " ") != want[1] {
		t.Errorf("checkpoint bars:\n%s\nwant rows:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(got[2], "▒ aligning barriers, █ the rest") {
		t.Errorf("no legend: %q", got[2])
	}
	for _, l := range strings.Split(ansi.Strip(Checkpoints(h, cpBarsWidth-1, 10, i18n.EN)), "\n") {
		if strings.ContainsAny(l, "▒█") {
			t.Errorf("bars below %d cells: %q", cpBarsWidth, l)
		}
	}
}

// Under each vertex of the job graph, its records per second and its backpressure over the History as
// sparklines with the latest values (backpressure scaled to 1, not to its own maximum), graphSpark cells wide
// when the pane has room and shorter when it has not: at 47 cells, the engine pane's width in a 120-column
// terminal beside the notebook (golden, en and ko), they are 5 cells; below graphSparkMin, the vertex line
// alone.
func TestGraphSparklines(t *testing.T) {
	h := NewHistory(0, 0)
	for i, r := range []float64{100, 200, 400, 200} {
		h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Vertices: []engine.VertexSnapshot{
			{ID: 1, Name: "src", Parallelism: 1, Operators: []engine.OperatorSnapshot{{Name: "src", RateOut: r}},
				Subtasks: []engine.SubtaskSnapshot{{Backpressure: 0.25 * float64(i)}}},
		}}, nil)
	}
	for _, c := range []struct {
		width int
		want  string
	}{
		{100, "   rec/s         ▃▅█▅   200 · backpressure         ▁▃▅▆  75%"},
		{64, "   rec/s         ▃▅█▅   200 · backpressure         ▁▃▅▆  75%"},
		{47, "   rec/s  ▃▅█▅   200 · backpressure  ▁▃▅▆  75%"},
		{44, "   rec/s ▃▅█▅   200 · backpressure ▁▃▅▆  75%"},
	} {
		got := strings.Split(ansi.Strip(Graph(h, c.width, 6, i18n.EN)), "\n")
		line := ""
		for _, l := range got {
			if strings.Contains(l, "rec/s") {
				line = strings.TrimRight(l, " ")
			}
		}
		if line != c.want {
			t.Errorf("graph sparklines at %d cells:\n%s\nwant the line:\n%s", c.width, strings.Join(got, "\n"), c.want)
		}
	}
	if g := ansi.Strip(Graph(h, 43, 6, i18n.EN)); strings.Contains(g, "rec/s") {
		t.Errorf("sparklines narrower than %d cells at 43:\n%s", graphSparkMin, g)
	}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			g := ansi.Strip(Graph(h, 47, 6, lang))
			for _, l := range strings.Split(g, "\n") {
				if w := lipgloss.Width(l); w > 47 {
					t.Errorf("a line of %d cells at 47: %q", w, l)
				}
			}
			golden.RequireEqual(t, []byte(g))
		})
	}
}

// WindowStrip draws a row per key over event time: fired windows filled from their start [, a late
// firing's end ▲, a purge's end ×, and the open windows on a row of their own.
func TestWindowStrip(t *testing.T) {
	h := NewHistory(0, 0)
	w := func(s, e int64) engine.Window { return engine.Window{Start: s, End: e} }
	h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Vertices: []engine.VertexSnapshot{{ID: 1, Name: "win",
		Subtasks: []engine.SubtaskSnapshot{{Windows: []engine.WindowInfo{{Start: 20000, End: 30000, Keys: 2, Elements: 5}}}}}}},
		[]engine.Event{
			{Seq: 1, Kind: engine.EventWindowFired, Key: "/a", Window: w(0, 10000), Count: 1},
			{Seq: 2, Kind: engine.EventWindowFired, Key: "/b", Window: w(10000, 20000), Count: 1},
			{Seq: 3, Kind: engine.EventWindowLateFired, Key: "/a", Window: w(0, 10000), Count: 1},
			{Seq: 4, Kind: engine.EventWindowPurged, Key: "/b", Window: w(10000, 20000)},
		})
	got := ansi.Strip(WindowStrip(h, 40, 8, i18n.EN))
	want := strings.Join([]string{
		"Windows per key, over event time        ",
		"      0.0s                        30.0s ",
		" /a   [■■■■■■■■■▲······················ ",
		" /b   ···········[■■■■■■■■■×··········· ",
		" open ······················[□□□□□□□□□□ ",
		" ■ fired  □ open  ▲ fired again late  ×…",
	}, "\n")
	if got != want {
		t.Errorf("window strip:\n%s\nwant:\n%s", got, want)
	}
}
