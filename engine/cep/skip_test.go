package cep

import (
	"strings"
	"testing"
)

// Flink: AfterMatchSkipITCase, each case its test method with Flink's input and expected matches.
func TestAfterMatchSkipITCase(t *testing.T) {
	a6 := named("a1", "a2", "a3", "a4", "a5", "a6")
	for i := range a6 {
		a6[i].ev.(*Event).Name = "a"
	}
	twoVarsAny := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("start", s).Where(nameIs("a")).FollowedByAny("end").Where(nameIs("b"))
		}
	}
	twoVarsIn := []in{e("a1", 1, "a", 0), e("b1", 2, "b", 0), e("a2", 4, "a", 0), e("b2", 5, "b", 0)}
	quantAtEnd := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("start", s).Where(nameIs("a")).Next("end").Where(nameIs("b")).OneOrMore()
		}
	}
	quantAtEndIn := []in{e("a1", 1, "a", 0), e("b1", 2, "b", 0), e("b2", 4, "b", 0), e("b3", 5, "b", 0)}
	ab := func(n int) []in {
		out := make([]in, n)
		for i := range out {
			out[i] = e("ab"+string(rune('1'+i)), i+1, "ab", 0)
		}
		return out
	}
	timesTwoTimes := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("start", s).Where(nameHas("a")).Times(2).Next("end").Where(nameHas("b")).Times(2)
		}
	}
	missedSkipTo := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("a", s).Where(nameHas("a")).Next("b").Where(nameHas("b")).OneOrMore().Optional().Consecutive().
				Next("c").Where(nameHas("c"))
		}
	}
	missedIn := named("a", "c")
	oneOrMoreB := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("a", s).Where(nameHas("a")).Next("b").Where(nameHas("b")).OneOrMore().Consecutive()
		}
	}
	oneOrMoreBIn := []in{e("a1", 1, "a1", 0), e("b1", 2, "b1", 0), e("a2", 3, "a2", 0), e("b2", 4, "b2", 0),
		e("b3", 5, "b3", 0), e("a3", 3, "a3", 0), e("b4", 4, "b4", 0)}
	greedyAtBegin := func(s AfterMatchSkipStrategy) func() *Pattern {
		return func() *Pattern {
			return Begin("a", s).Where(nameHas("a")).OneOrMore().Consecutive().Greedy().Next("b").Where(nameHas("b"))
		}
	}
	greedyIn := named("a1", "a2", "a3", "b1")
	runCases(t, []nfaCase{
		{name: "testNoSkip", pattern: func() *Pattern { return Begin("start", NoSkip()).Where(nameIs("a")).Times(3) },
			input: a6, want: []string{"a1 a2 a3", "a2 a3 a4", "a3 a4 a5", "a4 a5 a6"}},
		{name: "testNoSkipWithFollowedByAny", pattern: twoVarsAny(NoSkip()), input: twoVarsIn,
			want: []string{"a1 b1", "a1 b2", "a2 b2"}},
		{name: "testSkipToNextWithFollowedByAny", pattern: twoVarsAny(SkipToNext()), input: twoVarsIn,
			want: []string{"a1 b1", "a2 b2"}},
		{name: "testNoSkipWithQuantifierAtTheEnd", pattern: quantAtEnd(NoSkip()), input: quantAtEndIn,
			want: []string{"a1 b1 b2 b3", "a1 b1 b2", "a1 b1"}},
		{name: "testSkipToNextWithQuantifierAtTheEnd", pattern: quantAtEnd(SkipToNext()), input: quantAtEndIn,
			want: []string{"a1 b1"}},
		{name: "testSkipPastLast", pattern: func() *Pattern { return Begin("start", SkipPastLastEvent()).Where(nameIs("a")).Times(3) },
			input: a6, want: []string{"a1 a2 a3", "a4 a5 a6"}},
		{name: "testSkipToFirst", pattern: timesTwoTimes(SkipToFirst("end")), input: ab(6),
			want: []string{"ab1 ab2 ab3 ab4", "ab3 ab4 ab5 ab6"}},
		{name: "testSkipToLast", pattern: timesTwoTimes(SkipToLast("end")), input: ab(7),
			want: []string{"ab1 ab2 ab3 ab4", "ab4 ab5 ab6 ab7"}},
		{name: "testSkipPastLast2", pattern: func() *Pattern {
			return Begin("a", SkipPastLastEvent()).Where(nameHas("a")).FollowedByAny("b").Where(nameHas("b")).
				FollowedByAny("c").Where(nameHas("c")).FollowedBy("d").Where(nameHas("d"))
		}, input: []in{e("a1", 1, "a1", 0), e("a2", 2, "a2", 0), e("b1", 3, "b1", 0), e("b2", 4, "b2", 0),
			e("c1", 5, "c1", 0), e("c2", 6, "c2", 0), e("d1", 7, "d1", 0), e("d2", 7, "d2", 0)},
			want: []string{"a1 b1 c1 d1"}},
		{name: "testSkipPastLast3", pattern: func() *Pattern {
			return Begin("a", SkipPastLastEvent()).Where(nameHas("a")).Next("b").Where(nameHas("b"))
		}, input: named("a1", "c", "a2", "b2"), want: []string{"a2 b2"}},
		{name: "testSkipToFirstWithOptionalMatch", pattern: func() *Pattern {
			return Begin("x", SkipToFirst("b")).Where(nameHas("x")).OneOrMore().Optional().
				Next("b").Where(nameHas("b")).Next("c").Where(nameHas("c"))
		}, input: named("ab1", "c1", "ab2", "c2"), want: []string{"ab1 c1", "ab2 c2"}},
		{name: "testSkipToFirstAtStartPosition", pattern: func() *Pattern {
			return Begin("b", SkipToFirst("b")).Where(nameHas("b")).Next("c").Where(nameHas("c"))
		}, input: named("ab1", "c1", "ab2", "c2"), want: []string{"ab1 c1", "ab2 c2"}},
		{name: "testSkipToFirstWithOneOrMore", pattern: oneOrMoreB(SkipToFirst("b")), input: oneOrMoreBIn,
			want: []string{"a1 b1", "a2 b2", "a3 b4"}},
		{name: "testSkipToFirstElementOfMatch", pattern: func() *Pattern {
			return Begin("a", SkipToFirst("a").ThrowExceptionOnMiss()).Where(nameHas("a"))
		}, input: named("a1"), wantErr: true},
		{name: "testSkipToFirstNonExistentPosition", pattern: missedSkipTo(SkipToFirst("b").ThrowExceptionOnMiss()),
			input: missedIn, wantErr: true},
		{name: "testSkipToFirstNonExistentPositionWithoutException", pattern: missedSkipTo(SkipToFirst("b")),
			input: missedIn, want: []string{"a c"}},
		{name: "testSkipToLastNonExistentPosition", pattern: missedSkipTo(SkipToLast("b").ThrowExceptionOnMiss()),
			input: missedIn, wantErr: true},
		{name: "testSkipToLastWithOneOrMore", pattern: oneOrMoreB(SkipToLast("b")), input: oneOrMoreBIn,
			want: []string{"a1 b1", "a2 b2", "a3 b4"}},
		{name: "testSkipPastLastWithOneOrMoreAtBeginning", pattern: greedyAtBegin(SkipPastLastEvent()), input: greedyIn,
			want: []string{"a1 a2 a3 b1"}},
		{name: "testSkipToLastWithOneOrMoreAtBeginning", pattern: greedyAtBegin(SkipToLast("a")), input: greedyIn,
			want: []string{"a1 a2 a3 b1", "a3 b1"}},
		{name: "testSkipToFirstWithOneOrMoreAtBeginning", pattern: greedyAtBegin(SkipToFirst("a")), input: greedyIn,
			want: []string{"a1 a2 a3 b1", "a2 a3 b1", "a3 b1"}},
		{name: "testSkipToFirstDiscarding", pattern: func() *Pattern {
			aOrC := func(v any, _ *ConditionContext) bool {
				return strings.Contains(base(v).Name, "a") || strings.Contains(base(v).Name, "c")
			}
			bOrC := func(v any, _ *ConditionContext) bool {
				return strings.Contains(base(v).Name, "b") || strings.Contains(base(v).Name, "c")
			}
			return Begin("a or c", SkipToFirst("c*")).Where(aOrC).FollowedBy("b or c").Where(bOrC).
				FollowedBy("c*").Where(nameHas("c")).OneOrMore().Greedy().FollowedBy("d").Where(nameHas("d"))
		}, input: named("a", "b", "c1", "c2", "c3", "d"), want: []string{"a b c1 c2 c3 d", "c1 c2 c3 d"}},
		{name: "testSkipBeforeOtherAlreadyCompleted", pattern: func() *Pattern {
			return Begin("a", SkipToFirst("c")).Where(nameHas("a")).FollowedBy("c").Where(nameHas("c")).
				FollowedBy("b").Where(func(v any, ctx *ConditionContext) bool {
				return strings.Contains(base(v).Name, "b") && base(ctx.EventsForPattern("a")[0]).Price == base(v).Price
			})
		}, input: []in{e("a1", 1, "a1", 0), e("c1", 2, "c1", 0), e("a2", 3, "a2", 1), e("c2", 4, "c2", 0), e("b1", 5, "b1", 1), e("b2", 6, "b2", 0)},
			want: []string{"a1 c1 b2", "a2 c2 b1"}},
		{name: "testSharedBufferIsProperlyCleared", pattern: func() *Pattern {
			return Begin("start", SkipPastLastEvent()).Where(func(any, *ConditionContext) bool { return true }).Times(2)
		}, input: []in{et("a1", 1, "a", 1, 0), et("a2", 1, "a", 1, 1), et("a3", 1, "a", 1, 2), et("a4", 1, "a", 1, 3)},
			want: []string{"a1 a2", "a3 a4"}, wantEmpty: true},
		{name: "testNoSkipWithOneOrMoreAtBeginning", pattern: greedyAtBegin(NoSkip()), input: greedyIn,
			want: []string{"a1 a2 a3 b1", "a2 a3 b1", "a3 b1"}},
	})
}
