package cep

import (
	"fmt"
)

// endStateName is the name of the final state, which no stage may use (Flink: NFACompiler.ENDING_STATE_NAME).
const endStateName = "$endState$"

// stateType is Flink's State.StateType.
type stateType int

const (
	normalState stateType = iota
	finalState
	stopState
	pendingState // NotFollowedBy at the end of a pattern with a window: a match once the window passes
)

func (t stateType) String() string { return [...]string{"Normal", "Final", "Stop", "Pending"}[t] }

// action is Flink's StateTransitionAction.
type action int

const (
	take    action = iota // take the event and move to the target
	ignore                // skip the event and move to (or stay in) the target
	proceed               // move to the target without consuming the event (an epsilon edge)
)

func (a action) String() string { return [...]string{"TAKE", "IGNORE", "PROCEED"}[a] }

type transition struct {
	action action
	source *state
	target *state
	cond   cond
}

// state is one state of the compiled NFA: Flink's State.
type state struct {
	id     int
	name   string // the stage's name (not unique: a stage compiles into several states)
	typ    stateType
	start  bool
	edges  []*transition
	window int64 // the stage's PreviousAndCurrent window in ms, 0 if none
}

func (s *state) addTransition(a action, target *state, c cond) {
	s.edges = append(s.edges, &transition{action: a, source: s, target: target, cond: c})
}
func (s *state) addTake(target *state, c cond)    { s.addTransition(take, target, c) }
func (s *state) addIgnore(target *state, c cond)  { s.addTransition(ignore, target, c) }
func (s *state) addProceed(target *state, c cond) { s.addTransition(proceed, target, c) }

// compiledNFA is a pattern compiled into states, Flink's NFAFactory.
type compiledNFA struct {
	states  []*state
	start   *state
	window  int64 // the FirstAndLast window in ms, 0 if none
	skip    AfterMatchSkipStrategy
	pattern *Pattern
}

// compiler is Flink's NFACompiler.NFAFactoryCompiler: it walks the pattern from its last stage back to
// Begin, creating the states of each stage in front of those already made.
type compiler struct {
	states         []*state
	stopStates     map[string]*state
	window         int64 // 0 = none
	currentGroup   *Pattern
	firstOfLoop    map[*Pattern]bool
	current        *Pattern
	following      *Pattern
	originalStates map[*state]*state
	usedNames      map[string]bool
}

// compile compiles p into an NFA, or returns why Flink would refuse it.
func compile(p *Pattern) (nfa *compiledNFA, err error) {
	if p == nil {
		return nil, fmt.Errorf("%w: the pattern is nil", ErrMalformedPattern)
	}
	if p.err != nil {
		return nil, p.err
	}
	c := &compiler{stopStates: map[string]*state{}, firstOfLoop: map[*Pattern]bool{}, current: p,
		originalStates: map[*state]*state{}, usedNames: map[string]bool{}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(malformed)
			if !ok {
				panic(r)
			}
			nfa, err = nil, fmt.Errorf("%w: %s", ErrMalformedPattern, string(e))
		}
	}()
	last := p
	c.checkNames()
	c.checkSkip(p)
	sink := c.endingState()
	sink = c.middleStates(sink)
	start := c.convert(sink)
	start.start = true
	for _, s := range c.states {
		if s.window > 0 && c.window > 0 && s.window > c.window {
			c.refuse("the window length between the previous and current event cannot be larger than the window length between the first and last event for a Pattern")
		}
	}
	if last.quant.consuming == notFollow && last.window(PreviousAndCurrent) <= 0 && c.window == 0 {
		c.refuse("NotFollowedBy is not supported without windowTime as a last part of a Pattern")
	}
	for i, s := range c.states {
		s.id = i
	}
	return &compiledNFA{states: c.states, start: start, window: c.window, skip: p.skip, pattern: p}, nil
}

type malformed string

func (c *compiler) refuse(format string, args ...any) { panic(malformed(fmt.Sprintf(format, args...))) }

func (c *compiler) checkNames() {
	c.usedNames[endStateName] = true
	var walk func(p *Pattern)
	walk = func(p *Pattern) {
		for ; p != nil; p = p.previous {
			if p.group != nil {
				walk(p.group)
				continue
			}
			if c.usedNames[p.name] {
				c.refuse("duplicate pattern name: %s; names must be unique", p.name)
			}
			c.usedNames[p.name] = true
		}
	}
	walk(c.current)
}

func (c *compiler) checkSkip(p *Pattern) {
	name := p.skip.name
	if name == "" {
		return
	}
	q := p
	for q.previous != nil && q.name != name {
		q = q.previous
	}
	if q.name != name {
		c.refuse("the pattern name specified in AfterMatchSkipStrategy (%s) can not be found in the given Pattern", name)
	}
}

