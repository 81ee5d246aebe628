package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/tui/i18n"
)

// cepSnapshot is a job with a CEP operator "logins" at parallelism 2, whose gauge publishes st, and whose
// keyed state holds 1536 + 512 bytes over its two subtasks.
func cepSnapshot(at time.Time, st cep.Stats) engine.JobSnapshot {
	return engine.JobSnapshot{Name: "cep", Status: engine.JobRunning, Time: at, Vertices: []engine.VertexSnapshot{
		{ID: 1, Name: "Source: logins", Parallelism: 1, Operators: []engine.OperatorSnapshot{{Name: "Source: logins"}},
			Subtasks: []engine.SubtaskSnapshot{{Index: 0}}},
		{ID: 2, Name: "logins", Parallelism: 2,
			Operators: []engine.OperatorSnapshot{{Name: "logins", Gauges: []engine.GaugeValue{{Name: cep.StatsGauge, Value: st}}}},
			Subtasks: []engine.SubtaskSnapshot{
				{Index: 0, State: []engine.StateSnapshot{{Operator: "logins", Name: "nfa", Bytes: 1536}}},
				{Index: 1, State: []engine.StateSnapshot{{Operator: "logins", Name: "nfa", Bytes: 512}, {Operator: "other", Bytes: 99}}},
			}},
	}}
}

// The CEP view shows the matches and timeouts with their rates between the last two snapshots (4 matches
// and 1 timeout in 2 s), the operator's keyed state, and per key (busiest first, as the Stats list them)
// the partial matches waiting in each stage, in the pattern's order, with the shared buffer's size.
func TestPatternsView(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := NewHistory(0, 0)
	h.Add(cepSnapshot(t0, cep.Stats{Matches: 10, Timeouts: 2, Stages: []string{"fail", "success"}}), nil)
	h.Add(cepSnapshot(t0.Add(2*time.Second), cep.Stats{Matches: 14, Timeouts: 3, LateEvents: 1, Stages: []string{"fail", "success"},
		Keys: []cep.KeyStats{
			{Key: "alice", PartialMatches: map[string]int{"fail": 4, "success": 2}, BufferedEvents: 5, BufferEntries: 7},
			{Key: "bob", PartialMatches: map[string]int{"success": 1}, BufferedEvents: 3, BufferEntries: 3},
		}}), nil)
	for _, c := range []struct {
		lang i18n.Lang
		head string
	}{
		{i18n.EN, "logins · matches 14 (2.0/s) · timeouts 3 (0.5/s) · late 1 · state 2.0 KiB"},
		{i18n.KO, "logins · 매치 14 (2.0/s) · 타임아웃 3 (0.5/s) · 늦은 이벤트 1 · 상태 2.0 KiB"},
	} {
		t.Run(c.lang.String(), func(t *testing.T) {
			s := ansi.Strip(Patterns(h, 80, 10, c.lang))
			lines := strings.Split(s, "\n")
			if len(lines) != 5 || strings.TrimSpace(lines[1]) != c.head {
				t.Fatalf("want 5 lines with the header %q, got:\n%s", c.head, s)
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w != 80 {
					t.Fatalf("line %q is %d cells, want 80", l, w)
				}
			}
			if !strings.Contains(lines[3], "alice") || !strings.Contains(lines[3], "▮▮▮▮▮ 4") || !strings.Contains(lines[3], "▮▮ 2") || !strings.Contains(lines[3], "5 ") ||
				!strings.Contains(lines[4], "bob") || !strings.Contains(lines[4], "· ") {
				t.Fatalf("key rows:\n%s", s)
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

// Partial matches dropped by the operator's KeyLimit show in the header, in both languages, once there are some.
func TestPatternsViewDropped(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(cepSnapshot(time.Unix(0, 0), cep.Stats{Matches: 3, Dropped: 7, Stages: []string{"large"}}), nil)
	for lang, want := range map[i18n.Lang]string{i18n.EN: "late 0 · dropped (key limit) 7 · state", i18n.KO: "늦은 이벤트 0 · 버린 부분 매치(키 한도) 7 · 상태"} {
		if s := ansi.Strip(Patterns(h, 100, 5, lang)); !strings.Contains(s, want) {
			t.Errorf("%v: want %q in\n%s", lang, want, s)
		}
	}
}

// Without a partial match waiting the view says so; with only one snapshot it gives no rate; the dashboard
// puts the CEP view where a job without CEP shows its windows.
func TestPatternsViewQuietAndDashboard(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(cepSnapshot(time.Unix(0, 0), cep.Stats{Matches: 3, Stages: []string{"large"}}), nil)
	s := ansi.Strip(Patterns(h, 80, 5, i18n.EN))
	if !strings.Contains(s, "matches 3 · timeouts 0") || !strings.Contains(s, "no partial match waiting") {
		t.Fatalf("quiet view:\n%s", s)
	}
	d := ansi.Strip(Dashboard(h, 120, 30, i18n.EN))
	if !strings.Contains(d, "Patterns (CEP)") || strings.Contains(d, "Windows") {
		t.Fatalf("dashboard of a CEP job should show Patterns instead of Windows:\n%s", d)
	}
	plain := NewHistory(0, 0)
	plain.Add(engine.JobSnapshot{Name: "plain", Vertices: []engine.VertexSnapshot{{ID: 1, Name: "map",
		Operators: []engine.OperatorSnapshot{{Name: "map", Gauges: []engine.GaugeValue{{Name: "other", Value: 1}}}}}}}, nil)
	if d := ansi.Strip(Dashboard(plain, 120, 30, i18n.EN)); strings.Contains(d, "Patterns") || !strings.Contains(d, "Windows") {
		t.Fatalf("dashboard of a job without CEP:\n%s", d)
	}
}
