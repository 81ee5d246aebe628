package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
	"github.com/de4e/weir/tui/i18n"
)

// sorterHistory runs lesson 4's stream sorter on the recording sorter (event times 4 2 7 11 9 15 12 13 17 14
// 21 24 22 19 23 s, one a second, replayed on its arrival times) with a watermark of bound 1 s after every
// record, and returns a History of the finished job's snapshot.
func sorterHistory(t *testing.T) *History {
	t.Helper()
	rec, err := sources.FindRecording("sorter")
	if err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, DeterministicTime: true})
	wm := engine.ForBoundedOutOfOrderness(time.Second).WithPerRecordEmission()
	env.FromSource(rec.Replay(nil), &wm, "sorter").
		KeyBy(func(any) any { return "all" }).
		Process(engine.ProcessFunction{ProcessElement: func(*engine.Context, any, engine.Collector) {}}).Name("Sort").
		Collect()
	job, err := env.ExecuteAsync("stream sorter")
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	h := NewHistory(0, 0)
	h.Add(job.Snapshot(), nil)
	return h
}

// marks reads a timeline's record marks column by column, left to right (• on time, × late).
func marks(plot []string) string {
	var out []rune
	cols := 0
	for _, l := range plot {
		cols = max(cols, len([]rune(l)))
	}
	for c := range cols {
		for _, l := range plot {
			if r := []rune(l); c < len(r) && (r[c] == tlOnTime || r[c] == tlLate) {
				out = append(out, r[c])
			}
		}
	}
	return string(out)
}

// The timeline of the sorter's keyed operator, from a real run: the records in arrival order, those the
// engine found at or behind the watermark (2, 9, 12, 13, 14, 22 and 19, as lesson 4 says) drawn ×, the others
// •, each late one at or under the watermark's line in its column.
func TestTimeline(t *testing.T) {
	h := sorterHistory(t)
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			s := ansi.Strip(Timeline(h, 47, 11, lang))
			lines := strings.Split(s, "\n")
			if len(lines) != 11 {
				t.Fatalf("%d lines, want 11:\n%s", len(lines), s)
			}
			var plot []string
			for _, l := range lines {
				if strings.ContainsAny(l, "┤│") {
					plot = append(plot, l)
				}
			}
			// Arrivals 4 2 7 11 9 15 12 13 17 14 21 24 22 19 23: the late ones are the 2nd, 5th, 7th, 8th, 10th,
			// 13th and 14th.
			if got, want := marks(plot), "•×••×•××•×••××•"; got != want {
				t.Errorf("marks in arrival order %s, want %s:\n%s", got, want, s)
			}
			if head := lines[0] + lines[1]; !strings.Contains(head, "Sort") || !strings.Contains(head, "7") {
				t.Errorf("the title does not name the operator and its 7 late records: %q", head)
			}
			for c := range len([]rune(plot[0])) {
				line, late := -1, -1
				for i, l := range plot {
					switch r := []rune(l); {
					case c < len(r) && r[c] == tlWatermark:
						line = max(line, i)
					case c < len(r) && r[c] == tlLate:
						late = i
					}
				}
				if late >= 0 && line >= 0 && late < line {
					t.Errorf("column %d: a late record above the watermark's line:\n%s", c, s)
				}
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

// The timeline picks the operator with the most late records, a non-source one on a tie; with no sampled
// record (a job without event time) it says so, and a height too small for the axis and legend drops them.
func TestTimelineChoiceAndSmallHeights(t *testing.T) {
	rs := func(late ...bool) []engine.RecordSample {
		var out []engine.RecordSample
		for i, l := range late {
			out = append(out, engine.RecordSample{Timestamp: int64(i) * 1000, Arrived: int64(i) * 1000, Watermark: 500, Late: l})
		}
		return out
	}
	snap := func(src, mid, sink []engine.RecordSample) engine.JobSnapshot {
		return engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Vertices: []engine.VertexSnapshot{
			{ID: 1, Name: "src", Operators: []engine.OperatorSnapshot{{Name: "Source: s", Recent: src}}},
			{ID: 2, Name: "w", Inputs: []engine.PlanEdge{{From: 1, Partitioning: "HASH"}},
				Operators: []engine.OperatorSnapshot{{Name: "Window", Recent: mid}, {Name: "Sink", Recent: sink}}},
		}}
	}
	for _, c := range []struct {
		name           string
		src, mid, sink []engine.RecordSample
		want           string
	}{
		{"a tie goes to the first non-source", rs(true, false), rs(false, true), rs(true, false), "1 late of 2 · Window"},
		{"the most late records win", rs(true, true), rs(false, true), nil, "2 late of 2 · Source: s"},
		{"no late records", rs(false), rs(false, false), rs(false), "0 late of 2 · Window"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := NewHistory(0, 0)
			h.Add(snap(c.src, c.mid, c.sink), nil)
			if got := ansi.Strip(Timeline(h, 80, 8, i18n.EN)); !strings.Contains(got, c.want) {
				t.Errorf("want %q in:\n%s", c.want, got)
			}
		})
	}
	h := NewHistory(0, 0)
	h.Add(snap(nil, nil, nil), nil)
	if got := ansi.Strip(Timeline(h, 60, 6, i18n.EN)); !strings.Contains(got, "no record with an event time yet") || hasTimeline(h) {
		t.Errorf("no samples: %q (hasTimeline %v)", got, hasTimeline(h))
	}
	h.Add(snap(rs(false, true, false), nil, nil), nil)
	small := strings.Split(ansi.Strip(Timeline(h, 60, 4, i18n.EN)), "\n")
	if len(small) != 4 || strings.Contains(small[len(small)-1], "on time") || !strings.Contains(small[len(small)-1], "└") {
		t.Errorf("4 lines: want the title, two rows and the axis, no legend:\n%s", strings.Join(small, "\n"))
	}
}

