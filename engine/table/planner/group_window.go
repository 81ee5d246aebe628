package planner

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// Flink's legacy group windows: GROUP BY k, TUMBLE(ts, size), HOP(ts, slide, size) or SESSION(ts, gap),
// with the auxiliary functions TUMBLE_START, TUMBLE_END, TUMBLE_ROWTIME and TUMBLE_PROCTIME (and HOP_...,
// SESSION_...) in the select list and HAVING. Flink plans them as a GroupWindowAggregate; Weir plans them
// as the window aggregation of the equivalent window TVF, whose results are the same: one +I row per
// window and group when the window ends. A SESSION group window's sessions are per group, as in Flink.

// groupWindowKinds are the group window functions and their parameters after the time attribute.
var groupWindowKinds = map[string]struct {
	kind   WindowKind
	params []string
}{
	"TUMBLE":  {Tumble, []string{"SIZE", "OFFSET"}},
	"HOP":     {Hop, []string{"SLIDE", "SIZE", "OFFSET"}},
	"SESSION": {Session, []string{"GAP"}},
}

// groupWindowAux are the auxiliary functions' suffixes and the window property each returns.
var groupWindowAux = map[string]int{"_START": propStart, "_END": propEnd, "_ROWTIME": propTime, "_PROCTIME": propTime}

// Internal names of the window columns a group window adds to its input's scope; a query cannot name them.
const (
	gwStart = "$window_start"
	gwEnd   = "$window_end"
	gwTime  = "$window_time"
)

// groupWindowCall returns the index of the group window function in GROUP BY, or -1 if there is none;
// more than one is refused, as in Flink.
func groupWindowCall(groupBy []sqlparse.Expr) (int, error) {
	found := -1
	for i, g := range groupBy {
		c, ok := g.(*sqlparse.Call)
		if !ok || c.Over != nil {
			continue
		}
		if _, ok := groupWindowKinds[c.Name]; !ok {
			continue
		}
		if found >= 0 {
			return -1, errAt(c.Pos, ErrValidation, "Only a single window group function may be used in GROUP BY")
		}
		found = i
	}
	return found, nil
}

// groupWindowAggregate plans a GROUP BY with a group window function (at index gi) as a window
// aggregation over the window TVF of the same window.
func (p *Planner) groupWindowAggregate(s *sqlparse.Select, items []sqlparse.SelectItem, gi int, in Node, sc *scope, filter *cexpr) (Node, *scope, error) {
	call := s.GroupBy[gi].(*sqlparse.Call)
	def := groupWindowKinds[call.Name]
	if len(call.Args) < len(def.params) || len(call.Args) > 1+len(def.params) || def.kind == Session && len(call.Args) != 2 {
		return nil, nil, errAt(call.Pos, ErrValidation, "%s needs the time attribute and %s", call.Name, strings.ToLower(strings.Join(def.params, ", ")))
	}
	id, ok := call.Args[0].(*sqlparse.Ident)
	if !ok {
		return nil, nil, errAt(call.Args[0].ExprPos(), ErrValidation, "the first argument of %s must be a time attribute column", call.Name)
	}
	col, err := sc.resolve(id)
	if err != nil {
		return nil, nil, err
	}
	w := WindowSpec{Kind: def.kind, TimeCol: col}
	if err := checkTimeAttribute(sc.fields[col].typ, id.Pos, id.Parts[len(id.Parts)-1]); err != nil {
		return nil, nil, err
	}
	w.Proctime = sc.fields[col].typ.Proctime
	for i, a := range call.Args[1:] {
		iv, ok := a.(*sqlparse.Interval)
		if !ok {
			return nil, nil, errAt(a.ExprPos(), ErrValidation, "argument %s of %s must be an INTERVAL literal", def.params[i], call.Name)
		}
		ms, err := intervalMillis(iv)
		if err != nil {
			return nil, nil, err
		}
		if ms <= 0 && def.params[i] != "OFFSET" {
			return nil, nil, errAt(a.ExprPos(), ErrValidation, "argument %s of %s must be positive", def.params[i], call.Name)
		}
		switch def.params[i] {
		case "SIZE":
			w.Size = ms
		case "SLIDE":
			w.Slide = ms
		case "GAP":
			w.Gap = ms
		case "OFFSET":
			w.Offset = ms
		}
	}
	if w.Kind == Hop && w.Size%w.Slide != 0 {
		return nil, nil, errAt(call.Pos, ErrValidation, "HOP window size must be an integral multiple of its slide, but got size %dms and slide %dms", w.Size, w.Slide)
	}
	cols := windowColumns(sc.columns(), gwStart, gwEnd, gwTime, w.Proctime)
	tvf := &WindowTVFNode{Input: in, Window: w, Cols: cols}
	wsc := newScope(cols, "")
	copy(wsc.fields, sc.fields) // keep the qualifiers of the input's columns
	for i := range sc.fields {
		wsc.fields[i].typ = cols[i].Type
	}
	text := ExprString(call)
	args := exprTexts2(call.Args)
	// The auxiliary functions must name the window of GROUP BY: same kind, same arguments.
	var bad error
	rewrite := func(e sqlparse.Expr) sqlparse.Expr {
		return replaceExpr(e, func(x sqlparse.Expr) (sqlparse.Expr, bool) {
			c, ok := x.(*sqlparse.Call)
			if !ok || c.Over != nil {
				return nil, false
			}
			if _, ok := groupWindowKinds[c.Name]; ok {
				if bad == nil && ExprString(c) != text {
					bad = errAt(c.Pos, ErrValidation, "%s is not the group window of GROUP BY (%s)", ExprString(c), text)
				}
				return nil, false
			}
			for suffix, prop := range groupWindowAux {
				kind, found := strings.CutSuffix(c.Name, suffix)
				if !found {
					continue
				}
				if kind != call.Name || exprTexts2(c.Args) != args {
					if bad == nil {
						bad = errAt(c.Pos, ErrValidation, "%s does not match the group window %s of GROUP BY", ExprString(c), text)
					}
					return nil, false
				}
				if (suffix == "_PROCTIME") != w.Proctime && suffix != "_START" && suffix != "_END" {
					if bad == nil {
						bad = errAt(c.Pos, ErrValidation, "%s needs a window on a %s attribute", c.Name, map[bool]string{true: "processing-time", false: "event-time"}[suffix == "_PROCTIME"])
					}
					return nil, false
				}
				name := map[int]string{propStart: gwStart, propEnd: gwEnd, propTime: gwTime}[prop]
				return &sqlparse.Ident{Pos: c.Pos, Parts: []string{name}}, true
			}
			return nil, false
		})
	}
	s2 := *s
	s2.GroupBy = nil
	for i, g := range s.GroupBy {
		if i == gi {
			s2.GroupBy = append(s2.GroupBy, &sqlparse.Ident{Pos: call.Pos, Parts: []string{gwStart}}, &sqlparse.Ident{Pos: call.Pos, Parts: []string{gwEnd}},
				&sqlparse.Ident{Pos: call.Pos, Parts: []string{gwTime}})
			continue
		}
		s2.GroupBy = append(s2.GroupBy, g)
	}
	items2 := make([]sqlparse.SelectItem, len(items))
	for i, it := range items {
		items2[i] = it
		items2[i].Expr = rewrite(it.Expr)
		if it.Alias == "" {
			items2[i].Alias = itemName(it, i)
		}
	}
	s2.Having = rewrite(s.Having)
	if bad != nil {
		return nil, nil, bad
	}
	return p.aggregate(&s2, items2, tvf, wsc, filter)
}

