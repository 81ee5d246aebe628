package cep

import "testing"

// Flink: GroupITCase, each case its test method with Flink's input and expected matches.
func TestGroupITCase(t *testing.T) {
	cababd := []in{n("c", "c", 1), n("a1", "a", 2), n("b1", "b", 3), n("a2", "a", 4), n("b2", "b", 5), n("d", "d", 6)}
	ab := func() *Pattern { return Begin("middle1").Where(nameIs("a")).FollowedBy("middle2").Where(nameIs("b")) }
	cGroupD := func(q func(*Pattern) *Pattern) func() *Pattern {
		return func() *Pattern {
			return q(Begin("start").Where(nameIs("c")).FollowedByGroup(ab())).FollowedBy("end").Where(nameIs("d"))
		}
	}
	runCases(t, []nfaCase{
		{name: "testGroupFollowedByTimes", pattern: cGroupD(func(p *Pattern) *Pattern { return p.Times(2) }),
			input: cababd, want: []string{"c a1 b1 a2 b2 d"}},
		{name: "testGroupFollowedByOptional", pattern: cGroupD(func(p *Pattern) *Pattern { return p.Optional() }),
			input: []in{n("c", "c", 1), n("a1", "a", 2), n("a2", "a", 3), n("b", "b", 4), n("d", "d", 5)},
			want:  []string{"c d", "c a1 b d"}},
		{name: "testFollowedByGroupTimesOptional", pattern: cGroupD(func(p *Pattern) *Pattern { return p.Times(2).Optional() }),
			input: []in{n("c", "c", 1), n("a", "a", 2), n("d", "d", 3)}, want: []string{"c d"}},
		{name: "testGroupFollowedByOneOrMore", pattern: cGroupD(func(p *Pattern) *Pattern { return p.OneOrMore() }),
			input: cababd, want: []string{"c a1 b1 d", "c a1 b1 a2 b2 d"}},
	})
}
