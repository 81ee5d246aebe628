package cep

import (
	"fmt"
	"strings"
)

// Describe draws the state machine p compiles to, as text for a notebook: one block per state, reached
// from the start state, with its outgoing edges (TAKE consumes the event, IGNORE skips it, PROCEED moves
// on without consuming it) and their conditions, named after the stages whose Where they test
// ("where(b)"; "!" negates, "&&" joins). A pattern Flink would refuse is described by its error.
func Describe(p *Pattern) string {
	n, err := compile(p)
	if err != nil {
		return "refused: " + err.Error()
	}
	return n.describe()
}

func (n *compiledNFA) describe() string {
	order := []*state{n.start}
	seen := map[*state]int{n.start: 0}
	for i := 0; i < len(order); i++ {
		for _, t := range order[i].edges {
			if _, ok := seen[t.target]; !ok {
				seen[t.target] = len(order)
				order = append(order, t.target)
			}
		}
	}
	label := func(s *state) string { return fmt.Sprintf("(%d) %s", seen[s], s.name) }
	var b strings.Builder
	fmt.Fprintf(&b, "skip strategy: %v", n.skip)
	if n.window > 0 {
		fmt.Fprintf(&b, ", within %dms of the first event", n.window)
	}
	fmt.Fprintf(&b, "\n%d states\n", len(order))
	for _, s := range order {
		kind := ""
		switch {
		case s.start:
			kind = "  [start]"
		case s.typ == finalState:
			kind = "  [final: match]"
		case s.typ == stopState:
			kind = "  [stop: discard]"
		case s.typ == pendingState:
			kind = "  [pending: match when the window passes]"
		}
		if s.window > 0 {
			kind += fmt.Sprintf("  [within %dms of the previous event]", s.window)
		}
		fmt.Fprintf(&b, "%s%s\n", label(s), kind)
		for i, t := range s.edges {
			branch := "├─"
			if i == len(s.edges)-1 {
				branch = "└─"
			}
			target := label(t.target)
			if t.target == s {
				target = "itself"
			}
			fmt.Fprintf(&b, "  %s %-7s ──▶ %s   if %s\n", branch, t.action, target, t.cond.desc)
		}
	}
	return b.String()
}
