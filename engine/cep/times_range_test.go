package cep

import "testing"

// Flink: TimesRangeITCase, each case its test method with Flink's input and expected matches
// (ConsecutiveData: start is a "c", middle1..3 are "a", end is a "b").
func TestTimesRangeITCase(t *testing.T) {
	caaab := []in{n("s", "c", 1), n("m1", "a", 2), n("m2", "a", 3), n("m3", "a", 4), n("e", "b", 6)}
	withF := []in{n("s", "c", 1), n("f1", "f", 2), n("m1", "a", 3), n("f2", "f", 4), n("m2", "a", 5), n("m3", "a", 6), n("e", "b", 7)}
	cab := func(mid func(*Pattern) *Pattern, next bool) func() *Pattern {
		return func() *Pattern {
			p := Begin("start").Where(nameIs("c"))
			if next {
				p = p.Next("middle")
			} else {
				p = p.FollowedByAny("middle")
			}
			return mid(p.Where(nameIs("a"))).FollowedBy("end1").Where(nameIs("b"))
		}
	}
	runCases(t, []nfaCase{
		{name: "testTimesRange", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(1, 3).AllowCombinations() }, true),
			input: caaab, want: []string{"s m1 m2 m3 e", "s m1 m2 e", "s m1 m3 e", "s m1 e"}},
		{name: "testTimesRangeFromZero", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(0, 2).AllowCombinations() }, true),
			input: caaab, want: []string{"s m1 m2 e", "s m1 m3 e", "s m1 e", "s e"}},
		{name: "testTimesRangeNonStrict", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(1, 3).AllowCombinations() }, false),
			input: withF, want: []string{"s m1 m2 m3 e", "s m1 m2 e", "s m1 m3 e", "s m2 m3 e", "s m1 e", "s m2 e", "s m3 e"}},
		{name: "testTimesRangeStrict", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(0, 3).Consecutive() }, false),
			input: withF, want: []string{"s m2 m3 e", "s m1 e", "s m2 e", "s m3 e", "s e"}},
		{name: "testTimesRangeStrictOptional", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(1, 3).Consecutive().Optional() }, false),
			input: withF, want: []string{"s m2 m3 e", "s m1 e", "s m2 e", "s m3 e", "s e"}},
		{name: "testTimesRangeStrictOptional1", pattern: cab(func(p *Pattern) *Pattern { return p.TimesRange(1, 3).Consecutive().Optional() }, true),
			input: []in{n("s", "c", 1), n("m1", "a", 3), n("m2", "a", 5), n("m3", "a", 6), n("e", "b", 7)},
			want:  []string{"s m1 m2 m3 e", "s m1 m2 e", "s m1 e", "s e"}},
		{name: "testTimesRangeNonStrictOptional1", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("c")).FollowedBy("middle").Where(nameIs("a")).TimesRange(1, 3).Optional().
				FollowedBy("end1").Where(nameIs("b"))
		}, input: []in{n("s", "c", 1), n("f", "f", 2), n("e", "b", 7)}, want: []string{"s e"}},
	})
}
