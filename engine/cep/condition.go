package cep

// ConditionContext is what a Condition sees of the partial match it would extend: Flink's
// IterativeCondition.Context. It is valid only during the call it is passed to.
type ConditionContext struct {
	nfa     *nfaRun
	cs      *computation
	ts      int64
	matched map[string][]any
	loaded  bool
}

// EventsForPattern returns the events the partial match has taken so far for the stage called name, in
// the order they were taken (none for a stage it has not reached). It is computed from the shared buffer
// on the first call.
func (c *ConditionContext) EventsForPattern(name string) []any {
	if !c.loaded {
		c.loaded = true
		if c.nfa != nil && c.cs != nil {
			c.matched = c.nfa.materialize(c.nfa.currentMatch(c.cs)).events
		}
	}
	return c.matched[name]
}

// Timestamp returns the timestamp of the event being tested.
func (c *ConditionContext) Timestamp() int64 { return c.ts }

// CurrentProcessingTime returns the operator's processing time (0 outside an operator).
func (c *ConditionContext) CurrentProcessingTime() int64 {
	if c.nfa != nil && c.nfa.now != nil {
		return c.nfa.now()
	}
	return 0
}

// cond is a compiled edge condition: a function (nil means always true) and a description for Describe.
type cond struct {
	f    Condition
	desc string
}

var trueCond = cond{desc: "true"}

func (c cond) test(e any, ctx *ConditionContext) bool { return c.f == nil || c.f(e, ctx) }

func notCond(c cond) cond {
	if c.f == nil {
		return cond{f: func(any, *ConditionContext) bool { return false }, desc: "false"}
	}
	f := c.f
	return cond{f: func(e any, ctx *ConditionContext) bool { return !f(e, ctx) }, desc: "!" + paren(c.desc)}
}

func andCond(a, b cond) cond {
	switch {
	case a.f == nil:
		return b
	case b.f == nil:
		return a
	}
	f, g := a.f, b.f
	return cond{f: func(e any, ctx *ConditionContext) bool { return f(e, ctx) && g(e, ctx) }, desc: paren(a.desc) + " && " + paren(b.desc)}
}

func paren(s string) string {
	for _, r := range s {
		if r == ' ' {
			return "(" + s + ")"
		}
	}
	return s
}
