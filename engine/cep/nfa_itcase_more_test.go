package cep

import (
	"sort"
	"strings"
	"testing"
)

// consecutiveData is Flink's NFAITCase.ConsecutiveData: start "c", middles "a" (m1..m4) and end "b";
// f makes a filler event named "f" (Event(23, "f", 1.0)) and d one named "d" (Event(50, "d", 6.0)).
func consecutiveData(label string, ts int64) in {
	switch label[0] {
	case 's':
		return et(label, 40, "c", 1, ts)
	case 'm':
		return et(label, 41, "a", 2, ts)
	case 'e':
		return et(label, 44, "b", 5, ts)
	case 'd':
		return et(label, 50, "d", 6, ts)
	}
	return et(label, 23, "f", 1, ts)
}

// cd makes ConsecutiveData inputs from alternating labels and timestamps.
func cd(labelsAndTS ...any) []in {
	var out []in
	for i := 0; i < len(labelsAndTS); i += 2 {
		out = append(out, consecutiveData(labelsAndTS[i].(string), int64(labelsAndTS[i+1].(int))))
	}
	return out
}

// Flink: NFAITCase, the cases nfa_test.go does not port yet; each case its test method with Flink's
// input and expected matches (compared as Flink's NFATestUtilities.comparePatterns does).
func TestNFAITCaseMore(t *testing.T) {
	abcde := []in{et("a", 40, "a", 1, 1), et("b", 41, "b", 2, 2), et("c", 42, "c", 3, 3), et("d", 43, "d", 4, 4), et("e", 44, "e", 5, 5)}
	cab := func(cs func(p *Pattern, name string) *Pattern, q func(p *Pattern) *Pattern) func() *Pattern {
		return func() *Pattern {
			return q(cs(Begin("start").Where(nameIs("c")), "middle").Where(nameIs("a"))).FollowedBy("end1").Where(nameIs("b"))
		}
	}
	next := func(p *Pattern, n string) *Pattern { return p.Next(n) }
	followedBy := func(p *Pattern, n string) *Pattern { return p.FollowedBy(n) }
	followedByAny := func(p *Pattern, n string) *Pattern { return p.FollowedByAny(n) }
	fillers := cd("s", 1, "f1", 2, "m1", 3, "f2", 4, "m2", 5, "m3", 6, "e", 7)
	runCases(t, []nfaCase{
		{name: "testNoConditionLoopingNFA", pattern: func() *Pattern { return Begin("start").FollowedBy("end").OneOrMore() },
			input: abcde, want: []string{"a b c d e", "a b c d", "a b c", "a b", "b c d e", "b c d", "b c", "c d e", "c d", "d e"}},
		{name: "testTimesNotStrictWithFollowedByEager", pattern: cab(followedBy, func(p *Pattern) *Pattern { return p.Times(2) }),
			input: cd("s", 1, "m1", 2, "m2", 4, "m3", 6, "e", 7), want: []string{"s m1 m2 e"}},
		{name: "testTimesNotStrictWithFollowedByNotEager", pattern: cab(followedByAny, func(p *Pattern) *Pattern { return p.Times(2).AllowCombinations() }),
			input: cd("s", 1, "m1", 2, "m2", 4, "m3", 6, "e", 7), want: []string{"s m1 m2 e", "s m3 m2 e", "s m3 m1 e"}},
		{name: "testTimesStrictWithNextAndConsecutive", pattern: cab(next, func(p *Pattern) *Pattern { return p.Times(2).Consecutive() }),
			input: cd("s", 1, "m1", 2, "f", 3, "m2", 4, "m3", 6, "e", 7), want: nil},
		{name: "testStartWithOptional", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).Optional().FollowedBy("end1").Where(nameIs("b"))
		}, input: cd("s", 1, "e", 6), want: []string{"s e", "e"}},
		{name: "testEndWithZeroOrMore", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore().Optional()
		}, input: cd("s", 1, "m1", 3, "m2", 4, "m3", 5), want: []string{"s m1 m2 m3", "s m1 m2", "s m1", "s"}},
		{name: "testStartAndEndWithZeroOrMore", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).OneOrMore().Optional()
		}, input: []in{et("s", 40, "c", 1, 1), et("m1", 41, "a", 2, 3), et("m2", 42, "a", 3, 4), et("m3", 43, "a", 4, 5),
			et("e1", 44, "d", 5, 6), et("e2", 45, "d", 5, 6), et("e3", 46, "d", 5, 6)},
			want: []string{"m1 m2 m3", "m1 m2", "m1", "m2 m3", "m2", "m3"}},
		{name: "testEndWithOptional", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).Optional()
		}, input: cd("s", 1, "m1", 3), want: []string{"s m1", "s"}},
		{name: "testEndWithOneOrMore", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore()
		}, input: cd("s", 1, "m1", 3, "m2", 4, "m3", 5), want: []string{"s m1 m2 m3", "s m1 m2", "s m1"}},

		// Optional.
		{name: "testTimesNonStrictOptional1", pattern: cab(followedBy, func(p *Pattern) *Pattern { return p.Times(3).Optional() }),
			input: cd("s", 1, "f", 2, "e", 7), want: []string{"s e"}},
		{name: "testTimesNonStrictOptional2", pattern: cab(followedByAny, func(p *Pattern) *Pattern { return p.Times(2).AllowCombinations().Optional() }),
			input: fillers, want: []string{"s m1 m2 e", "s m1 m3 e", "s m2 m3 e", "s e"}},
		{name: "testTimesNonStrictOptional3", pattern: cab(followedByAny, func(p *Pattern) *Pattern { return p.Times(2).Optional() }),
			input: fillers, want: []string{"s m1 m2 e", "s m2 m3 e", "s e"}},
		{name: "testTimesStrictOptional", pattern: cab(followedByAny, func(p *Pattern) *Pattern { return p.Times(2).Consecutive().Optional() }),
			input: fillers, want: []string{"s m2 m3 e", "s e"}},
		{name: "testOneOrMoreStrictOptional", pattern: cab(followedByAny, func(p *Pattern) *Pattern { return p.OneOrMore().Consecutive().Optional() }),
			input: fillers, want: []string{"s m2 m3 e", "s m1 e", "s m2 e", "s m3 e", "s e"}},
		{name: "testTimesStrictOptional1", pattern: cab(next, func(p *Pattern) *Pattern { return p.Times(2).Consecutive().Optional() }),
			input: cd("s", 1, "m1", 3, "m2", 5, "m3", 6, "e", 7), want: []string{"s m1 m2 e", "s e"}},
		{name: "testOptionalTimesNonStrictWithNext", pattern: cab(next, func(p *Pattern) *Pattern { return p.Times(2).AllowCombinations().Optional() }),
			input: cd("s", 1, "m1", 2, "f1", 3, "m2", 4, "f2", 5, "m3", 6, "e", 7), want: []string{"s m1 m2 e", "s m1 m3 e", "s e"}},
	})
}

