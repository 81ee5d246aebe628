package cep

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// ErrMalformedPattern is wrapped by every error for a pattern Flink would refuse (its
// MalformedPatternException): a quantifier on a NOT pattern, NotFollowedBy at the end without Within, a
// duplicate stage name, and so on. The message says what is wrong and names the stage.
var ErrMalformedPattern = errors.New("cep: malformed pattern")

// Condition decides whether an event may be taken by a stage: Flink's IterativeCondition (and, when it
// ignores ctx, SimpleCondition). ctx reads the events the partial match has already taken, by stage name.
type Condition func(event any, ctx *ConditionContext) bool

// WithinType says what a Within bounds: the time from the first to the last event of a match (the
// default, Flink's WithinType.FIRST_AND_LAST) or from the previous event to the event of this stage
// (PREVIOUS_AND_CURRENT, Flink 1.19+).
type WithinType int

const (
	// FirstAndLast bounds the whole match: its last event is less than the window after its first.
	FirstAndLast WithinType = iota
	// PreviousAndCurrent bounds the gap between a stage's event and the event taken just before it.
	PreviousAndCurrent
)

// consumingStrategy is Flink's Quantifier.ConsumingStrategy: how events between two taken events are
// treated.
type consumingStrategy int

const (
	strict       consumingStrategy = iota // Next: no event in between
	skipTillNext                          // FollowedBy: non-matching events in between are skipped
	skipTillAny                           // FollowedByAny: any event may be skipped
	notFollow                             // NotFollowedBy
	notNext                               // NotNext
)

func (c consumingStrategy) String() string {
	return [...]string{"STRICT", "SKIP_TILL_NEXT", "SKIP_TILL_ANY", "NOT_FOLLOW", "NOT_NEXT"}[c]
}

// quantifier is Flink's Quantifier: a single, times or looping stage with its properties.
type quantifier struct {
	single, times, looping, optional, greedy bool
	consuming                                consumingStrategy
	inner                                    consumingStrategy // between the events of a looping or times stage
}

func (q quantifier) String() string {
	kind := "SINGLE"
	if q.looping {
		kind = "LOOPING"
	} else if q.times {
		kind = "TIMES"
	}
	s := kind
	if q.optional {
		s += ",OPTIONAL"
	}
	if q.greedy {
		s += ",GREEDY"
	}
	return fmt.Sprintf("Quantifier{properties=[%s], consumingStrategy=%s, innerConsumingStrategy=%s}", s, q.consuming, q.inner)
}

// Pattern is one stage of a CEP pattern and, through its previous stages, the whole pattern: Flink's
// Pattern. Begin starts one; Next, FollowedBy, FollowedByAny, NotNext and NotFollowedBy add a stage and
// return it; Where, Or, Until, Subtype, the quantifiers and Within change the stage they are called on and
// return it, so calls chain as in Flink. A stage Flink would refuse records an error (wrapping
// ErrMalformedPattern) that Err, Compile and Pattern report; the first error wins.
type Pattern struct {
	name       string
	previous   *Pattern
	group      *Pattern // the last stage of the group's own pattern, for a group stage
	condition  Condition
	until      Condition
	windows    map[WithinType]time.Duration
	quant      quantifier
	from, to   int
	skip       AfterMatchSkipStrategy
	err        error
	conditions int // how many Where/Or/Subtype calls made condition (for Describe)
}

func newStage(name string, prev *Pattern, cs consumingStrategy) *Pattern {
	p := &Pattern{name: name, previous: prev, quant: quantifier{single: true, consuming: cs, inner: skipTillNext}, from: 1, to: 1}
	if prev != nil {
		p.skip = prev.skip
		p.err = prev.err
	}
	return p
}

// Begin starts a pattern with a stage called name; skip, if given, is the pattern's after-match skip
// strategy (NoSkip by default). Flink: Pattern.begin(name[, afterMatchSkipStrategy]).
func Begin(name string, skip ...AfterMatchSkipStrategy) *Pattern {
	p := newStage(name, nil, skipTillNext)
	if len(skip) > 0 {
		p.skip = skip[0]
	}
	return p
}

