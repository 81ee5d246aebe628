package cep

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Event is Flink's test event org.apache.flink.cep.Event (id, name, price).
type Event struct {
	ID    int
	Name  string
	Price float64
}

// SubEvent is Flink's org.apache.flink.cep.SubEvent: an Event with a volume, used by Subtype tests.
type SubEvent struct {
	Event
	Volume float64
}

// in is one input of an NFA test: a label for the expected matches, the event and its timestamp
// (math.MinInt64, a StreamRecord without timestamp, when not given).
type in struct {
	label string
	ev    any
	ts    int64
}

// e makes an input labelled label with Event{id, name, price} and no timestamp.
func e(label string, id int, name string, price float64) in {
	return in{label, &Event{id, name, price}, math.MinInt64}
}

// et makes an input with a timestamp.
func et(label string, id int, name string, price float64, ts int64) in {
	return in{label, &Event{id, name, price}, ts}
}

// named makes inputs whose labels are their names, ids from 1, price 0, no timestamp.
func named(names ...string) []in {
	out := make([]in, len(names))
	for i, n := range names {
		out[i] = e(n, i+1, n, 0)
	}
	return out
}

// base returns the Event of an *Event or a *SubEvent.
func base(v any) *Event {
	if s, ok := v.(*SubEvent); ok {
		return &s.Event
	}
	return v.(*Event)
}

// st makes an input with a SubEvent and a timestamp.
func st(label string, id int, name string, price, volume float64, ts int64) in {
	return in{label, &SubEvent{Event{id, name, price}, volume}, ts}
}

func volumeAbove(x float64) Condition {
	return func(v any, _ *ConditionContext) bool { return v.(*SubEvent).Volume > x }
}

// Conditions used by the ported tests (Flink's SimpleCondition.of(value -> ...)).
func nameIs(n string) Condition {
	return func(v any, _ *ConditionContext) bool { return base(v).Name == n }
}
func nameHas(s string) Condition {
	return func(v any, _ *ConditionContext) bool { return strings.Contains(base(v).Name, s) }
}
func namePrefix(s string) Condition {
	return func(v any, _ *ConditionContext) bool { return strings.HasPrefix(base(v).Name, s) }
}
func priceAbove(p float64) Condition {
	return func(v any, _ *ConditionContext) bool { return base(v).Price > p }
}

// stageOrder lists the stage names of p in pattern order, groups expanded.
func stageOrder(p *Pattern) []string {
	var stages []*Pattern
	for q := p; q != nil; q = q.previous {
		stages = append([]*Pattern{q}, stages...)
	}
	var out []string
	for _, q := range stages {
		if q.group != nil {
			out = append(out, stageOrder(q.group)...)
		} else {
			out = append(out, q.name)
		}
	}
	return out
}

// nfaHarness is Flink's NFATestHarness: every event first advances the NFA's time to its timestamp, then
// is processed; matches (and the pending matches time releases) are collected.
type nfaHarness struct {
	run      *nfaRun
	st       nfaState
	order    []string
	labels   map[any]string
	timeouts []timedOut
}

// newMemoryBuffer makes an empty shared buffer (the operator's come from runPool).
func newMemoryBuffer() *sharedBuffer {
	return &sharedBuffer{events: map[eventID]bufferedEvent{}, nodes: map[nodeID]bufferNode{}, counts: map[int64]int32{}}
}

func newHarness(t *testing.T, p *Pattern, handleTimeout bool) *nfaHarness {
	t.Helper()
	n, err := compile(p)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	r := &nfaRun{nfa: n, buf: newMemoryBuffer(), handleTimeout: handleTimeout}
	return &nfaHarness{run: r, st: r.initialState(), order: stageOrder(p), labels: map[any]string{}}
}

func (h *nfaHarness) feed(ins []in) ([]match, error) {
	var all []match
	for _, x := range ins {
		h.labels[x.ev] = x.label
		ms, tos, err := h.run.advanceTime(&h.st, x.ts)
		if err != nil {
			return all, err
		}
		all = append(all, ms...)
		h.timeouts = append(h.timeouts, tos...)
		ms, err = h.run.process(&h.st, x.ev, x.ts)
		if err != nil {
			return all, err
		}
		all = append(all, ms...)
	}
	return all, nil
}

// flatten writes a match as the labels of its events in stage order, space separated.
func (h *nfaHarness) flatten(m map[string][]any) string {
	var parts []string
	for _, s := range h.order {
		for _, v := range m[s] {
			parts = append(parts, h.labels[v])
		}
	}
	return strings.Join(parts, " ")
}

// flattenAll writes each match as its labels sorted, then sorts the matches: Flink's
// NFATestUtilities.comparePatterns sorts the events within a match and then the matches.
func (h *nfaHarness) flattenAll(ms []match) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, sortedLabels(h.flatten(m.events)))
	}
	sort.Strings(out)
	return out
}

func sortedLabels(s string) string {
	f := strings.Fields(s)
	sort.Strings(f)
	return strings.Join(f, " ")
}

// nfaCase is one ported Flink test: the pattern, the input and the expected matches, each the labels of
// its events in stage order (compared as a multiset, as Flink's NFATestUtilities.comparePatterns does).
type nfaCase struct {
	name    string // Flink's test class#method
	pattern func() *Pattern
	input   []in
	want    []string
	wantErr bool // processing fails (ThrowExceptionOnMiss)
	// refused is a part of the error the pattern is refused with when it is built.
	refused string
	timeout bool // handle timeouts; wantTimeouts lists them
	// wantEmpty asks that the shared buffer hold nothing after the input (Flink: assertTrue(nfa.isEmpty())).
	wantEmpty bool
	// wantTimeouts are the timed-out partial matches, as want.
	wantTimeouts []string
}

func runCases(t *testing.T, cases []nfaCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.refused != "" {
				err := Compile(c.pattern())
				if err == nil || !errors.Is(err, ErrMalformedPattern) || !strings.Contains(err.Error(), c.refused) {
					t.Fatalf("compile error %v, want one wrapping ErrMalformedPattern with %q", err, c.refused)
				}
				return
			}
			h := newHarness(t, c.pattern(), c.timeout)
			ms, err := h.feed(c.input)
			if c.wantErr {
				if err == nil {
					t.Fatalf("no error; matches %v", h.flattenAll(ms))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []string{}
			for _, w := range c.want {
				want = append(want, sortedLabels(w))
			}
			sort.Strings(want)
			if got := h.flattenAll(ms); !reflect.DeepEqual(got, want) {
				t.Errorf("matches\n got %q\nwant %q", got, want)
			}
			if c.wantEmpty && (len(h.run.buf.events) != 0 || len(h.run.buf.nodes) != 0) {
				t.Errorf("shared buffer holds %d events and %d entries, want none", len(h.run.buf.events), len(h.run.buf.nodes))
			}
			if c.timeout {
				var got []string
				for _, to := range h.timeouts {
					got = append(got, fmt.Sprintf("%s @%d", h.flatten(to.match.events), to.ts))
				}
				sort.Strings(got)
				w := append([]string{}, c.wantTimeouts...)
				sort.Strings(w)
				if !reflect.DeepEqual(got, w) && !(len(got) == 0 && len(w) == 0) {
					t.Errorf("timeouts\n got %q\nwant %q", got, w)
				}
			}
		})
	}
}