// Flink: NFAITCase's consuming-strategy cases (testOneOrMore / testZeroOrMore with STRICT,
// SKIP_TILL_NEXT and SKIP_TILL_ANY), testTimesStrict/NonStrict, the strict start cases and the branching
// and version-collision cases, with Flink's input and expected matches.
func TestNFAITCaseConsumingStrategies(t *testing.T) {
	oneOrMoreIn := cd("s", 1, "d1", 2, "m1", 3, "m2", 4, "m3", 4, "d2", 5, "m4", 6, "e", 7)
	loop := func(optional bool, strategy func(*Pattern) *Pattern) func() *Pattern {
		return func() *Pattern {
			p := Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore()
			if optional {
				p = p.Optional()
			}
			return strategy(p).FollowedBy("end1").Where(nameIs("b"))
		}
	}
	strictQ := func(p *Pattern) *Pattern { return p.Consecutive() }
	nextQ := func(p *Pattern) *Pattern { return p }
	anyQ := func(p *Pattern) *Pattern { return p.AllowCombinations() }
	fillers := cd("s", 1, "f1", 2, "m1", 3, "f2", 4, "m2", 5, "m3", 6, "e", 7)
	startStrictIn := cd("s1", 1, "m1", 3, "s2", 4, "m2", 5, "m3", 6)
	branchIn := []in{et("s", 40, "start", 1, 1), st("m1", 41, "foo1", 1, 10, 3), st("m2", 42, "foo2", 1, 10, 4),
		st("m3", 43, "foo3", 1, 10, 5), st("n1", 44, "next-one", 1, 2, 6), st("n2", 45, "next-one", 1, 2, 7), et("e", 46, "end", 1, 8)}
	runCases(t, []nfaCase{
		{name: "testStrictOneOrMore", pattern: loop(false, strictQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 e", "s m1 m2 e", "s m1 e"}},
		{name: "testSkipTillNextOneOrMore", pattern: loop(false, nextQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 m4 e", "s m1 m2 m3 e", "s m1 m2 e", "s m1 e"}},
		{name: "testSkipTillAnyOneOrMore", pattern: loop(false, anyQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 m4 e", "s m1 m3 m4 e", "s m1 m2 m3 e", "s m1 m2 m4 e", "s m1 m2 e", "s m1 m3 e", "s m1 m4 e", "s m1 e"}},
		{name: "testStrictEagerZeroOrMore", pattern: loop(true, strictQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 e", "s m1 m2 e", "s m1 e", "s e"}},
		{name: "testSkipTillAnyZeroOrMore", pattern: loop(true, anyQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 m4 e", "s m1 m2 m4 e", "s m1 m3 m4 e", "s m1 m4 e", "s m1 m2 m3 e", "s m1 m2 e", "s m1 m3 e", "s m1 e", "s e"}},
		{name: "testSkipTillNextZeroOrMore", pattern: loop(true, nextQ), input: oneOrMoreIn,
			want: []string{"s m1 m2 m3 m4 e", "s m1 m2 m3 e", "s m1 m2 e", "s m1 e", "s e"}},
		{name: "testTimesStrict", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedByAny("middle").Where(nameIs("a")).Times(2).Consecutive().
				FollowedBy("end1").Where(nameIs("b"))
		}, input: fillers, want: []string{"s m2 m3 e"}},
		{name: "testTimesNonStrict", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedByAny("middle").Where(nameIs("a")).Times(2).AllowCombinations().
				FollowedBy("end1").Where(nameIs("b"))
		}, input: fillers, want: []string{"s m1 m2 e", "s m1 m3 e", "s m2 m3 e"}},
		{name: "testStartWithZeroOrMoreStrict", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).OneOrMore().Optional().Consecutive()
		}, input: startStrictIn, want: []string{"m1", "m2 m3", "m2", "m3"}},
		{name: "testStartWithOneOrMoreStrict", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).OneOrMore().Consecutive()
		}, input: startStrictIn, want: []string{"m1", "m2 m3", "m2", "m3"}},
		{name: "testBranchingPatternSkipTillNext", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).FollowedBy("middle-first").Subtype(&SubEvent{}).Where(volumeAbove(5)).
				FollowedBy("middle-second").Subtype(&SubEvent{}).Where(nameIs("next-one")).
				FollowedByAny("end").Where(nameIs("end"))
		}, input: branchIn, want: []string{"s m1 n1 e"}},
		{name: "testBranchingPatternMixedFollowedBy", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).FollowedByAny("middle-first").Subtype(&SubEvent{}).Where(volumeAbove(5)).
				FollowedBy("middle-second").Subtype(&SubEvent{}).Where(nameIs("next-one")).
				FollowedByAny("end").Where(nameIs("end"))
		}, input: branchIn, want: []string{"s m1 n1 e", "s m2 n1 e", "s m3 n1 e"}},
		{name: "testMultipleTakesVersionCollision", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle1").Where(nameIs("a")).OneOrMore().AllowCombinations().
				FollowedBy("middle2").Where(nameIs("a")).OneOrMore().AllowCombinations().FollowedBy("end").Where(nameIs("b"))
		}, input: cd("s", 1, "m1", 3, "m2", 4, "m3", 5, "m4", 6, "m5", 7, "e", 10),
			// Flink pins 20 matches, duplicates included (the same events split differently between
			// middle1 and middle2); comparePatterns sorts the events of each match, so they compare equal.
			want: []string{"s m1 m2 m3 m4 m5 e", "s m1 m2 m3 m4 m5 e", "s m1 m2 m3 m4 m5 e", "s m1 m2 m3 m4 m5 e",
				"s m1 m2 m3 m4 e", "s m1 m2 m4 m5 e", "s m1 m2 m3 m4 e", "s m1 m2 m3 m5 e", "s m1 m3 m4 m5 e",
				"s m1 m3 m4 m5 e", "s m1 m2 m3 m4 e", "s m1 m2 m3 m5 e", "s m1 m2 m4 m5 e", "s m1 m2 m3 e",
				"s m1 m3 m4 e", "s m1 m4 m5 e", "s m1 m2 m3 e", "s m1 m2 m4 e", "s m1 m2 m5 e", "s m1 m2 e"}},
	})
}

