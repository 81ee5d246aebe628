package engine

import (
	"strings"
	"testing"
	"time"
)

// mustPanic runs f and returns its panic message, failing the test if it does not panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("did not panic")
		}
		msg, _ = r.(string)
	}()
	f()
	return ""
}

// Flink refuses these strategies when they are built: WatermarksWithIdleness checks
// "idleTimeout must be greater than zero", BoundedOutOfOrdernessWatermarks "maxOutOfOrderness cannot be
// negative". A zero bound (ForMonotonousTimestamps) is fine.
func TestWatermarkStrategyRefusesBadArguments(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if msg := mustPanic(t, func() { ForMonotonousTimestamps().WithIdleness(d) }); !strings.Contains(msg, "WithIdleness: timeout must be greater than zero") {
			t.Errorf("WithIdleness(%v): %q", d, msg)
		}
	}
	if msg := mustPanic(t, func() { ForBoundedOutOfOrderness(-time.Millisecond) }); !strings.Contains(msg, "bound (maxOutOfOrderness) cannot be negative") {
		t.Errorf("ForBoundedOutOfOrderness(-1ms): %q", msg)
	}
	s := ForBoundedOutOfOrderness(0).WithIdleness(time.Millisecond)
	if s.String() != "BoundedOutOfOrderness(0s), idle after 1ms" {
		t.Errorf("valid strategy: %s", s)
	}
}
