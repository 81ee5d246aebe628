package engine

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// TestMain fails the package's tests when goroutines are left behind: every job ends all of its goroutines
// (subtasks, asynchronous snapshots, timers, its run loop) by the time it is done, so once the tests have
// run the count must come back to where it started. A hand-written check rather than go.uber.org/goleak:
// the engine starts no long-lived goroutines of its own, so the count is enough, and it needs no dependency.
func TestMain(m *testing.M) {
	start := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if n, ok := goroutinesSettle(start, 5*time.Second); !ok {
			fmt.Fprintf(os.Stderr, "engine tests leaked goroutines: %d running after the tests, %d before\n", n, start)
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			code = 1
		}
	}
	os.Exit(code)
}

// goroutinesSettle waits up to d for the number of goroutines to come down to at most want (goroutines of
// a job that is done may still be returning) and reports the last count.
func goroutinesSettle(want int, d time.Duration) (int, bool) {
	deadline := time.Now().Add(d)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return n, true
		}
		if time.Now().After(deadline) {
			return n, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