// Flink: NFAITCase's window cases, with WithinType.PREVIOUS_AND_CURRENT and FIRST_AND_LAST, and their
// input, expected matches, timeouts and pending matches.
// testSimplePatternWithTimeWindowNFAWithinFirstAndLast and testSimplePatternWithTimeoutHandlingWithinFirstAndLast
// are nfa_test.go's testSimplePatternWithTimeWindowNFA and testSimplePatternWithTimeoutHandling (their
// names before Flink added WithinType), so they are not repeated here.
func TestNFAITCaseWithin(t *testing.T) {
	timeWindowIn := []in{et("s1", 1, "start", 1, 1), et("s2", 2, "start", 1, 2), et("m", 3, "middle", 1, 3),
		et("f", 4, "foobar", 1, 4), et("e1", 5, "end", 1, 11), et("e2", 6, "end", 1, 13)}
	pendingIn := []in{et("s1", 1, "start", 1, 1), et("m1", 2, "middle", 1, 4), et("s3", 3, "start", 1, 5),
		et("s4", 4, "start", 1, 11), et("m2", 5, "middle", 1, 18)}
	pending := func(typ WithinType) func() *Pattern {
		return func() *Pattern {
			return Begin("start").Where(nameIs("start")).NotFollowedBy("middle").Where(nameIs("middle")).Within(5*ms, typ)
		}
	}
	runCases(t, []nfaCase{
		{name: "testSimplePatternWithTimeWindowNFAWithinPreviousAndCurrent", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).FollowedBy("middle").Where(nameIs("middle")).
				FollowedBy("end").Where(nameIs("end")).Within(9*ms, PreviousAndCurrent)
		}, input: timeWindowIn, want: []string{"s1 m e1", "s2 m e1"}},
		{name: "testSimplePatternWithTimeoutHandlingWithinPreviousAndCurrent", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).FollowedByAny("middle").Where(nameIs("middle")).
				FollowedByAny("end").Where(nameIs("end")).Within(10*ms, PreviousAndCurrent)
		}, input: timeWindowIn,
			// Flink pins the number of matches (2); with e1 the only "end" in time these are the two.
			want: []string{"s1 m e1", "s2 m e1"}, timeout: true, wantTimeouts: []string{"s1 m @13", "s2 m @13"}},
		// The pending matches advanceTime releases (Flink collects advanceTime(...).f0 only); process
		// emits nothing for a pattern ending in NotFollowedBy, so the harness's matches are exactly these.
		{name: "testPendingStateMatchesWithinFirstAndLast", pattern: pending(FirstAndLast), input: pendingIn,
			want: []string{"s3", "s4"}, timeout: true},
		{name: "testPendingStateMatchesWithinPreviousAndCurrent", pattern: pending(PreviousAndCurrent), input: pendingIn,
			want: []string{"s3", "s4"}, timeout: true},
	})
}