// BeginGroup starts a pattern whose first stage is the group pattern g, matched as one unit (quantifiers
// then repeat the whole group). Flink: Pattern.begin(Pattern group[, afterMatchSkipStrategy]).
func BeginGroup(g *Pattern, skip ...AfterMatchSkipStrategy) *Pattern {
	p := groupStage(g, nil, skipTillNext)
	if len(skip) > 0 {
		p.skip = skip[0]
	}
	return p
}

func groupStage(g *Pattern, prev *Pattern, cs consumingStrategy) *Pattern {
	p := newStage("", prev, cs)
	if g == nil {
		p.fail("a group pattern must not be nil")
		return p
	}
	p.group = g
	p.name = groupName // as Flink's GroupPattern
	if p.err == nil && g.err != nil {
		p.err = g.err
	}
	return p
}

// Next appends a stage that must take the event right after the previous stage's (strict contiguity).
func (p *Pattern) Next(name string) *Pattern { return newStage(name, p, strict) }

// FollowedBy appends a stage whose event follows the previous one's, skipping events that do not match
// (relaxed contiguity).
func (p *Pattern) FollowedBy(name string) *Pattern { return newStage(name, p, skipTillNext) }

// FollowedByAny appends a stage whose event follows the previous one's, where any event, matching or not,
// may be skipped (non-deterministic relaxed contiguity).
func (p *Pattern) FollowedByAny(name string) *Pattern { return newStage(name, p, skipTillAny) }

// NotNext appends a stage whose condition must not hold for the event right after the previous stage's.
func (p *Pattern) NotNext(name string) *Pattern {
	if p.quant.optional {
		p.failUnsupportedNot()
	}
	return newStage(name, p, notNext)
}

// NotFollowedBy appends a stage whose condition must hold for no event between the previous stage's event
// and the next stage's (or, at the end of a pattern, until Within has passed).
func (p *Pattern) NotFollowedBy(name string) *Pattern {
	if p.quant.optional {
		p.failUnsupportedNot()
	}
	return newStage(name, p, notFollow)
}

// NextGroup appends the group pattern g with strict contiguity. Flink: next(Pattern group).
func (p *Pattern) NextGroup(g *Pattern) *Pattern { return groupStage(g, p, strict) }

// FollowedByGroup appends the group pattern g with relaxed contiguity. Flink: followedBy(Pattern group).
func (p *Pattern) FollowedByGroup(g *Pattern) *Pattern { return groupStage(g, p, skipTillNext) }

// FollowedByAnyGroup appends the group pattern g with non-deterministic relaxed contiguity. Flink:
// followedByAny(Pattern group).
func (p *Pattern) FollowedByAnyGroup(g *Pattern) *Pattern { return groupStage(g, p, skipTillAny) }

func (p *Pattern) failUnsupportedNot() {
	p.failf("stage %q: specifying a pattern with an optional path to NOT condition is not supported yet; "+
		"you can simulate such pattern with two independent patterns, one with and the other without the optional part", p.name)
}

func (p *Pattern) fail(msg string) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: %s", ErrMalformedPattern, msg)
	}
}

func (p *Pattern) failf(format string, args ...any) { p.fail(fmt.Sprintf(format, args...)) }

// Err returns the first error recorded while the pattern was built, or nil.
func (p *Pattern) Err() error { return p.err }

// groupName is the name of every group stage, as Flink's GroupPattern.
const groupName = "GroupPattern"

// Name returns the stage's name ("GroupPattern" for a group stage, as in Flink).
func (p *Pattern) Name() string { return p.name }

// Previous returns the stage before this one, or nil for the first.
func (p *Pattern) Previous() *Pattern { return p.previous }