func (c *compiler) newState(name string, t stateType) *state {
	s := &state{name: name, typ: t, window: c.current.window(PreviousAndCurrent)}
	c.states = append(c.states, s)
	return s
}

func (c *compiler) endingState() *state {
	s := c.newState(endStateName, finalState)
	s.window = 0
	c.window = c.current.window(FirstAndLast)
	return s
}

func (c *compiler) middleStates(sink *state) *state {
	last := sink
	for c.current.previous != nil {
		switch c.current.quant.consuming {
		case notFollow:
			// NotFollowedBy becomes edge conditions of the states around it, except at the end of a
			// pattern with a window, where it waits in a pending state until the window passes.
			if (c.current.window(PreviousAndCurrent) > 0 || c.window > 0) && last.typ == finalState {
				notFollowState := c.newState(c.current.name, pendingState)
				notCondition := c.takeCondition(c.current)
				stop := c.stopState(notCondition, c.current.name)
				notFollowState.addProceed(stop, notCondition)
				notFollowState.addIgnore(notFollowState, notCond(notCondition))
				last = notFollowState
			}
		case notNext:
			notNextState := c.newState(c.current.name, normalState)
			notCondition := c.takeCondition(c.current)
			stop := c.stopState(notCondition, c.current.name)
			if last.typ == finalState {
				notNextState.addIgnore(last, notCond(notCondition)) // so that the proceed to final is not fired
			} else {
				notNextState.addProceed(last, notCond(notCondition))
			}
			notNextState.addProceed(stop, notCondition)
			last = notNextState
		default:
			last = c.convert(last)
		}
		c.following = c.current
		c.current = c.current.previous
		if w := c.current.window(FirstAndLast); w > 0 && (c.window == 0 || w < c.window) {
			c.window = w // the shortest window of all stages applies
		}
	}
	return last
}

func (c *compiler) convert(sink *state) *state {
	var last *state
	q := c.current.quant
	switch {
	case q.looping:
		// once the loop has started, the NOT stages before the optional states no longer apply
		c.setFirstOfLoop(false)
		s := c.copyWithoutTransitiveNots(sink)
		looping := c.looping(s)
		c.setFirstOfLoop(true)
		last = c.timesState(looping, sink, c.current.from, c.current.to)
	case q.times:
		last = c.timesState(sink, sink, c.current.from, c.current.to)
	default:
		last = c.singleton(sink)
	}
	c.addStopStates(last)
	return last
}

type notCondition struct {
	c    cond
	name string
}

// currentNotConditions returns the NOT stages that still apply before the current stage: the previous
// stage if it is a NotFollowedBy, and those reached backwards through optional stages.
func (c *compiler) currentNotConditions() []notCondition {
	var out []notCondition
	prev := c.current
	for prev.previous != nil && (prev.previous.quant.optional || prev.previous.quant.consuming == notFollow) {
		prev = prev.previous
		if prev.quant.consuming == notFollow {
			out = append(out, notCondition{c.takeCondition(prev), prev.name})
		}
	}
	return out
}

func (c *compiler) stopState(notCondition cond, name string) *state {
	if s, ok := c.stopStates[name]; ok {
		return s // all states that can stop on one NOT stage share its stop state
	}
	s := c.newState(name, stopState)
	s.addTake(s, notCondition)
	c.stopStates[name] = s
	return s
}

// copyWithoutTransitiveNots makes a copy of sink for the TAKE edge of an optional stage: taking an event
// there discards the NOT stages before it (Flink: begin(a).notFollowedBy(b).followedByAny(c).optional()
// .followedByAny(d) matches a c b d but not a b d). It copies only when needed.
func (c *compiler) copyWithoutTransitiveNots(sink *state) *state {
	nots := c.currentNotConditions()
	if len(nots) == 0 || !c.current.quant.optional {
		return sink
	}
	cp := c.newState(sink.name, sink.typ)
	cp.window = sink.window
	for _, t := range sink.edges {
		if t.action == proceed {
			target := t.target
			remove := false
			if target.typ == stopState {
				for _, n := range nots {
					if target.name == n.name {
						remove = true
					}
				}
			} else {
				target = c.copyWithoutTransitiveNots(t.target)
			}
			if !remove {
				cp.addTransition(t.action, target, t.cond)
			}
		} else {
			target := t.target
			if t.target == t.source {
				target = cp
			}
			cp.addTransition(t.action, target, t.cond)
		}
	}
	return cp
}

func (c *compiler) copyState(s *state) *state {
	cp := c.newState(s.name, s.typ)
	cp.window = s.window
	for _, t := range s.edges {
		target := t.target
		if t.target == t.source {
			target = cp
		}
		cp.addTransition(t.action, target, t.cond)
	}
	return cp
}

func (c *compiler) addStopStates(s *state) {
	for _, n := range c.currentNotConditions() {
		s.addProceed(c.stopState(n.c, n.name), n.c)
	}
}

