package cep

import (
	"testing"
	"time"
)

// Patterns Flink refuses, each with the meaning of Flink's MalformedPatternException message: two cases of
// NFACompilerTest, the others named for the check in Flink's Pattern, Quantifier or NFACompiler.
func TestMalformedPatterns(t *testing.T) {
	a := nameIs("a")
	runCases(t, []nfaCase{
		{name: "NFACompilerTest#testNFACompilerUniquePatternName", pattern: func() *Pattern {
			return Begin("start").Where(a).FollowedBy("middle").Where(a).FollowedBy("start").Where(a)
		}, refused: "duplicate pattern name: start"},
		{name: "NFACompilerTest#testNFACompilerPatternEndsWithNotFollowedBy", pattern: func() *Pattern {
			return Begin("start").Where(a).NotFollowedBy("not").Where(a)
		}, refused: "NotFollowedBy is not supported without windowTime as a last part of a Pattern"},
		{name: "Pattern#checkIfQuantifierApplied", pattern: func() *Pattern {
			return Begin("start").Where(a).OneOrMore().Times(2)
		}, refused: "already applied quantifier"},
		{name: "Pattern#checkIfNoNotPattern (oneOrMore on NotNext)", pattern: func() *Pattern {
			return Begin("start").Where(a).NotNext("not").Where(a).OneOrMore()
		}, refused: "option not applicable to NOT pattern"},
		{name: "Quantifier#optional on a NOT stage", pattern: func() *Pattern {
			return Begin("start").Where(a).NotFollowedBy("not").Where(a).Optional().FollowedBy("e")
		}, refused: "NOT pattern cannot be optional"},
		{name: "Pattern#notFollowedBy after an optional stage", pattern: func() *Pattern {
			return Begin("start").Where(a).Optional().NotFollowedBy("not").Where(a).FollowedBy("e")
		}, refused: "optional path to NOT condition is not supported"},
		{name: "Pattern#until on a non-looping stage", pattern: func() *Pattern {
			return Begin("start").Where(a).Until(a)
		}, refused: "until condition is only applicable to looping states"},
		{name: "Pattern#until applied twice", pattern: func() *Pattern {
			return Begin("start").Where(a).OneOrMore().Until(a).Until(a)
		}, refused: "only one until condition can be applied"},
		{name: "Pattern#times(0) (Times.of)", pattern: func() *Pattern { return Begin("start").Times(0) },
			refused: "positive number greater than 0"},
		{name: "Quantifier#greedy on a singleton", pattern: func() *Pattern { return Begin("start").Greedy() },
			refused: "not applicable to singleton quantifier"},
		{name: "Quantifier#combinations after consecutive", pattern: func() *Pattern { return Begin("start").OneOrMore().Consecutive().AllowCombinations() },
			refused: "either combinations or consecutive"},
		{name: "NFACompiler#checkPatternSkipStrategy", pattern: func() *Pattern {
			return Begin("start", SkipToFirst("nope")).Where(a).FollowedBy("end")
		}, refused: "can not be found in the given Pattern"},
		{name: "NFACompiler#checkPatternWindowTimes", pattern: func() *Pattern {
			return Begin("start").FollowedBy("end").Within(10*time.Millisecond, PreviousAndCurrent).Within(5 * time.Millisecond)
		}, refused: "cannot be larger than the window length between the first and last event"},
		{name: "Within(0) (refused by Weir: a window must be positive)", pattern: func() *Pattern { return Begin("start").Within(0) }, refused: "positive duration"},
	})
}
