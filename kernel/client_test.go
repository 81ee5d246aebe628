package kernel

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

func TestMain(m *testing.M) {
	MainIfKernel() // the clients below start this test binary as their kernel
	os.Exit(m.Run())
}

// startClient starts a kernel process for a test and closes it when the test ends.
func startClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// runCell runs a cell and waits for it (a minute at most).
func runCell(t *testing.T, c *Client, id, src string) interp.CellRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := c.StartCell(ctx, interp.Cell{ID: id, Source: src})
	if err != nil {
		t.Fatalf("cell %s: %v", id, err)
	}
	<-r.Done()
	return r
}

// Before the kernel had its own process, each of these cells ended the host process (the test binary): a
// panic in a goroutine is not recovered by anyone, a recursion without end is a fatal stack overflow, and a
// heap past the memory limit was not watched. Now the kernel process dies, the cell fails saying why, and
// the next cell runs in a new kernel that has forgotten what the cells declared.
func TestAKernelThatDiesUnderACellIsRestartedAndSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64
		cells []string // run in order; the last one kills the kernel
		want  []string // in the crash message
		line  int      // the line the crash is placed at (0: unknown)
	}{
		{name: "panic in a goroutine", cells: []string{"x := 41", "done := make(chan int)\ngo func() {\n\tpanic(\"boom\")\n}()\n<-done"},
			want: []string{"the kernel died: panic: boom (cell c1, line 3:", "what the cells declared is lost"}, line: 3},
		{name: "recursion without end", cells: []string{"x := 41", "func down(n int) int { return down(n+1) + 1 }", "down(0)"},
			want: []string{"the kernel died: stack overflow"}},
		{name: "memory limit", limit: 256 << 20, cells: []string{"x := 41", "var keep [][]byte\nfor i := 0; i < 400; i++ {\n\tkeep = append(keep, make([]byte, 4<<20))\n}"},
			want: []string{"the kernel died: memory limit exceeded: the heap holds", "over the limit of 256 MiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startClient(t, Options{MemoryLimit: tc.limit})
			var last interp.CellRun
			for i, src := range tc.cells {
				last = runCell(t, c, "c"+string(rune('0'+i)), src)
				if i < len(tc.cells)-1 && last.Err() != nil {
					t.Fatalf("cell %d: %v", i, last.Err())
				}
			}
			var ce *interp.CellError
			if !errors.As(last.Err(), &ce) || ce.Kind != "crash" {
				t.Fatalf("the cell ended with %v, want a crash", last.Err())
			}
			for _, w := range tc.want {
				if !strings.Contains(ce.Msg, w) {
					t.Errorf("the crash says %q, want %q in it", ce.Msg, w)
				}
			}
			if ce.Cell != last.CellID() || ce.Line != tc.line {
				t.Errorf("the crash is placed at cell %s line %d, want %s line %d", ce.Cell, ce.Line, last.CellID(), tc.line)
			}
			if n, reason := c.Died(); n != 1 || reason == nil || !strings.Contains(ce.Msg, reason.Error()) {
				t.Errorf("Died() = %d, %q; want 1 and the crash's reason", n, reason)
			}
			if r := runCell(t, c, "after", "x"); r.Err() == nil || !strings.Contains(r.Err().Error(), "undefined: x") {
				t.Errorf("after the restart x is still declared: %v %q", r.Err(), r.Value())
			}
			if r := runCell(t, c, "next", "y := 6 * 7\ny"); r.Err() != nil || r.Value() != "42" {
				t.Errorf("the next cell gives %q, %v; want 42", r.Value(), r.Err())
			}
		})
	}
}

// A kernel that dies by itself before any cell ran (here: a memory limit below what it needs to load) is not
// restarted in a loop: the cell sent to it fails saying why, and so does each next one, once.
func TestAKernelThatCannotLiveIsNotRestartedInALoop(t *testing.T) {
	c := startClient(t, Options{MemoryLimit: 1 << 20})
	for i := range 2 {
		r, err := c.StartCell(context.Background(), interp.Cell{ID: "c", Source: "1"})
		if err == nil {
			<-r.Done()
			err = r.Err()
		}
		if err == nil || !strings.Contains(err.Error(), "memory limit exceeded") || !strings.Contains(err.Error(), "over the limit of 1 MiB") {
			t.Errorf("run %d: %v, want the memory limit", i, err)
		}
	}
	settled := func() bool { // the kernel that died idle was not started again
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.proc == nil
	}
	deadline := time.Now().Add(time.Minute)
	for !settled() {
		if time.Now().After(deadline) {
			n, _ := c.Died()
			t.Fatalf("the kernel is restarted by itself: %d deaths so far", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Each run's kernel dies and one more is started after it, which dies without running anything; the second
	// run may be sent to that one before it has died (3) or start a kernel of its own (4).
	if n, _ := c.Died(); n != 3 && n != 4 {
		t.Errorf("the kernel died %d times, want 3 or 4", n)
	}
}

// A check's failures count towards interp.RevealAfter across kernel processes: restarting the kernel (or
// its death) does not hide the answer again.
func TestCheckFailuresCountAcrossRestarts(t *testing.T) {
	c := startClient(t, Options{})
	for i := 1; i <= interp.RevealAfter; i++ {
		r, err := c.StartCell(context.Background(), interp.Cell{ID: "chk", Source: `check.Equal("the total", 2000, 5000)`, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		<-r.Done()
		checks := c.Checks()
		if len(checks) != 1 || checks[0].OK {
			t.Fatalf("try %d: checks %+v", i, checks)
		}
		if revealed := strings.Contains(checks[0].Detail, "the expected value is 5000"); revealed != (i == interp.RevealAfter) {
			t.Errorf("try %d: %q; the answer should show from try %d on", i, checks[0].Detail, interp.RevealAfter)
		}
		c.Restart()
	}
}

// A kernel killed by a signal (the system's OOM killer sends SIGKILL) says so: the running cell fails with
// the signal's name, and the next cell runs in a new kernel.
func TestAKernelKilledByASignalSaysSo(t *testing.T) {
	c := startClient(t, Options{})
	runCell(t, c, "decl", "x := 41")
	r, err := c.StartCell(context.Background(), interp.Cell{ID: "wait", Source: "for { time.Sleep(time.Millisecond) }"})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	proc := c.proc.cmd.Process
	c.mu.Unlock()
	if err := proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	var ce *interp.CellError
	if !errors.As(r.Err(), &ce) || ce.Kind != "crash" || !strings.HasPrefix(ce.Msg, "the kernel died: killed by signal killed; it was restarted") {
		t.Errorf("the cell ended with %v, want the kernel killed by SIGKILL", r.Err())
	}
	if n, why := c.Died(); n != 1 || why == nil || why.Error() != "killed by signal killed" {
		t.Errorf("Died() = %d, %v", n, why)
	}
	if r := runCell(t, c, "next", "y := 6 * 7\ny"); r.Err() != nil || r.Value() != "42" {
		t.Errorf("the next cell gives %q, %v; want 42", r.Value(), r.Err())
	}
}
