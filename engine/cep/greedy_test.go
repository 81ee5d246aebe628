package cep

import "testing"

// np makes an input labelled label with an Event named name, price price, at ts.
func np(label, name string, price float64, ts int64) in { return et(label, 40, name, price, ts) }

// Flink: GreedyITCase, each case its test method with Flink's input and expected matches.
func TestGreedyITCase(t *testing.T) {
	caaad := []in{n("c", "c", 1), n("a1", "a", 2), n("a2", "a", 3), n("a3", "a", 4), n("d", "d", 5)}
	cAStarD := func(mod func(*Pattern) *Pattern, endOptional bool) func() *Pattern {
		return func() *Pattern {
			p := mod(Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).OneOrMore().Optional()).
				FollowedBy("end").Where(nameIs("d"))
			if endOptional {
				p = p.Optional()
			}
			return p
		}
	}
	greedy := func(p *Pattern) *Pattern { return p.Greedy() }
	greedyUntil := func(p *Pattern) *Pattern { return p.Greedy().Until(priceAbove(3)) }
	cAD := func() *Pattern {
		return Begin("start").Where(nameIs("c")).FollowedBy("middle1").Where(nameIs("a")).OneOrMore().Optional().Greedy().
			FollowedBy("middle2").Where(nameIs("d")).Optional().FollowedBy("end").Where(nameIs("e"))
	}
	runCases(t, []nfaCase{
		{name: "testGreedyZeroOrMore", pattern: cAStarD(greedy, false), input: caaad, want: []string{"c a1 a2 a3 d"}},
		{name: "testGreedyZeroOrMoreConsecutiveEndWithOptional",
			pattern: cAStarD(func(p *Pattern) *Pattern { return p.Consecutive().Greedy() }, true),
			// Flink refuses an optional stage after a greedy one since this test was written
			// (Pattern#checkIfPreviousPatternGreedy); its old expectation was the match c a1 a2 a3 d.
			refused: "optional pattern cannot be preceded by greedy pattern"},
		{name: "testGreedyZeroOrMoreInBetween", pattern: cAStarD(greedy, false),
			input: []in{n("c", "c", 1), n("x1", "dummy", 2), n("a1", "a", 3), n("x2", "dummy", 4), n("a2", "a", 5),
				n("x3", "dummy", 6), n("a3", "a", 7), n("d", "d", 8)}, want: []string{"c a1 a2 a3 d"}},
		{name: "testGreedyZeroOrMoreWithDummyEventsAfterQuantifier", pattern: cAStarD(greedy, false),
			input: []in{n("c", "c", 1), n("a1", "a", 2), n("a2", "a", 3), n("x", "dummy", 4), n("d", "d", 5)},
			want:  []string{"c a1 a2 d"}},
		{name: "testGreedyZeroOrMoreWithDummyEventsBeforeQuantifier", pattern: cAStarD(greedy, false),
			input: []in{n("c", "c", 1), n("x", "dummy", 2), n("d", "d", 5)}, want: []string{"c d"}},
		{name: "testGreedyZeroOrMoreBeforeOptional", pattern: cAD,
			refused: "optional pattern cannot be preceded by greedy pattern"}, // was: c a1 a2 e
		{name: "testGreedyZeroOrMoreBeforeOptional2", pattern: cAD,
			refused: "optional pattern cannot be preceded by greedy pattern"}, // was: c a1 a2 e, c a1 a2 d e
		{name: "testGreedyUtilZeroOrMoreWithDummyEventsAfterQuantifier", pattern: cAStarD(greedyUntil, false),
			input: []in{np("c", "c", 1, 1), np("a1", "a", 2, 2), np("a2", "a", 3, 3), np("a3", "a", 3, 4), np("x", "a", 4, 5), np("d", "d", 3, 6)},
			want:  []string{"c a1 a2 a3 d"}},
		{name: "testGreedyUtilWithDummyEventsBeforeQuantifier", pattern: cAStarD(greedyUntil, false),
			input: []in{np("c", "c", 1, 1), np("x", "a", 4, 2), np("a1", "a", 2, 3), np("a2", "a", 3, 4), np("a3", "a", 3, 5), np("d", "d", 3, 6)},
			want:  []string{"c d"}},
	})
}