// Where adds a condition the stage's event must satisfy, ANDed with those already given.
func (p *Pattern) Where(c Condition) *Pattern {
	if p.group != nil {
		p.fail("GroupPattern does not support where clause")
		return p
	}
	if c == nil {
		p.failf("stage %q: the condition cannot be nil", p.name)
		return p
	}
	p.conditions++
	if p.condition == nil {
		p.condition = c
		return p
	}
	prev := p.condition
	p.condition = func(e any, ctx *ConditionContext) bool { return prev(e, ctx) && c(e, ctx) }
	return p
}

// Or adds a condition as an alternative: the stage's event must satisfy the conditions given so far or c.
func (p *Pattern) Or(c Condition) *Pattern {
	if p.group != nil {
		p.fail("GroupPattern does not support or clause")
		return p
	}
	if c == nil {
		p.failf("stage %q: the condition cannot be nil", p.name)
		return p
	}
	p.conditions++
	if p.condition == nil {
		p.condition = c
		return p
	}
	prev := p.condition
	p.condition = func(e any, ctx *ConditionContext) bool { return prev(e, ctx) || c(e, ctx) }
	return p
}

// Subtype restricts the stage to events of sample's dynamic type; a nil pointer to an interface type,
// such as (*fmt.Stringer)(nil), restricts it to events implementing that interface. Flink: subtype(Class).
func (p *Pattern) Subtype(sample any) *Pattern {
	t := reflect.TypeOf(sample)
	if t == nil {
		p.failf("stage %q: Subtype needs a sample value of the type, not nil", p.name)
		return p
	}
	var match func(any) bool
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Interface {
		it := t.Elem()
		match = func(e any) bool { return e != nil && reflect.TypeOf(e).Implements(it) }
	} else {
		match = func(e any) bool { return reflect.TypeOf(e) == t }
	}
	return p.Where(func(e any, _ *ConditionContext) bool { return match(e) })
}

// Until stops a looping stage: once an event satisfies c, the stage takes no more events (c's event is
// not taken). Only one Until per stage, and only on OneOrMore or TimesOrMore stages.
func (p *Pattern) Until(c Condition) *Pattern {
	switch {
	case p.group != nil:
		p.fail("GroupPattern does not support until clause")
	case c == nil:
		p.failf("stage %q: the condition cannot be nil", p.name)
	case p.until != nil:
		p.failf("stage %q: only one until condition can be applied", p.name)
	case !p.quant.looping:
		p.failf("stage %q: the until condition is only applicable to looping states", p.name)
	default:
		p.until = c
	}
	return p
}

// Within bounds the time of a match: by default (FirstAndLast) from its first to its last event, so the
// last event's timestamp is less than d after the first's; with PreviousAndCurrent, the time from the
// previous stage's event to this stage's. The shortest FirstAndLast window of all stages applies.
func (p *Pattern) Within(d time.Duration, typ ...WithinType) *Pattern {
	t := FirstAndLast
	if len(typ) > 0 {
		t = typ[0]
	}
	if d <= 0 {
		p.failf("stage %q: Within needs a positive duration, got %v", p.name, d)
		return p
	}
	if p.windows == nil {
		p.windows = map[WithinType]time.Duration{}
	}
	p.windows[t] = d
	return p
}

func (p *Pattern) isNot() bool { return p.quant.consuming == notFollow || p.quant.consuming == notNext }

func (p *Pattern) checkQuantifiable() bool {
	if p.isNot() {
		p.failf("stage %q: option not applicable to NOT pattern", p.name)
		return false
	}
	if !p.quant.single {
		p.failf("stage %q: already applied quantifier to this pattern; current quantifier is %v", p.name, p.quant)
		return false
	}
	return true
}

// Optional lets the stage be skipped: a match may have no event for it.
func (p *Pattern) Optional() *Pattern {
	if p.previous != nil && p.previous.quant.greedy {
		p.failf("stage %q: optional pattern cannot be preceded by greedy pattern", p.name)
		return p
	}
	switch {
	case p.quant.optional:
		p.failf("stage %q: optional already applied", p.name)
	case p.isNot():
		p.failf("stage %q: NOT pattern cannot be optional", p.name)
	default:
		p.quant.optional = true
	}
	return p
}

