package cep

import (
	"strings"
	"testing"
)

// sumBelow is Flink's MySubeventIterCondition / MyEventIterCondition: the event's name has the prefix
// and the prices of the events stage took so far plus its own stay below (or, with orEqual, at most) limit.
func sumBelow(stage, prefix string, limit float64, orEqual bool) Condition {
	return func(v any, ctx *ConditionContext) bool {
		if !strings.HasPrefix(base(v).Name, prefix) {
			return false
		}
		sum := base(v).Price
		for _, e := range ctx.EventsForPattern(stage) {
			sum += base(e).Price
		}
		if orEqual {
			return sum <= limit
		}
		return sum < limit
	}
}

// endAfterStartsWorth is the end condition of testIterativeWithPrevPatternDependency: an "end" after
// start events whose prices add up to at least 2.
func endAfterStartsWorth(v any, ctx *ConditionContext) bool {
	if base(v).Name != "end" {
		return false
	}
	sum := 0.0
	for _, e := range ctx.EventsForPattern("start") {
		sum += base(e).Price
	}
	return sum >= 2
}

// Flink: IterativeConditionsITCase, each case its test method with Flink's input and expected matches.
func TestIterativeConditionsITCase(t *testing.T) {
	s1, s2, s3, s4 := np("s1", "start", 1, 0), np("s2", "start", 2, 0), np("s3", "start", 3, 0), np("s4", "start", 4, 0)
	m1, m2, m3, m4 := st("m1", 41, "foo1", 1, 10, 0), st("m2", 42, "foo2", 2, 10, 0), st("m3", 43, "foo3", 3, 10, 0), st("m4", 43, "foo4", 1, 10, 0)
	next, end := np("next", "next-one", 1, 0), np("end", "end", 1, 0)
	at := func(x in, ts int64) in { x.ts = ts; return x }
	branching := []in{at(s1, 1), at(m1, 2), at(m2, 3), at(s2, 4), at(m3, 5), at(m4, 5), at(next, 6), at(end, 8)}
	branchingPattern := func(combinations bool) func() *Pattern {
		return func() *Pattern {
			p := Begin("start").Where(nameIs("start")).FollowedBy("middle").Subtype(&SubEvent{}).
				Where(sumBelow("middle", "foo", 5, false)).OneOrMore()
			if combinations {
				p = p.AllowCombinations()
			}
			return p.FollowedBy("end").Where(nameIs("end"))
		}
	}
	looping := []in{at(s1, 1), at(s2, 2), at(s3, 3), at(end, 4)}
	loopingPattern := func(combinations bool) func() *Pattern {
		return func() *Pattern {
			p := Begin("start").Where(sumBelow("start", "start", 5, false)).OneOrMore()
			if combinations {
				p = p.AllowCombinations()
			}
			return p.Optional().FollowedBy("end").Where(nameIs("end"))
		}
	}
	runCases(t, []nfaCase{
		{name: "testIterativeWithBranchingPatternEager", pattern: branchingPattern(false), input: branching,
			want: []string{"s1 end m1 m2 m4", "s1 end m2 m1", "s1 end m1", "s2 end m3 m4", "s2 end m3"}},
		{name: "testIterativeWithBranchingPatternCombinations", pattern: branchingPattern(true), input: branching,
			want: []string{"s1 end m1 m2 m4", "s1 end m2 m1", "s1 end m3 m1", "s2 end m3 m4", "s1 end m4 m1", "s1 end m1", "s2 end m3"}},
		{name: "testIterativeWithLoopingStartingEager", pattern: loopingPattern(false), input: looping,
			want: []string{"s1 s2 end", "s1 end", "s2 end", "s3 end", "end"}},
		{name: "testIterativeWithLoopingStartingCombination", pattern: loopingPattern(true), input: looping,
			want: []string{"s1 s2 end", "s1 s3 end", "s1 end", "s2 end", "s3 end", "end"}},
		{name: "testIterativeWithPrevPatternDependency", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).OneOrMore().FollowedBy("end").Where(endAfterStartsWorth)
		}, input: []in{at(s1, 1), at(s2, 2), at(end, 4)}, want: []string{"s1 s2 end", "s2 end"}},
		{name: "testIterativeWithABACPattern", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).FollowedByAny("middle1").Subtype(&SubEvent{}).Where(namePrefix("foo")).
				FollowedBy("middle2").Where(sumBelow("middle2", "start", 5, true)).OneOrMore().FollowedBy("end").Where(nameIs("end"))
		}, input: []in{at(s1, 1), at(m1, 2), at(s2, 2), at(s3, 2), at(m2, 2), at(s4, 2), at(m3, 2), at(m4, 2), at(end, 4)},
			want: []string{"s1 s2 s3 m1 end", "s1 m1 s2 end", "s1 m2 s4 end", "s2 m2 s4 end", "s3 m2 s4 end"}},
		{name: "testIterativeWithPrevPatternDependencyAfterBranching", pattern: func() *Pattern {
			return Begin("start").Where(nameIs("start")).OneOrMore().FollowedByAny("middle1").Subtype(&SubEvent{}).Where(namePrefix("foo")).
				FollowedByAny("end").Where(endAfterStartsWorth)
		}, input: []in{at(s1, 1), at(s2, 2), at(m1, 4), at(s3, 5), at(m2, 6), at(end, 7)},
			want: []string{"s1 s2 m1 end", "s2 m1 end", "s1 s2 m2 end", "s1 s2 s3 m2 end", "s2 s3 m2 end", "s2 m2 end", "s3 m2 end"}},
	})
}
