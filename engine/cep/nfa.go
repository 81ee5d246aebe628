package cep

import (
	"fmt"
	"math"
	"slices"
)

// computation is one partial match waiting in a state of the NFA (Flink: ComputationState): the state,
// the last node it took in the shared buffer, its Dewey version, the timestamps of its first and last
// events and the id of its first event.
type computation struct {
	State    int
	Prev     nodeID
	HasPrev  bool
	Version  dewey
	StartTS  int64
	PrevTS   int64
	Start    eventID
	HasStart bool
}

// nfaState is what a key's NFA keeps between events (Flink: NFAState): the partial matches, and the
// completed matches that wait for an earlier partial match before a skip strategy lets them out.
type nfaState struct {
	Partial   []computation
	Completed []computation
}

// compareComputations orders computations by their first event; those without one (the start) last
// (Flink: NFAState.COMPUTATION_STATE_COMPARATOR).
func compareComputations(a, b *computation) int {
	ka, kb := eventID{TS: math.MaxInt64, N: math.MaxInt32}, eventID{TS: math.MaxInt64, N: math.MaxInt32}
	if a.HasStart {
		ka = a.Start
	}
	if b.HasStart {
		kb = b.Start
	}
	switch {
	case ka.less(kb):
		return -1
	case kb.less(ka):
		return 1
	}
	return 0
}

func sortComputations(cs []computation) {
	byStart := func(a, b computation) int { return compareComputations(&a, &b) }
	if !slices.IsSortedFunc(cs, byStart) {
		slices.SortStableFunc(cs, byStart)
	}
}

// nfaRun runs a compiled NFA over one key's state and shared buffer (Flink: NFA with a
// SharedBufferAccessor).
type nfaRun struct {
	nfa           *compiledNFA
	buf           *sharedBuffer
	handleTimeout bool
	now           func() int64
	limit         keyBounds // none if zero
	dropped       int       // partial matches enforceLimit dropped, for the operator to count
	cond          ConditionContext
	edges         []*transition // decisionGraph's, reused
	next          []computation // computeNextStates', reused
	initial       [1]computation
	mem           sharedBuffer // buf's maps in the operator, reused across batches (runPool)
}

// match is a match or a timed-out partial match as the NFA hands it out: the events each stage took, by
// stage name, and those names in the order the match took its stages, which is the pattern's order (Flink's
// match is a LinkedHashMap that iterates in this order; a Go map keeps none).
type match struct {
	events map[string][]any
	stages []string
}

// timedOut is a partial match dropped because its window passed, with the time it timed out at.
type timedOut struct {
	match match
	ts    int64
}

// startVersion is the version of the start state's computation; deweys are never changed in place.
var startVersion = dewey{1}

// initialState is a key's NFA before any event: one computation in the start state, held in r.initial so
// that a key without partial matches costs no allocation (a stored state never keeps it: see store).
func (r *nfaRun) initialState() nfaState {
	r.initial[0] = computation{State: r.nfa.start.id, Version: startVersion}
	return nfaState{Partial: r.initial[:]}
}

func (r *nfaRun) state(c *computation) *state { return r.nfa.states[c.State] }

// expired reports whether ts is at least w after from, without overflowing.
func expired(ts, from, w int64) bool {
	return w > 0 && ts >= from && uint64(ts)-uint64(from) >= uint64(w)
}

// advanceTime drops the partial matches whose window has passed at ts, returning them as timeouts (when
// timeouts are handled), and emits the pending NotFollowedBy matches whose window has passed
// (Flink: NFA#advanceTime).
func (r *nfaRun) advanceTime(st *nfaState, ts int64) ([]match, []timedOut, error) {
	defer r.buf.advanceTime(ts)
	if len(st.Completed) == 0 && !slices.ContainsFunc(st.Partial, func(c computation) bool {
		toPrev, toFirst := r.expiry(&c, ts)
		return toPrev || toFirst
	}) {
		return nil, nil, nil // nothing expired and nothing waits: st stays as it is
	}
	var timeouts []timedOut
	var potential []computation
	next := make([]computation, 0, len(st.Partial)) // never st.Partial's array: a snapshot may be writing it
	for i := range st.Partial {
		c := &st.Partial[i]
		toPrev, toFirst := r.expiry(c, ts)
		if !toPrev && !toFirst {
			next = append(next, *c)
			continue
		}
		s := r.state(c)
		if s.typ == pendingState {
			potential = append(potential, *c) // released after the skip strategy has seen it
			continue
		}
		if r.handleTimeout {
			at := c.StartTS + r.nfa.window
			if toPrev {
				at = c.PrevTS + s.window
			}
			timeouts = append(timeouts, timedOut{match: r.materialize(r.currentMatch(c)), ts: at})
		}
		if c.HasPrev {
			r.buf.releaseNode(c.Prev, c.Version)
		}
	}
	matches, err := r.emitCompleted(st, potential, &next)
	st.Partial = next
	return matches, timeouts, err
}