// Times makes the stage take exactly n events (n > 0).
func (p *Pattern) Times(n int) *Pattern {
	if !p.checkQuantifiable() {
		return p
	}
	if n <= 0 {
		p.failf("stage %q: Times(%d): you should give a positive number greater than 0", p.name, n)
		return p
	}
	p.quant.single, p.quant.times = false, true
	p.from, p.to = n, n
	return p
}

// TimesRange makes the stage take from to to events (0 <= from <= to, to > 0); from 0 makes it optional.
// Flink: times(from, to).
func (p *Pattern) TimesRange(from, to int) *Pattern {
	if !p.checkQuantifiable() {
		return p
	}
	if from < 0 || to <= 0 || to < from {
		p.failf("stage %q: TimesRange(%d, %d): from must be >= 0, to > 0 and to >= from", p.name, from, to)
		return p
	}
	p.quant.single, p.quant.times = false, true
	if from == 0 {
		p.quant.optional = true
		from = 1
	}
	p.from, p.to = from, to
	return p
}

// OneOrMore makes the stage take one or more events (a looping stage).
func (p *Pattern) OneOrMore() *Pattern { return p.TimesOrMore(1) }

// TimesOrMore makes the stage take n or more events (n > 0, a looping stage).
func (p *Pattern) TimesOrMore(n int) *Pattern {
	if !p.checkQuantifiable() {
		return p
	}
	if n <= 0 {
		p.failf("stage %q: TimesOrMore(%d): you should give a positive number greater than 0", p.name, n)
		return p
	}
	p.quant.single, p.quant.looping = false, true
	p.from, p.to = n, n
	return p
}

// Consecutive makes the events of a looping or times stage strictly contiguous to each other.
func (p *Pattern) Consecutive() *Pattern {
	switch {
	case p.isNot():
		p.failf("stage %q: option not applicable to NOT pattern", p.name)
	case !p.quant.looping && !p.quant.times:
		p.failf("stage %q: consecutive not applicable to %v", p.name, p.quant)
	case p.quant.inner == skipTillAny:
		p.failf("stage %q: you can apply either combinations or consecutive, not both", p.name)
	case p.quant.inner == strict:
		p.failf("stage %q: consecutive already applied", p.name)
	default:
		p.quant.inner = strict
	}
	return p
}

// AllowCombinations lets a looping or times stage skip any event between its events (non-deterministic
// relaxed contiguity inside the stage).
func (p *Pattern) AllowCombinations() *Pattern {
	switch {
	case p.isNot():
		p.failf("stage %q: option not applicable to NOT pattern", p.name)
	case p.quant.single:
		p.failf("stage %q: combinations not applicable to %v", p.name, p.quant)
	case p.quant.inner == strict:
		p.failf("stage %q: you can apply either combinations or consecutive, not both", p.name)
	case p.quant.inner == skipTillAny:
		p.failf("stage %q: combinations already applied", p.name)
	default:
		p.quant.inner = skipTillAny
	}
	return p
}

// Greedy makes a looping or times stage take as many events as it can: an event it can take is not
// offered to the following stage.
func (p *Pattern) Greedy() *Pattern {
	switch {
	case p.isNot():
		p.failf("stage %q: option not applicable to NOT pattern", p.name)
	case p.group != nil:
		p.failf("stage %q: option not applicable to group pattern", p.name)
	case p.quant.inner == skipTillAny:
		p.failf("stage %q: option not applicable to FollowedByAny pattern", p.name)
	case p.quant.single:
		p.failf("stage %q: option not applicable to singleton quantifier", p.name)
	default:
		p.quant.greedy = true
	}
	return p
}

// AfterMatchSkipStrategy returns the pattern's skip strategy (set by Begin).
func (p *Pattern) AfterMatchSkipStrategy() AfterMatchSkipStrategy { return p.skip }

// window returns the stage's window of the given type, 0 if none.
func (p *Pattern) window(t WithinType) int64 {
	if d, ok := p.windows[t]; ok {
		return d.Milliseconds()
	}
	return 0
}
