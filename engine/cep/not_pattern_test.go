package cep

import "testing"

// n makes an input labelled label with an Event named name at ts.
func n(label, name string, ts int64) in { return et(label, 40, name, 0, ts) }

// Flink: NotPatternITCase, each case its test method with Flink's input and expected matches.
func TestNotPatternITCase(t *testing.T) {
	acbcd := []in{n("a1", "a", 1), n("c1", "c", 2), n("b1", "b", 3), n("c2", "c", 4), n("d", "d", 5)}
	runCases(t, []nfaCase{
		{name: "testNotNext", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotNext("notPattern").Where(nameIs("b")).
				FollowedByAny("middle").Where(nameIs("c")).FollowedBy("end").Where(nameIs("d"))
		}, input: acbcd, want: []string{"a1 c1 d", "a1 c2 d"}},
		{name: "testNotNextNoMatches", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotNext("notPattern").Where(nameIs("b")).
				FollowedBy("middle").Where(nameIs("c")).FollowedBy("end").Where(nameIs("d"))
		}, input: []in{n("a1", "a", 1), n("b1", "b", 2), n("c1", "c", 3), n("c2", "c", 4), n("d", "d", 5)}, want: nil},
		{name: "testNotNextNoMatchesAtTheEnd", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).FollowedByAny("middle").Where(nameIs("c")).
				FollowedByAny("end").Where(nameIs("d")).NotNext("notPattern").Where(nameIs("b"))
		}, input: []in{n("a1", "a", 1), n("c1", "c", 2), n("c2", "c", 3), n("d", "d", 4), n("b1", "b", 5)}, want: nil},
		{name: "testNotFollowedBy", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotFollowedBy("notPattern").Where(nameIs("b")).
				FollowedByAny("middle").Where(nameIs("c")).FollowedBy("end").Where(nameIs("d"))
		}, input: acbcd, want: []string{"a1 c1 d"}},
		{name: "testNotFollowedByBeforeOptional", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotFollowedBy("notPattern").Where(nameIs("b")).
				FollowedByAny("middle").Where(nameIs("c")).Optional().FollowedBy("end").Where(nameIs("d"))
		}, input: acbcd, want: []string{"a1 c1 d"}},
		{name: "testTimesWithNotFollowedBy", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).FollowedByAny("middle").Where(nameIs("b")).Times(2).
				NotFollowedBy("notPattern").Where(nameIs("c")).FollowedBy("end").Where(nameIs("d"))
		}, input: []in{n("a1", "a", 1), n("b1", "b", 2), n("c", "c", 3), n("b2", "b", 4), n("d", "d", 5)}, want: nil},
		{name: "testIgnoreStateOfTimesWithNotFollowedBy", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotFollowedBy("notPattern").Where(nameIs("b")).
				FollowedByAny("middle").Where(nameIs("c")).Times(2).Optional().FollowedBy("end").Where(nameIs("d"))
		}, input: []in{n("a1", "a", 1), n("d1", "d", 2), n("e", "e", 1), n("b1", "b", 3), n("c1", "c", 2), n("c2", "c", 4), n("d2", "d", 5)},
			want: []string{"a1 d1"}},
		{name: "testTimesWithNotFollowedByAfter", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).FollowedByAny("middle").Where(nameIs("b")).Times(2).
				NotFollowedBy("notPattern").Where(nameIs("c")).FollowedBy("end").Where(nameIs("d"))
		}, input: []in{n("a1", "a", 1), n("d1", "d", 2), n("e", "e", 1), n("b1", "b", 3), n("b2", "b", 3), n("c1", "c", 2), n("d2", "d", 5)},
			want: nil},
		{name: "testNotFollowedByBeforeOptionalAtTheEnd", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotFollowedBy("notPattern").Where(nameIs("b")).
				FollowedByAny("end").Where(nameIs("c")).Optional()
		}, input: []in{n("a1", "a", 1), n("c1", "c", 2), n("b1", "b", 3), n("c2", "c", 4)}, want: []string{"a1 c1", "a1"}},
		{name: "testNotFollowedByBeforeOptionalTimes", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("a")).NotFollowedBy("notPattern").Where(nameIs("b")).
				FollowedByAny("middle").Where(nameIs("c")).Times(2).Optional().FollowedBy("end").Where(nameIs("d"))
		}, input: acbcd, want: []string{"a1 c1 c2 d"}},
		{name: "testNotFollowedByWithinFirstAndLastAtEnd", pattern: notFollowedByWithinAtEnd(FirstAndLast),
			input: notAtEndIn, want: []string{"a2"}},
		{name: "testNotFollowedByWithinPreviousAndCurrentAtEnd", pattern: notFollowedByWithinAtEnd(PreviousAndCurrent),
			input: notAtEndIn, want: []string{"a2"}},
		{name: "testNotFollowByBeforeTimesWithin", pattern: func() *Pattern {
			return Begin("a").Where(nameIs("a")).NotFollowedBy("b").Where(nameIs("b")).
				FollowedBy("c").Where(nameIs("c")).TimesRange(0, 2).Within(3 * ms)
		}, input: []in{n("a1", "a", 1), n("b1", "b", 2), n("a2", "a", 10), n("c1", "c", 11), n("c2", "c", 12),
			n("a3", "a", 20), n("c3", "c", 21), n("c4", "c", 24)},
			want: []string{"a1", "a2", "a2 c1", "a2 c1 c2", "a3", "a3 c3"}},
		{name: "testNotFollowedByWithinAtEndAfterMatch", pattern: func() *Pattern {
			return Begin("a", SkipPastLastEvent()).Where(nameIs("a")).OneOrMore().AllowCombinations().
				FollowedBy("c").Where(nameIs("c")).NotFollowedBy("b").Where(nameIs("b")).Within(5 * ms)
		}, input: []in{n("a1", "a", 1), n("a2", "a", 2), n("a3", "a", 3), n("c1", "c", 4), n("c2", "c", 10)},
			want: []string{"a1 a2 a3 c1"}},
	})
}

var notAtEndIn = []in{n("a1", "a", 1), n("b1", "b", 2), n("a2", "a", 4), n("c", "c", 5), n("b2", "b", 10),
	n("a3", "a", 11), n("b3", "b", 13)}

func notFollowedByWithinAtEnd(typ WithinType) func() *Pattern {
	return func() *Pattern {
		return Begin("a").Where(nameIs("a")).NotFollowedBy("b").Where(nameIs("b")).Within(3*ms, typ)
	}
}
