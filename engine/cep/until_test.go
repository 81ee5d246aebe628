package cep

import "testing"

// Flink: UntilConditionITCase (UNTIL_CONDITION is price == 5), each case its test method with Flink's
// input and expected matches.
func TestUntilConditionITCase(t *testing.T) {
	until := func(v any, _ *ConditionContext) bool { return base(v).Price == 5 }
	in4 := []in{np("s", "c", 1, 1), np("m1", "a", 2, 3), np("m2", "a", 3, 4), np("brk", "a", 5, 6), np("ign", "a", 6, 7)}
	in5 := []in{np("s", "c", 1, 1), np("m1", "a", 2, 3), np("m2", "a", 3, 4), np("m3", "a", 4, 5), np("brk", "a", 5, 6), np("ign", "a", 6, 7)}
	inAny := []in{np("s", "c", 1, 1), np("m1", "a", 2, 3), np("m2", "a", 3, 4), np("brk", "a", 5, 6), np("m3", "a", 6, 7)}
	mid := func(q func(*Pattern) *Pattern, any bool, withEnd bool) func() *Pattern {
		return func() *Pattern {
			p := Begin("start").Where(nameIs("c"))
			if any {
				p = p.FollowedByAny("middle")
			} else {
				p = p.FollowedBy("middle")
			}
			p = q(p.Where(nameIs("a"))).Until(until)
			if withEnd {
				p = p.FollowedBy("end").Where(until)
			}
			return p
		}
	}
	oneOrMore := func(p *Pattern) *Pattern { return p.OneOrMore() }
	runCases(t, []nfaCase{
		{name: "testUntilConditionFollowedByOneOrMore", pattern: mid(oneOrMore, false, true), input: in4,
			want: []string{"s m1 m2 brk", "s m1 brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByOneOrMoreCombinations", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().AllowCombinations() }, false, true),
			input: in5, want: []string{"s m1 m2 m3 brk", "s m1 m2 brk", "s m1 m3 brk", "s m1 brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByOneOrMoreConsecutive", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().Consecutive() }, false, true),
			input: in4, want: []string{"s m1 m2 brk", "s m1 brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByZeroOrMore", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().Optional() }, false, true),
			input: in4, want: []string{"s m1 m2 brk", "s m1 brk", "s brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByZeroOrMoreCombinations", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().Optional().AllowCombinations() }, false, true),
			input: in5, want: []string{"s m1 m2 m3 brk", "s m1 m2 brk", "s m1 m3 brk", "s m1 brk", "s brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByZeroOrMoreConsecutive", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().Optional().Consecutive() }, false, true),
			input: in4, want: []string{"s m1 m2 brk", "s m1 brk", "s brk"}, wantEmpty: true},
		{name: "testUntilConditionFollowedByAnyOneOrMore", pattern: mid(oneOrMore, true, false), input: inAny,
			want: []string{"s m1 m2", "s m1", "s m2", "s m3"}},
		{name: "testUntilConditionFollowedByAnyZeroOrMore", pattern: mid(func(p *Pattern) *Pattern { return p.OneOrMore().Optional() }, true, false),
			input: inAny, want: []string{"s m1 m2", "s m1", "s m2", "s m3", "s"}},
		{name: "testUntilConditionWithEmptyWhere", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle").OneOrMore().Until(until)
		}, input: []in{np("s", "c", 1, 1), np("m1", "a", 2, 3), np("m2", "a", 3, 4), np("m3", "d", 1, 5), np("brk", "a", 5, 6), np("ign", "a", 6, 7)},
			want: []string{"s m1 m2 m3", "s m1 m2", "s m1"}, wantEmpty: true},
	})
}