// Flink: NFAITCase#testNFAResultOrdering: the events of each stage come in the order they arrived.
func TestNFAITCaseResultOrdering(t *testing.T) {
	p := Begin("start").Where(namePrefix("a-")).Times(4).AllowCombinations().
		FollowedByAny("middle").Where(namePrefix("b-")).Times(3).Consecutive()
	h := newHarness(t, p, false)
	ms, err := h.feed([]in{n("a1", "a-1", 1), n("a2", "a-2", 3), n("a3", "a-3", 4), n("a4", "a-4", 5),
		n("b1", "b-1", 6), n("b2", "b-2", 7), n("b3", "b-3", 10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d matches, want 1: %v", len(ms), h.flattenAll(ms))
	}
	for stage, want := range map[string]string{"start": "a1 a2 a3 a4", "middle": "b1 b2 b3"} {
		var got []string
		for _, v := range ms[0].events[stage] {
			got = append(got, h.labels[v])
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s = %v, want %s", stage, got, want)
		}
	}
}

// Flink: NFAITCase#testNFAResultKeyOrdering: a match lists its stages in the pattern's order (Flink's
// match map iterates its keys so; Weir's NFA hands the order out with the match, and
// ProcessContext.StageNames gives it to a PatternProcessFunction). The stage names are chosen so that
// neither sorting nor a Go map's order would give it.
func TestNFAITCaseResultKeyOrdering(t *testing.T) {
	p := Begin("a").Where(nameIs("a")).Next("b").Where(nameIs("b")).Next("aa").Where(nameIs("aa")).
		Next("bb").Where(nameIs("bb")).Next("ab").Where(nameIs("ab"))
	h := newHarness(t, p, false)
	ms, err := h.feed([]in{n("a1", "a", 1), n("b1", "b", 3), n("aa1", "aa", 4), n("bb1", "bb", 5), n("ab1", "ab", 6)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d matches, want 1: %v", len(ms), h.flattenAll(ms))
	}
	if got, want := strings.Join(ms[0].stages, " "), "a b aa bb ab"; got != want {
		t.Errorf("stages in order %q, want %q", got, want)
	}
}

// Flink: NFAITCase's clearing-buffer cases: after the input, advancing time to 10 prunes every partial
// match but the ones left, named by stage. Flink names states with an internal suffix ("middle:0");
// Weir's states carry the stage name, so the expected names are Flink's without it, compared sorted.
func TestNFAITCaseClearingBuffer(t *testing.T) {
	times := func(typ WithinType) *Pattern {
		return Begin("start").Where(nameIs("c")).Next("middle").Where(nameIs("a")).Times(2).
			FollowedBy("end1").Where(nameIs("b")).Within(8*ms, typ)
	}
	optional := func(typ WithinType) *Pattern {
		return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).Optional().
			FollowedBy("end1").Where(nameIs("b")).Within(8*ms, typ)
	}
	// testAtLeastOneClearingBuffer ignores its WithinType and always uses within(8 ms).
	atLeastOne := func(WithinType) *Pattern {
		return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore().AllowCombinations().
			FollowedBy("end1").Where(nameIs("b")).Within(8 * ms)
	}
	zeroOrMore := func(typ WithinType) *Pattern {
		return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore().AllowCombinations().Optional().
			FollowedBy("end1").Where(nameIs("b")).Within(8*ms, typ)
	}
	timesIn := cd("s", 1, "m1", 2, "m2", 3, "m3", 4, "e", 6)
	optionalIn := cd("s", 1, "m", 5, "e", 6)
	loopIn := cd("s", 1, "m1", 3, "m2", 4, "e", 6)
	for _, c := range []struct {
		name    string
		pattern *Pattern
		input   []in
		want    string
	}{
		{"testTimesClearingBufferWithinFirstAndLast", times(FirstAndLast), timesIn, "start"},
		{"testTimesClearingBufferWithinPreviousAndCurrent", times(PreviousAndCurrent), timesIn, "start"},
		{"testOptionalClearingBufferWithinFirstAndLast", optional(FirstAndLast), optionalIn, "start"},
		{"testOptionalClearingBufferWithinPreviousAndCurrent", optional(PreviousAndCurrent), optionalIn, "start"},
		{"testAtLeastOneClearingBufferWithinFirstAndLast", atLeastOne(FirstAndLast), loopIn, "start"},
		{"testAtLeastOneClearingBufferWithPreviousAndCurrent", atLeastOne(PreviousAndCurrent), loopIn, "start"},
		{"testZeroOrMoreClearingBufferWithinFirstAndLast", zeroOrMore(FirstAndLast), loopIn, "start"},
		{"testZeroOrMoreClearingBufferWithinPreviousAndCurrent", zeroOrMore(PreviousAndCurrent), loopIn, "middle middle start"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.pattern, false)
			if _, err := h.feed(c.input); err != nil {
				t.Fatal(err)
			}
			if _, _, err := h.run.advanceTime(&h.st, 10); err != nil {
				t.Fatal(err)
			}
			var names []string
			for i := range h.st.Partial {
				names = append(names, h.run.state(&h.st.Partial[i]).name)
			}
			sort.Strings(names)
			if got := strings.Join(names, " "); got != c.want {
				t.Errorf("partial matches in %q, want %q", got, c.want)
			}
		})
	}
}