func (c *compiler) addStopStateToLooping(s *state) {
	if c.following != nil && c.following.quant.consuming == notFollow {
		n := c.takeCondition(c.following)
		s.addProceed(c.stopState(n, c.following.name), n)
	}
}

// timesState creates the states of a times (or the first of a looping) stage: from-1 mandatory states,
// to-from optional ones, then the first state.
func (c *compiler) timesState(sink, proceedState *state, from, to int) *state {
	last := sink
	c.setFirstOfLoop(false)
	until := c.untilCondition(c.current)
	innerIgnore := c.extendWithUntil(c.innerIgnoreCondition(c.current), until, false)
	takeCondition := c.extendWithUntil(ptrCond(c.takeCondition(c.current)), until, true)
	if c.current.quant.greedy && from != to {
		if until != nil {
			c.originalStates[sink] = c.copyState(sink)
		}
		c.updateWithGreedyCondition(sink, *takeCondition)
	}
	for i := from; i < to; i++ {
		last = c.singletonFull(last, proceedState, *takeCondition, innerIgnore, true)
		c.addStopStateToLooping(last)
	}
	for i := 0; i < from-1; i++ {
		last = c.singletonFull(last, nil, *takeCondition, innerIgnore, false)
		c.addStopStateToLooping(last)
	}
	// the intermediate states are made; now the start of the loop
	c.setFirstOfLoop(true)
	return c.singletonFull(last, proceedState, *takeCondition, c.ignoreCondition(c.current), c.current.quant.optional)
}

func ptrCond(x cond) *cond { return &x }

func (c *compiler) setFirstOfLoop(v bool) {
	if c.current.group != nil {
		c.firstOfLoop[c.current] = v
	}
}

func (c *compiler) isCurrentGroupFirstOfLoop() bool {
	if v, ok := c.firstOfLoop[c.currentGroup]; ok {
		return v
	}
	return true
}

func (c *compiler) headOfGroup(p *Pattern) bool { return c.currentGroup != nil && p.previous == nil }

func (c *compiler) isOptional(p *Pattern) bool {
	if c.headOfGroup(p) {
		return c.isCurrentGroupFirstOfLoop() && c.currentGroup.quant.optional
	}
	return p.quant.optional
}

func (c *compiler) singleton(sink *state) *state {
	return c.singletonFull(sink, sink, c.takeCondition(c.current), c.ignoreCondition(c.current), c.isOptional(c.current))
}

// singletonFull creates a single state; an optional one also gets a copy without the PROCEED edge for its
// IGNORE edge, so that each PROCEED branches the computation only once.
func (c *compiler) singletonFull(sink, proceedState *state, takeCondition cond, ignoreCondition *cond, optional bool) *state {
	if c.current.group != nil {
		return c.groupState(c.current, sink, proceedState, optional)
	}
	single := c.newState(c.current.name, normalState)
	// taking an event invalidates the NOT stages before an optional state
	s := c.copyWithoutTransitiveNots(sink)
	single.addTake(s, takeCondition)
	// if no element is taken the NOT stages before still apply
	proceedCondition := c.trueFunction()
	// the PROCEED edge of the head of a group points past the group; it is added when the group is done
	if optional && !c.headOfGroup(c.current) {
		if c.current.quant.greedy {
			until := c.untilCondition(c.current)
			if until != nil {
				single.addProceed(c.originalStates[proceedState], andCond(proceedCondition, *until))
				single.addProceed(proceedState, andCond(proceedCondition, notCond(*until)))
			} else {
				single.addProceed(proceedState, proceedCondition)
			}
		} else {
			single.addProceed(proceedState, proceedCondition)
		}
	}
	if ignoreCondition != nil {
		var ignoreState *state
		if optional {
			ignoreState = c.newState(c.current.name, normalState)
			ignoreState.addTake(s, takeCondition)
			ignoreState.addIgnore(ignoreState, *ignoreCondition)
			c.addStopStates(ignoreState)
		} else {
			ignoreState = single
		}
		single.addIgnore(ignoreState, *ignoreCondition)
	}
	return single
}

func (c *compiler) groupState(g *Pattern, sink, proceedState *state, optional bool) *state {
	proceedCondition := c.trueFunction()
	oldCurrent, oldFollowing, oldGroup := c.current, c.following, c.currentGroup
	c.currentGroup = g
	c.current = g.group
	last := c.middleStates(sink)
	last = c.convert(last)
	if optional {
		// the PROCEED edge of the group's first state points past the group
		last.addProceed(proceedState, proceedCondition)
	}
	c.current, c.following, c.currentGroup = oldCurrent, oldFollowing, oldGroup
	return last
}