// In the engine pane beside the notebook at 120x40 (47 x 37 cells), a windowed job with event time shows its
// records against the watermark with the legend, and its windows as a strip per key over the list; a job
// without either shows neither.
func TestDashboardShowsTimelineAndWindowStrip(t *testing.T) {
	h := NewHistory(0, 0)
	w := engine.Window{Start: 0, End: 10000}
	h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "src", Operators: []engine.OperatorSnapshot{{Name: "Source: s", Watermark: 9000}}},
		{ID: 2, Name: "win", Inputs: []engine.PlanEdge{{From: 1, Partitioning: "HASH"}},
			Operators: []engine.OperatorSnapshot{{Name: "Window", Watermark: 9000, Recent: []engine.RecordSample{
				{Timestamp: 4000, Arrived: 1000, Watermark: engine.MinWatermark},
				{Timestamp: 11000, Arrived: 2000, Watermark: 2999},
				{Timestamp: 2000, Arrived: 3000, Watermark: 9999, Late: true},
			}}}},
	}}, []engine.Event{{Seq: 1, Kind: engine.EventWindowFired, Key: "/a", Window: w, Count: 3}})
	d := ansi.Strip(Dashboard(h, 47, 37, i18n.EN))
	for _, want := range []string{"Event time against the watermark", "1 late of 3 · Window", "× late (≤ watermark)", "Windows per key", "[■■■", "fired /a"} {
		if !strings.Contains(d, want) {
			t.Errorf("no %q in the engine pane:\n%s", want, d)
		}
	}
	h = NewHistory(0, 0)
	h.Add(engine.JobSnapshot{Name: "j", Status: engine.JobRunning, Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "src", Operators: []engine.OperatorSnapshot{{Name: "Source: s"}}}}}, nil)
	if d := ansi.Strip(Dashboard(h, 47, 37, i18n.EN)); strings.Contains(d, "Event time against") || strings.Contains(d, "Windows per key") {
		t.Errorf("a job without event time or windows:\n%s", d)
	}
}