// expiry reports whether c's window has passed at ts: the window of the stage it waits in, counted from
// its last event (toPrev), or the pattern's, counted from its first (toFirst).
func (r *nfaRun) expiry(c *computation, ts int64) (toPrev, toFirst bool) {
	s := r.state(c)
	if s.start {
		return false, false
	}
	return expired(ts, c.PrevTS, s.window), expired(ts, c.StartTS, r.nfa.window)
}

// process feeds one event to every partial match and returns the completed matches (Flink: NFA#process),
// then keeps the key within its bounds (enforceLimit).
func (r *nfaRun) process(st *nfaState, v any, ts int64) ([]match, error) {
	ms, err := r.doProcess(st, v, ts)
	if err == nil {
		err = r.enforceLimit(st)
	}
	if err != nil {
		return nil, err
	}
	return ms, nil
}

// doProcess feeds one event to every partial match and returns the completed matches (Flink:
// NFA#doProcess).
func (r *nfaRun) doProcess(st *nfaState, v any, ts int64) ([]match, error) {
	id := r.buf.registerEvent(v, ts)
	defer r.buf.releaseEvent(id)
	var potential []computation
	next := make([]computation, 0, len(st.Partial)+1) // never st.Partial's array: a snapshot may be writing it
	for i := range st.Partial {
		newStates := r.computeNextStates(&st.Partial[i], v, ts, id)
		retained := len(next) // next[retained:] are this branch's
		discard := false
		for _, n := range newStates {
			switch r.state(&n).typ {
			case finalState:
				potential = append(potential, n)
			case stopState:
				discard = true
				if n.HasPrev {
					r.buf.releaseNode(n.Prev, n.Version)
				}
			default:
				next = append(next, n)
			}
		}
		if discard {
			// a stop state was reached on this branch: drop the whole branch
			for _, n := range next[retained:] {
				if n.HasPrev {
					r.buf.releaseNode(n.Prev, n.Version)
				}
			}
			next = next[:retained]
		}
	}
	sortComputations(next)
	sortComputations(potential)
	var result []match
	if r.nfa.skip.isSkip() {
		var err error
		result, err = r.emitCompleted(st, potential, &next)
		if err != nil {
			return nil, err
		}
	} else {
		for i := range potential {
			m := &potential[i]
			paths := r.buf.extractPatterns(m.Prev, m.Version)
			if len(paths) > 0 {
				result = append(result, r.materialize(paths[0]))
			}
			r.buf.releaseNode(m.Prev, m.Version)
		}
	}
	st.Partial = next
	return result, nil
}

// emitCompleted adds potential to the completed matches and emits, earliest first, those that started no
// later than every partial match, pruning partial and completed matches by the skip strategy
// (Flink: NFA#processMatchesAccordingToSkipStrategy).
func (r *nfaRun) emitCompleted(st *nfaState, potential []computation, partial *[]computation) ([]match, error) {
	// never sort in place: the old slice may be the one in keyed state, which a snapshot may be writing
	st.Completed = append(append(make([]computation, 0, len(st.Completed)+len(potential)), st.Completed...), potential...)
	sortComputations(st.Completed)
	sortComputations(*partial)
	var result []match
	for len(st.Completed) > 0 {
		m := st.Completed[0]
		if len(*partial) > 0 && compareComputations(&m, &(*partial)[0]) > 0 {
			break
		}
		st.Completed = st.Completed[1:]
		paths := r.buf.extractPatterns(m.Prev, m.Version)
		if len(paths) > 0 {
			if err := r.prune(partial, paths[0]); err != nil {
				return result, err
			}
			if err := r.prune(&st.Completed, paths[0]); err != nil {
				return result, err
			}
			result = append(result, r.materialize(paths[0]))
		}
		r.buf.releaseNode(m.Prev, m.Version)
	}
	if len(st.Completed) == 0 {
		st.Completed = nil
	} else {
		st.Completed = append([]computation(nil), st.Completed...)
	}
	return result, nil
}

// prune drops the computations the skip strategy discards after match (Flink: AfterMatchSkipStrategy#prune).
func (r *nfaRun) prune(cs *[]computation, match []namedIDs) error {
	id, ok, err := r.nfa.skip.pruningID(match)
	if err != nil || !ok {
		return err
	}
	kept := (*cs)[:0:0]
	for _, c := range *cs {
		if c.HasStart && r.nfa.skip.shouldPrune(c.Start, id) {
			if c.HasPrev {
				r.buf.releaseNode(c.Prev, c.Version)
			}
			continue
		}
		kept = append(kept, c)
	}
	*cs = kept
	return nil
}

type edgeSet struct {
	edges         []*transition
	takeBranches  int
	ignoreBranche int
}

