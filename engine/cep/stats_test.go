package cep_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/engine/enginetest"
)

// Stats shows, per key, how many partial matches wait in each stage and the size of the shared buffer,
// and counts matches, timeouts and late events.
func TestStats(t *testing.T) {
	var ps *cep.PatternStream
	timedOut := engine.NewOutputTag("timed-out")
	build := func(k *engine.KeyedStream) *engine.DataStream {
		p := cep.Begin("start").Where(kindIs("start")).FollowedByAny("middle").Where(kindIs("middle")).
			FollowedBy("end").Where(kindIs("end")).Within(time.Second)
		ps = cep.CEP.Pattern(k, p)
		return ps.SelectWithTimeout(timedOut, func(m map[string][]any, ts int64) any { return "timeout" },
			func(m map[string][]any) any { return "match" })
	}
	h, err := enginetest.ForKeyedOperator(func(v any) any { return v.(Reading).Key }, build)
	must(t, err)
	defer h.Close()
	must(t, h.ProcessElement(Reading{1, "start", 1}, 10))
	must(t, h.ProcessElement(Reading{1, "start", 2}, 20))
	must(t, h.ProcessElement(Reading{1, "middle", 3}, 30))
	must(t, h.ProcessElement(Reading{2, "start", 4}, 40))
	must(t, h.ProcessWatermark(50))
	s := ps.Stats(0)
	// key 1: start@10 and start@20 wait in middle; each took middle@30 and waits in end (FollowedByAny
	// keeps the branch that skipped it): 2 in end, 2 in middle. Key 2: one in middle.
	if len(s.Keys) != 2 || s.Keys[0].Key != 1 || s.Keys[0].PartialMatches["middle"] != 2 || s.Keys[0].PartialMatches["end"] != 2 ||
		s.Keys[0].BufferedEvents != 3 || s.Keys[1].PartialMatches["middle"] != 1 {
		t.Fatalf("stats after the starts:\n%v", s)
	}
	must(t, h.ProcessElement(Reading{1, "end", 5}, 60))
	must(t, h.ProcessElement(Reading{1, "start", 6}, 45)) // late: the watermark is 50
	must(t, h.ProcessWatermark(60))
	must(t, h.ProcessWatermark(2000)) // every partial match times out
	s = ps.Stats(1)
	if s.Matches != 2 || s.Timeouts != 3 || s.LateEvents != 1 || len(s.Keys) != 0 {
		t.Fatalf("stats at the end:\n%v", s)
	}
	if !strings.Contains(s.String(), "matches 2, timeouts 3") {
		t.Fatalf("String: %q", s.String())
	}
}

// In processing time, events are matched as they arrive, stamped with the processing time, and a partial
// match times out by a processing-time timer when its window has passed, with no further event
// (the rule CepOperatorTest#testCEPOperatorCleanupProcessingTime checks in Flink; not a port of it).
func TestProcessingTimeTimeout(t *testing.T) {
	timedOut := engine.NewOutputTag("timed-out")
	build := func(k *engine.KeyedStream) *engine.DataStream {
		p := cep.Begin("start").Where(kindIs("start")).FollowedBy("end").Where(kindIs("end")).Within(100 * time.Millisecond)
		return cep.CEP.Pattern(k, p).InProcessingTime().SelectWithTimeout(timedOut,
			func(m map[string][]any, ts int64) any {
				return fmt.Sprintf("timeout %d@%d", m["start"][0].(Reading).Seq, ts)
			},
			func(m map[string][]any) any {
				return fmt.Sprintf("match %d-%d", m["start"][0].(Reading).Seq, m["end"][0].(Reading).Seq)
			})
	}
	h, err := enginetest.ForKeyedOperator(func(v any) any { return v.(Reading).Key }, build)
	must(t, err)
	defer h.Close()
	must(t, h.SetProcessingTime(10))
	must(t, h.ProcessElement(Reading{1, "start", 1}, engine.NoTimestamp))
	must(t, h.SetProcessingTime(50))
	must(t, h.ProcessElement(Reading{1, "start", 2}, engine.NoTimestamp))
	must(t, h.SetProcessingTime(100))
	must(t, h.ProcessElement(Reading{1, "end", 3}, engine.NoTimestamp)) // completes 1-3 and 2-3
	must(t, h.SetProcessingTime(120))
	must(t, h.ProcessElement(Reading{1, "start", 4}, engine.NoTimestamp))
	must(t, h.SetProcessingTime(300)) // 4 times out at 220, by the timer
	var got []string
	for _, v := range h.ExtractOutputValues() {
		got = append(got, v.(string))
	}
	for _, v := range h.SideOutput(timedOut) {
		got = append(got, v.Value.(string))
	}
	want := []string{"match 1-3", "match 2-3", "timeout 4@220"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if h.NumKeyedStateEntries() != 0 || h.NumProcessingTimeTimers() != 0 {
		t.Fatalf("%d state entries and %d timers left", h.NumKeyedStateEntries(), h.NumProcessingTimeTimers())
	}
}