// Flink: NFAITCase#testLoopClearingWithinFirstAndLast / WithinPreviousAndCurrent: two events taken by
// times(4) within 3 ms, then time advanced to 4 without an event; the shared buffer keeps 1 event
// (FIRST_AND_LAST: the partial match started at 1 is pruned) or 2 (PREVIOUS_AND_CURRENT: its last event
// is at 2, still in the window).
func TestNFAITCaseLoopClearing(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  WithinType
		want int
	}{{"testLoopClearingWithinFirstAndLast", FirstAndLast, 1}, {"testLoopClearingWithinPreviousAndCurrent", PreviousAndCurrent, 2}} {
		p := Begin("start", SkipPastLastEvent()).Times(4).Where(nameIs("a")).Within(3*ms, c.typ)
		h := newHarness(t, p, false)
		for i, ts := range []int64{1, 2} {
			if _, err := h.run.process(&h.st, &Event{40, "a", 1}, ts); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		if _, _, err := h.run.advanceTime(&h.st, 4); err != nil {
			t.Fatal(err)
		}
		if got := len(h.run.buf.events); got != c.want {
			t.Errorf("%s: shared buffer holds %d events, want %d", c.name, got, c.want)
		}
	}
}

// Flink: NFAITCase#testSharedBufferClearing: processing events never advances the shared buffer's time
// (Flink verifies SharedBufferAccessor#advanceTime is not called); NFA#advanceTime(2) advances it once,
// forgetting the event counters of timestamps before 2 and keeping the one at 2.
func TestNFAITCaseSharedBufferClearing(t *testing.T) {
	h := newHarness(t, Begin("start").FollowedBy("end"), false)
	for _, x := range []in{et("a", 40, "a", 1, 1), et("b", 41, "b", 2, 2)} {
		if _, err := h.run.process(&h.st, x.ev, x.ts); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.run.buf.counts); got != 2 {
		t.Fatalf("after processing, %d timestamps counted, want 2 (process must not advance time)", got)
	}
	if _, _, err := h.run.advanceTime(&h.st, 2); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.run.buf.counts[1]; ok {
		t.Error("advanceTime(2) kept the counter of timestamp 1")
	}
	if _, ok := h.run.buf.counts[2]; !ok {
		t.Error("advanceTime(2) dropped the counter of timestamp 2")
	}
}