// decisionGraph follows the PROCEED edges from c's state whose conditions hold and collects the TAKE and
// IGNORE edges whose conditions hold, counting the branches they open (Flink: NFA#createDecisionGraph).
func (r *nfaRun) decisionGraph(c *computation, ctx *ConditionContext, v any) edgeSet {
	out := edgeSet{edges: r.edges[:0]} // reused: computeNextStates is done with the last set
	cur := r.state(c)
	var stackBuf [8]*state
	stack := append(stackBuf[:0], cur)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, t := range s.edges {
			if !t.cond.test(v, ctx) {
				continue
			}
			switch t.action {
			case proceed:
				stack = append(stack, t.target)
			case ignore, take:
				if !(t.action == ignore && t.target == cur) {
					if t.action == ignore {
						out.ignoreBranche++
					} else {
						out.takeBranches++
					}
				}
				out.edges = append(out.edges, t)
			}
		}
	}
	r.edges = out.edges
	return out
}

func increasingSelf(ignores, takes int) int {
	if takes == 0 && ignores == 0 {
		return 0
	}
	return ignores + max(1, takes)
}

// computeNextStates returns the computations c becomes with event v (Flink: NFA#computeNextStates).
func (r *nfaRun) computeNextStates(c *computation, v any, ts int64, id eventID) []computation {
	ctx := &r.cond // one per run: a ConditionContext is valid only during the call it is passed to
	*ctx = ConditionContext{nfa: r, cs: c, ts: ts}
	out := r.decisionGraph(c, ctx, v)
	takeToVisit := max(0, out.takeBranches-1)
	ignoreToVisit := out.ignoreBranche
	takeToSkip := max(0, out.takeBranches-1)
	cur := r.state(c)
	res := r.next[:0] // reused: doProcess is done with the last computations before asking for more
	add := func(target *state, prev *nodeID, version dewey, startTS, prevTS int64, start eventID, hasStart bool) {
		n := computation{State: target.id, Version: version, StartTS: startTS, PrevTS: prevTS, Start: start, HasStart: hasStart}
		if prev != nil {
			n.Prev, n.HasPrev = *prev, true
			r.buf.lockNode(*prev, version)
		}
		res = append(res, n)
	}
	var prev *nodeID
	if c.HasPrev {
		p := c.Prev
		prev = &p
	}
	for _, t := range out.edges {
		switch t.action {
		case ignore:
			if cur.start {
				continue
			}
			var version dewey
			if t.target == cur {
				// stays in the same state (a looping or a singleton one)
				version = c.Version.increase(increasingSelf(out.ignoreBranche, out.takeBranches))
			} else {
				// IGNORE after PROCEED
				version = c.Version.increase(takeToSkip + ignoreToVisit).addStage()
				ignoreToVisit--
			}
			add(t.target, prev, version, c.StartTS, c.PrevTS, c.Start, c.HasStart)
		case take:
			currentVersion := c.Version.increase(takeToVisit)
			nextVersion := currentVersion.addStage()
			takeToVisit--
			entry := r.buf.put(t.source.name, id, prev, currentVersion)
			startTS, start := c.StartTS, c.Start
			if cur.start {
				startTS, start = ts, id
			}
			add(t.target, &entry, nextVersion, startTS, ts, start, true)
			// a state that can PROCEED to the final state completes a match at once
			if f := r.finalAfterProceed(ctx, t.target, v); f != nil {
				add(f, &entry, nextVersion, startTS, ts, start, true)
			}
		}
	}
	if cur.start {
		version := c.Version.increase(increasingSelf(out.ignoreBranche, out.takeBranches))
		res = append(res, computation{State: cur.id, Version: version})
	}
	if c.HasPrev {
		r.buf.releaseNode(c.Prev, c.Version)
	}
	r.next = res
	return res
}

func (r *nfaRun) finalAfterProceed(ctx *ConditionContext, s *state, v any) *state {
	stack := []*state{s}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, t := range cur.edges {
			if t.action == proceed && t.cond.test(v, ctx) {
				if t.target.typ == finalState {
					return t.target
				}
				stack = append(stack, t.target)
			}
		}
	}
	return nil
}

// currentMatch returns the events c has taken so far, by stage.
func (r *nfaRun) currentMatch(c *computation) []namedIDs {
	if !c.HasPrev {
		return nil
	}
	paths := r.buf.extractPatterns(c.Prev, c.Version)
	if len(paths) == 0 {
		return nil
	}
	return paths[0]
}

// materialize reads the events of m from the shared buffer.
func (r *nfaRun) materialize(m []namedIDs) match {
	out := match{events: make(map[string][]any, len(m)), stages: make([]string, len(m))}
	for i, st := range m {
		evs := make([]any, len(st.ids))
		for j, id := range st.ids {
			evs[j] = r.buf.event(id)
		}
		out.events[st.name] = evs
		out.stages[i] = st.name
	}
	return out
}

// Compile compiles p into its NFA, or returns why Flink would refuse p (an error wrapping
// ErrMalformedPattern). Pattern calls it; a notebook can call it to check a pattern.
func Compile(p *Pattern) error {
	_, err := compile(p)
	if err != nil {
		return fmt.Errorf("compile pattern: %w", err)
	}
	return nil
}