func exprTexts2(es []sqlparse.Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = ExprString(e)
	}
	return fmt.Sprint(s)
}

// replaceExpr returns e with every subexpression x for which f returns (y, true) replaced by y; the nodes
// on the way are copied, e itself is not changed.
func replaceExpr(e sqlparse.Expr, f func(sqlparse.Expr) (sqlparse.Expr, bool)) sqlparse.Expr {
	if e == nil {
		return nil
	}
	if y, ok := f(e); ok {
		return y
	}
	r := func(x sqlparse.Expr) sqlparse.Expr { return replaceExpr(x, f) }
	list := func(xs []sqlparse.Expr) []sqlparse.Expr {
		out := make([]sqlparse.Expr, len(xs))
		for i, x := range xs {
			out[i] = r(x)
		}
		return out
	}
	switch x := e.(type) {
	case *sqlparse.Unary:
		c := *x
		c.X = r(x.X)
		return &c
	case *sqlparse.Binary:
		c := *x
		c.L, c.R = r(x.L), r(x.R)
		return &c
	case *sqlparse.Call:
		c := *x
		c.Args = list(x.Args)
		return &c
	case *sqlparse.Case:
		c := *x
		c.Operand, c.Else = r(x.Operand), r(x.Else)
		c.Whens = make([]sqlparse.When, len(x.Whens))
		for i, w := range x.Whens {
			c.Whens[i] = sqlparse.When{Cond: r(w.Cond), Result: r(w.Result)}
		}
		return &c
	case *sqlparse.Cast:
		c := *x
		c.X = r(x.X)
		return &c
	case *sqlparse.IsNull:
		c := *x
		c.X = r(x.X)
		return &c
	case *sqlparse.IsBool:
		c := *x
		c.X = r(x.X)
		return &c
	case *sqlparse.Between:
		c := *x
		c.X, c.Lo, c.Hi = r(x.X), r(x.Lo), r(x.Hi)
		return &c
	case *sqlparse.In:
		c := *x
		c.X, c.List = r(x.X), list(x.List)
		return &c
	case *sqlparse.Like:
		c := *x
		c.X, c.Pattern = r(x.X), r(x.Pattern)
		return &c
	}
	return e
}
