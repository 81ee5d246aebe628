package engine

import (
	"fmt"
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

// Flink: WatermarksWithIdlenessTest (testInitiallyActive, testIdleWithoutEvents, testRepeatedIdleChecks,
// testActiveAfterIdleness, testIdleActiveIdle): the first check without records starts the timer, idleness
// needs strictly more than the timeout since then, and a record resets it.
func TestIdlenessTimer(t *testing.T) {
	now := int64(1_000)
	timer := idlenessTimer{timeout: 10}
	if timer.checkIfIdle(now) {
		t.Fatal("initially idle")
	}
	now += 10
	if timer.checkIfIdle(now) {
		t.Fatal("idle after exactly the timeout (Flink wants more than the timeout)")
	}
	now++
	if !timer.checkIfIdle(now) {
		t.Fatal("not idle after more than the timeout without events")
	}
	now += 100
	if !timer.checkIfIdle(now) {
		t.Fatal("repeated checks: no longer idle")
	}
	timer.activity()
	if timer.checkIfIdle(now) {
		t.Fatal("idle right after a record")
	}
	timer.checkIfIdle(now) // starts the timer again
	now += 11
	if !timer.checkIfIdle(now) {
		t.Fatal("idle, active, then not idle again")
	}
}

// A source with WithIdleness on a virtual clock becomes idle on the periodic emission that finds it idle
// for more than the timeout (the timer starts at the first emission without records), and its next record
// makes it active before the record goes downstream.
func TestSourceIdlenessTimeoutOnVirtualClock(t *testing.T) {
	clock := NewVirtualClock(0)
	h := newHarness(t, clock, func(k *KeyedStream) *DataStream { return k.Process(tsProbe("p")) })
	em := &wmEmitter{s: ForBoundedOutOfOrderness(0).WithIdleness(100 * time.Millisecond).WithEmitInterval(50 * time.Millisecond)}
	em.init(h.h.task, em.s.interval)
	var got []string
	em.emit = func(wm int64) { got = append(got, "wm "+fmtTime(wm)) }
	em.markIdle = func(idle bool) { got = append(got, fmt.Sprintf("%d idle %v", clock.NowMillis(), idle)) }
	em.observe(nil, em.assign(nil, 5))
	for at := int64(50); at <= 300; at += 50 {
		clock.Set(at)
		em.maybePeriodic()
	}
	em.assign(nil, 7)
	// 50: records since the last check, watermark 4; 100: the timer starts; 150, 200: not more than 100 ms;
	// 250: idle. The record at 300 makes the reader active again.
	if want := "wm 4 250 idle true 300 idle false"; strings.Join(got, " ") != want {
		t.Fatalf("got %s, want %s", strings.Join(got, " "), want)
	}
}

// A mid-stream AssignTimestampsAndWatermarks generates its own watermarks and idleness and ignores the
// idleness of its input (Flink: TimestampsAndWatermarksOperator#processWatermarkStatus is empty); any other
// operator forwards it.
func TestAssignerIgnoresUpstreamIdleness(t *testing.T) {
	pass := ProcessFunction{ProcessElement: func(_ *Context, v any, out Collector) { out.Collect(v) }}
	for _, withAssigner := range []bool{false, true} {
		h := newHarness(t, NewVirtualClock(0), func(k *KeyedStream) *DataStream {
			s := k.Process(pass)
			if withAssigner {
				return s.AssignTimestampsAndWatermarks(ForMonotonousTimestamps().WithPerRecordEmission())
			}
			return s.Map(func(v any) any { return v })
		})
		h.h.head.base().out.idle(true)
		h.format()
		got := strings.Join(h.out, ";")
		if want := map[bool]string{false: "idle true", true: ""}[withAssigner]; got != want {
			t.Errorf("assigner %v: got %q, want %q", withAssigner, got, want)
		}
	}
}