func (c *compiler) loopingGroupState(g *Pattern, sink *state) *state {
	proceedCondition := c.trueFunction()
	oldCurrent, oldFollowing, oldGroup := c.current, c.following, c.currentGroup
	dummy := c.newState(c.current.name, normalState)
	c.currentGroup = g
	c.current = g.group
	last := c.middleStates(dummy)
	last = c.convert(last)
	last.addProceed(sink, proceedCondition)
	dummy.addProceed(last, proceedCondition)
	c.current, c.following, c.currentGroup = oldCurrent, oldFollowing, oldGroup
	return last
}

// looping creates a looping state: a TAKE edge to itself and a PROCEED edge to sink, and a copy without
// the PROCEED edge for its IGNORE edge.
func (c *compiler) looping(sink *state) *state {
	if c.current.group != nil {
		return c.loopingGroupState(c.current, sink)
	}
	until := c.untilCondition(c.current)
	ignoreCondition := c.extendWithUntil(c.innerIgnoreCondition(c.current), until, false)
	takeCondition := *c.extendWithUntil(ptrCond(c.takeCondition(c.current)), until, true)
	proceedCondition := c.trueFunction()
	loopingState := c.newState(c.current.name, normalState)
	if c.current.quant.greedy {
		if until != nil {
			cp := c.copyState(sink)
			loopingState.addProceed(cp, andCond(proceedCondition, *until))
			c.originalStates[sink] = cp
			loopingState.addProceed(sink, andCond(proceedCondition, notCond(*until)))
		} else {
			loopingState.addProceed(sink, proceedCondition)
		}
		c.updateWithGreedyCondition(sink, c.takeCondition(c.current))
	} else {
		loopingState.addProceed(sink, proceedCondition)
	}
	loopingState.addTake(loopingState, takeCondition)
	c.addStopStateToLooping(loopingState)
	if ignoreCondition != nil {
		ignoreState := c.newState(c.current.name, normalState)
		ignoreState.addTake(loopingState, takeCondition)
		ignoreState.addIgnore(ignoreState, *ignoreCondition)
		loopingState.addIgnore(ignoreState, *ignoreCondition)
		c.addStopStateToLooping(ignoreState)
	}
	return loopingState
}

func (c *compiler) untilCondition(p *Pattern) *cond {
	if p.until == nil {
		return nil
	}
	return &cond{f: p.until, desc: "until(" + p.name + ")"}
}

// extendWithUntil ANDs condition with NOT until when both exist (for a TAKE edge also when only until does).
func (c *compiler) extendWithUntil(condition, until *cond, isTake bool) *cond {
	switch {
	case until != nil && condition != nil:
		return ptrCond(andCond(notCond(*until), *condition))
	case until != nil && isTake:
		return ptrCond(notCond(*until))
	}
	return condition
}

func (c *compiler) strategyCondition(cs consumingStrategy, p *Pattern) *cond {
	switch cs {
	case skipTillNext:
		return ptrCond(notCond(c.patternCondition(p)))
	case skipTillAny:
		return ptrCond(trueCond)
	}
	return nil // strict
}

func (c *compiler) groupUntil() *cond {
	if c.currentGroup != nil && c.currentGroup.until != nil {
		return c.untilCondition(c.currentGroup)
	}
	return nil
}

// innerIgnoreCondition is the IGNORE condition between the events of a looping or times stage.
func (c *compiler) innerIgnoreCondition(p *Pattern) *cond {
	cs := p.quant.inner
	if c.headOfGroup(p) {
		cs = c.currentGroup.quant.inner
	}
	return c.extendWithUntil(c.strategyCondition(cs, p), c.groupUntil(), false)
}

// ignoreCondition is the IGNORE condition before a stage's first event.
func (c *compiler) ignoreCondition(p *Pattern) *cond {
	cs := p.quant.consuming
	if c.headOfGroup(p) {
		if c.isCurrentGroupFirstOfLoop() {
			cs = c.currentGroup.quant.consuming
		} else {
			cs = c.currentGroup.quant.inner
		}
	}
	return c.extendWithUntil(c.strategyCondition(cs, p), c.groupUntil(), false)
}

func (c *compiler) patternCondition(p *Pattern) cond {
	if p.condition == nil {
		return trueCond
	}
	return cond{f: p.condition, desc: "where(" + p.name + ")"}
}

func (c *compiler) takeCondition(p *Pattern) cond {
	t := c.patternCondition(p)
	if u := c.groupUntil(); u != nil {
		return *c.extendWithUntil(&t, u, true)
	}
	return t
}

func (c *compiler) trueFunction() cond {
	t := trueCond
	if u := c.groupUntil(); u != nil {
		return *c.extendWithUntil(&t, u, true)
	}
	return t
}

func (c *compiler) updateWithGreedyCondition(s *state, takeCondition cond) {
	for _, t := range s.edges {
		t.cond = andCond(t.cond, notCond(takeCondition))
	}
}
