package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// waitFor ticks the model until cond holds (or a minute passes).
func waitFor(t *testing.T, m *Model, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		m.Update(tickMsg(time.Now()))
		time.Sleep(5 * time.Millisecond)
	}
}

// Running a cell while another runs used to be refused with "interp: a cell is already running". It is
// queued, shown as queued, and runs when the running cell ends; a failure drops the rest of the queue, as
// Jupyter's stop on error does.
func TestCellsRunWhileAnotherRunsAreQueued(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	src := "# Q\n```go\ndone := make(chan bool)\n```\n```go\n<-done\n```\n```go\nx := 41\n```\n```go\nx++\n```\n"
	os.WriteFile(path, []byte(src), 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	cells := m.nb.cells()
	id := func(i int) string { return cells[i].Meta.ID }
	status := func(i int) interp.Status { return m.nb.session.State(id(i)).Status }
	// channel looks the gate up while no cell runs (the interpreter is not safe to use meanwhile).
	channel := func() chan bool {
		v, err := m.nb.session.Kernel.Lookup("done")
		if err != nil {
			t.Fatal(err)
		}
		return v.(chan bool)
	}
	m.nb.sel = 0
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return status(0) == interp.Done })
	gate := channel()

	m.nb.sel = 1 // blocks until done is closed
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return status(1) == interp.Running })
	for _, i := range []int{2, 3} {
		m.nb.sel = i
		press(m, "ctrl+r")
		if !strings.Contains(m.status, "queued") {
			t.Fatalf("running cell %d while another ran: %q", i, m.status)
		}
	}
	if !m.nb.queued(id(2)) || !m.nb.queued(id(3)) || !strings.Contains(screenText(m), "queued") {
		t.Fatalf("the queued cells are not shown as queued:\n%s", screenText(m))
	}
	// The running cell ends: the queue runs in order.
	close(gate)
	waitFor(t, m, func() bool { return status(3) == interp.Done })
	if v, _ := m.nb.session.Kernel.Lookup("x"); v != 42 {
		t.Errorf("x = %v after the queue ran, want 42", v)
	}

	// A failure drops what is queued behind it.
	m.nb.sel = 0
	press(m, "ctrl+r") // a new, open channel
	waitFor(t, m, func() bool { return !m.nb.session.Runner().Running() })
	gate = channel()
	cells[1].Text = "<-done\npanic(\"boom\")\n"
	m.nb.sel = 1
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return status(1) == interp.Running })
	before := []int{m.nb.session.State(id(2)).Count, m.nb.session.State(id(3)).Count}
	for _, i := range []int{2, 3} {
		m.nb.sel = i
		press(m, "ctrl+r")
	}
	close(gate)
	waitFor(t, m, func() bool { return len(m.nb.queue) == 0 && status(1) == interp.Failed })
	if after := []int{m.nb.session.State(id(2)).Count, m.nb.session.State(id(3)).Count}; after[0] != before[0] || after[1] != before[1] {
		t.Errorf("queued cells ran after a failure: counts %v, then %v", before, after)
	}
	if !strings.Contains(m.status, "did not run") {
		t.Errorf("status %q: want the dropped queue named", m.status)
	}
}

// R ran the notebook in a goroutine of its own, which read the cells while the learner inserted and edited
// them (a data race under -race). It queues the cells like any other run: they run in order, a failure
// stops the rest, and inserting cells meanwhile is safe.
func TestRunAllQueuesTheCellsAndStopsAtAFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	src := "# R\n```go\nx := 1\n```\n```go\nx++\n```\n```go\npanic(\"stop\")\n```\n```go\nx = 100\n```\n"
	os.WriteFile(path, []byte(src), 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "R")
	press(m, "b", "a") // insert cells while the notebook runs
	m.nb.cells()[1].Text = "// edited while running\n"
	waitFor(t, m, func() bool { return len(m.nb.queue) == 0 && !m.nb.session.Runner().Running() })
	if v, _ := m.nb.session.Kernel.Lookup("x"); v != 2 {
		t.Errorf("x = %v after run all, want 2 (the cells after the failure do not run)", v)
	}
	if !strings.Contains(m.status, "did not run") {
		t.Errorf("status %q: want the cells the failure stopped named", m.status)
	}
}
