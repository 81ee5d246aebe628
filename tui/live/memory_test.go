package live

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// The memory view shows each TaskManager's managed memory against its budget (with the peak), its network
// buffers in flight against its credits, its heap and Pebble state, and its spills; the title's sparkline is
// the managed memory in use over time.
func TestMemoryShowsEachTaskManager(t *testing.T) {
	h := NewHistory(0, 0)
	snap := func(used int64) engine.JobSnapshot {
		return engine.JobSnapshot{Name: "sort", Status: engine.JobRunning, Memory: []engine.MemorySnapshot{
			{TaskManager: 1, ManagedUsed: used, ManagedPeak: 48 << 20, ManagedBudget: 64 << 20, NetworkBuffersUsed: 3,
				NetworkBuffersTotal: 32, HeapStateBytes: 12 << 10, Spills: 17, SpilledBytes: 19 << 20},
			{TaskManager: 2, ManagedBudget: 64 << 20, NetworkBuffersTotal: 32, PebbleStateBytes: 5 << 20},
		}}
	}
	for _, used := range []int64{0, 16 << 20, 32 << 20} {
		h.Add(snap(used), nil)
	}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			s := ansi.Strip(Memory(h, 100, 6, lang))
			lines := strings.Split(s, "\n")
			if len(lines) != 5 {
				t.Fatalf("want a title and two lines per TaskManager, got:\n%s", s)
			}
			if lang == i18n.EN {
				for i, want := range []string{
					" TM 1  managed █████░░░░░ 32.0 MiB / 64.0 MiB peak 48.0 MiB",
					"      network buffers 3/32  heap state ≈12.0 KiB  Pebble 0 B  spilled 17 runs, 19.0 MiB",
					" TM 2  managed ░░░░░░░░░░ 0 B / 64.0 MiB peak 0 B",
					"      network buffers 0/32  heap state ≈0 B  Pebble 5.0 MiB  spilled 0",
				} {
					if got := strings.TrimRight(lines[i+1], " "); got != want {
						t.Errorf("line %d:\n got %q\nwant %q", i+2, got, want)
					}
				}
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

// Before any TaskManager reports, the view says so.
func TestMemoryWithoutTaskManagers(t *testing.T) {
	h := NewHistory(0, 0)
	h.Add(engine.JobSnapshot{Name: "x"}, nil)
	if s := ansi.Strip(Memory(h, 60, 3, i18n.EN)); !strings.Contains(s, "no TaskManager yet") {
		t.Fatalf("got:\n%s", s)
	}
}
