package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// MatchRecognizeNode is Flink's Match (MATCH_RECOGNIZE), run on package cep: per partition (PARTITION BY;
// without it one NFA for the whole table, in one subtask), the rows in the order of the time attribute
// (event time: a row waits until the watermark passes it; processing time: as it arrives) are matched
// against the pattern, a sequence of variables with quantifiers compiled as Flink's MATCH_RECOGNIZE
// translation does (concatenation is strict contiguity, Next; a looping quantifier is consecutive and,
// unless reluctant, greedy), each variable's rows satisfying its DEFINE condition (a variable without one
// matches any row). Each match emits one row, ONE ROW PER MATCH: the partition columns, then the measures.
// The output is insert-only and has no time attribute.
type MatchRecognizeNode struct {
	Input     Node
	Partition []*cexpr
	TimeCol   int
	Proctime  bool
	// Order is the ORDER BY keys after the time attribute, which order rows of the same time (Flink's
	// EventComparator; event time only), Desc their directions.
	Order    []*cexpr
	Desc     []bool
	Terms    []sqlparse.PatternTerm
	Define   map[string]*matchExpr
	Measures []*matchExpr
	Skip     string // "PAST LAST ROW", "TO NEXT ROW" (the default), "TO FIRST" or "TO LAST" (SkipVar)
	SkipVar  string
	Within   int64 // milliseconds; 0 for none
	Cols     []Column
	text     string // the clause's parts, for Describe
}

func (n *MatchRecognizeNode) Columns() []Column { return n.Cols }
func (n *MatchRecognizeNode) Updating() bool    { return false }
func (n *MatchRecognizeNode) Inputs() []Node    { return []Node{n.Input} }
func (n *MatchRecognizeNode) Describe() string  { return "Match(" + n.text + ")" }

// Navigation in DEFINE and MEASURES, as Flink defines it: in the DEFINE of variable X, a bare column and
// X.col read the current row, Y.col the last row mapped to Y so far; in MEASURES a bare column reads the last
// row of the match and Y.col the last row of Y. FIRST(e [, n]) and LAST(e [, n]) read e on the n-th row
// (default 0) from the first or the last row of the variable e names (all rows of the match when it names
// none; in X's DEFINE X's rows include the current one), NULL when there is none; SUM, COUNT, AVG, MIN and
// MAX aggregate e over those rows. Weir's patterns are sequences, so the rows of the match are those of each
// variable in pattern order.
//
// PREV(e [, n]) and NEXT(e [, n]) are physical offsets, which Flink refuses unless n is 0 (the default is
// 1): PREV(e, 0) and NEXT(e, 0) read e as LAST(e, 0) does. MATCH_ROWTIME() and MATCH_PROCTIME() in
// MEASURES are the match's time: its event time (the timestamp of the row that completed it, a
// TIMESTAMP(3) rowtime attribute; MATCH_ROWTIME(ts) has the type of the time attribute ts) or the
// processing time it was emitted at (a TIMESTAMP_LTZ(3) processing-time attribute).
const (
	navLast = iota
	navFirst
	navAgg
	navRowtime
	navProctime
)

// matchTime is the time of the match (or, in DEFINE, of the row) an expression is evaluated for:
// milliseconds of event time and of processing time.
type matchTime struct{ rowtime, proctime int64 }

// navSpec is one navigation of a DEFINE or MEASURES expression, computed into an extra column of the row
// the expression is evaluated on.
type navSpec struct {
	kind   int
	v      string // the pattern variable; "" for all rows of the match
	offset int
	arg    *cexpr   // on an input row; nil for COUNT(*)
	agg    *aggCall // navAgg
	typ    DataType // navRowtime
}

// matchExpr is a DEFINE condition or a measure: an expression over the input row followed by the values
// of its navigations.
type matchExpr struct {
	expr *cexpr
	navs []navSpec
	text string
}

// eval evaluates the expression with cur as the current row and rows giving each variable's rows ("" for
// all of them).
func (m *matchExpr) eval(cur []any, rows func(v string) [][]any, at matchTime) (any, error) {
	full := make([]any, 0, len(cur)+len(m.navs))
	full = append(full, cur...)
	for _, nv := range m.navs {
		switch nv.kind {
		case navRowtime:
			full = append(full, coerce(time.UnixMilli(at.rowtime).UTC(), nv.typ))
			continue
		case navProctime:
			full = append(full, time.UnixMilli(at.proctime).UTC())
			continue
		}
		rs := rows(nv.v)
		switch nv.kind {
		case navLast, navFirst:
			i := len(rs) - 1 - nv.offset
			if nv.kind == navFirst {
				i = nv.offset
			}
			if i < 0 || i >= len(rs) {
				full = append(full, nil)
				continue
			}
			v, err := nv.arg.eval(rs[i])
			if err != nil {
				return nil, err
			}
			full = append(full, v)
		default:
			var acc aggAcc
			for _, r := range rs {
				var v any
				if nv.arg != nil {
					var err error
					if v, err = nv.arg.eval(r); err != nil {
						return nil, err
					}
				}
				nv.agg.accumulate(&acc, v, 1)
			}
			full = append(full, nv.agg.result(&acc))
		}
	}
	return m.expr.eval(full)
}

// matchRecognize plans FROM input MATCH_RECOGNIZE (...).
func (p *Planner) matchRecognize(x *sqlparse.MatchRecognize) (Node, *scope, error) {
	in, sc, err := p.from(x.Input)
	if err != nil {
		return nil, nil, err
	}
	if in.Updating() {
		return nil, nil, errAt(x.Pos, ErrUnsupported, "Match Recognize doesn't support consuming update and delete changes")
	}
	if x.AllRows {
		return nil, nil, errAt(x.Pos, ErrUnsupported, "All rows per match mode is not supported yet.")
	}
	// Flink's PatternTranslator (StreamExecMatch) translates a sequence of quantified variables only.
	if c := x.Construct; c != nil {
		reason := map[string]string{
			"alternation": "Expression not supported: %s. Currently, CEP doesn't support branching patterns.",
			"group":       "Expression not supported: %s Group patterns are not supported yet.",
			"permute":     "Expression not supported: %s. Currently, CEP doesn't support PERMUTE patterns.",
			"exclusion":   "Expression not supported: %s. Currently, CEP doesn't support '{-' '-}' patterns.",
		}[c.Kind]
		return nil, nil, errAt(c.Pos, ErrUnsupported, reason, c.Text)
	}
	n := &MatchRecognizeNode{Input: in, Terms: x.Pattern, Define: map[string]*matchExpr{}, Skip: x.Skip, SkipVar: x.SkipVar}
	vars := map[string]bool{}
	var varNames []string
	for _, t := range x.Pattern {
		if vars[t.Var] {
			return nil, nil, errAt(t.Pos, ErrUnsupported, "Pattern variables must be unique. That might change in the future. (%s appears twice)", t.Var)
		}
		if t.Max == 0 || t.Max > 0 && t.Max < t.Min {
			return nil, nil, errAt(t.Pos, ErrValidation, "the quantifier of %s takes %d to %d rows", t.Var, t.Min, t.Max)
		}
		if t.Min == 0 && t.Max == 1 && t.Reluctant {
			return nil, nil, errAt(t.Pos, ErrUnsupported, "Reluctant optional variables are not supported yet. (%s??)", t.Var)
		}
		vars[t.Var] = true
		varNames = append(varNames, t.Var)
	}
	if len(x.Pattern) == 0 {
		return nil, nil, errAt(x.Pos, ErrValidation, "PATTERN needs at least one variable")
	}
	empty := true
	for _, t := range x.Pattern {
		empty = empty && t.Min == 0
	}
	if empty { // Flink's StreamExecMatch, on NFACompiler.canProduceEmptyMatches
		return nil, nil, errAt(x.Pos, ErrUnsupported, "Patterns that can produce empty matches are not supported. There must be at least one non-optional state.")
	}
	if last := x.Pattern[len(x.Pattern)-1]; last.Max != last.Min && last.Max != 1 && !last.Reluctant {
		return nil, nil, errAt(last.Pos, ErrUnsupported, "Greedy quantifiers are not allowed as the last element of a Pattern yet. Finish your pattern with either a simple variable or reluctant quantifier.")
	}
	if (n.Skip == "TO FIRST" || n.Skip == "TO LAST") && !vars[n.SkipVar] {
		return nil, nil, errAt(x.Pos, ErrValidation, "AFTER MATCH SKIP %s %s: no such pattern variable%s", n.Skip, n.SkipVar, suggest(n.SkipVar, varNames))
	}
	// ORDER BY: a time attribute, ascending, first (Flink also allows secondary orders; Weir does not).
	const order = "You must specify either rowtime or proctime for order by as the first one."
	if len(x.OrderBy) == 0 {
		return nil, nil, errAt(x.Pos, ErrValidation, "%s", order)
	}
	id, ok := x.OrderBy[0].Expr.(*sqlparse.Ident)
	if !ok {
		return nil, nil, errAt(x.OrderBy[0].Expr.ExprPos(), ErrValidation, "%s", order)
	}
	tc, err := sc.resolve(id)
	if err != nil {
		return nil, nil, err
	}
	if !sc.fields[tc].typ.isTimeAttribute() {
		return nil, nil, errAt(id.Pos, ErrValidation, "%s", order)
	}
	if x.OrderBy[0].Desc {
		return nil, nil, errAt(id.Pos, ErrValidation, "Primary sort order of a streaming table must be ascending on time.")
	}
	n.TimeCol, n.Proctime = tc, sc.fields[tc].typ.Proctime
	b := &binder{scope: sc}
	orderText := []string{sc.fields[tc].name + " ASC"}
	for _, o := range x.OrderBy[1:] {
		c, err := b.bind(o.Expr)
		if err != nil {
			return nil, nil, err
		}
		n.Order, n.Desc = append(n.Order, c), append(n.Desc, o.Desc)
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		orderText = append(orderText, c.text+dir)
	}
	for _, e := range x.PartitionBy {
		c, err := b.bind(e)
		if err != nil {
			return nil, nil, err
		}
		if c.ref == 0 {
			return nil, nil, errAt(e.ExprPos(), ErrValidation, "PARTITION BY of MATCH_RECOGNIZE takes columns")
		}
		n.Partition = append(n.Partition, c)
		n.Cols = append(n.Cols, Column{Name: sc.fields[c.ref-1].name, Type: c.typ.plain()})
	}
	if x.Within != nil {
		iv, ok := x.Within.(*sqlparse.Interval)
		if !ok {
			return nil, nil, errAt(x.Within.ExprPos(), ErrValidation, "WITHIN takes an INTERVAL literal")
		}
		if n.Within, err = intervalMillis(iv); err != nil {
			return nil, nil, err
		}
		if n.Within <= 0 {
			return nil, nil, errAt(x.Within.ExprPos(), ErrValidation, "WITHIN must be positive")
		}
	}
	var defs []string
	for _, d := range x.Define {
		if !vars[d.Var] {
			return nil, nil, errAt(d.Pos, ErrValidation, "DEFINE %s: no such pattern variable%s", d.Var, suggest(d.Var, varNames))
		}
		m, err := n.bindMatchExpr(d.Cond, sc, vars, d.Var)
		if err != nil {
			return nil, nil, err
		}
		if m.expr.typ.Kind != KindBoolean && m.expr.typ.Kind != KindNull {
			return nil, nil, errAt(d.Cond.ExprPos(), ErrValidation, "DEFINE %s must be a condition, not %s", d.Var, m.expr.typ)
		}
		n.Define[d.Var] = m
		defs = append(defs, d.Var+" AS "+m.text)
	}
	var measures []string
	for _, it := range x.Measures {
		m, err := n.bindMatchExpr(it.Expr, sc, vars, "")
		if err != nil {
			return nil, nil, err
		}
		n.Measures = append(n.Measures, m)
		typ := m.expr.typ.plain()
		if len(m.navs) == 1 && m.expr.ref == len(sc.fields)+1 { // the measure is MATCH_ROWTIME() or MATCH_PROCTIME() itself
			typ.Rowtime, typ.Proctime = m.navs[0].kind == navRowtime, m.navs[0].kind == navProctime
		}
		n.Cols = append(n.Cols, Column{Name: it.Alias, Type: typ})
		measures = append(measures, m.text+" AS "+it.Alias)
	}
	if err := uniqueNames(n.Cols, x.Pos); err != nil {
		return nil, nil, err
	}
	var pattern []string
	for _, t := range x.Pattern {
		pattern = append(pattern, t.Var+t.Quantifier())
	}
	n.text = fmt.Sprintf("partitionBy=[%s], orderBy=[%s], measures=[%s], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP %s], pattern=[%s], define=[%s]",
		exprTexts(n.Partition), strings.Join(orderText, ", "), strings.Join(measures, ", "), strings.TrimSpace(n.Skip+" "+n.SkipVar), strings.Join(pattern, " "), strings.Join(defs, ", "))
	if n.Within > 0 {
		n.text += fmt.Sprintf(", within=[%dms]", n.Within)
	}
	if _, err := n.pattern(); err != nil {
		return nil, nil, errAt(x.Pos, ErrUnsupported, "%v", err)
	}
	q := x.Alias
	return n, newScope(n.Cols, q), nil
}

// bindMatchExpr binds a DEFINE condition (of variable defining) or, with defining "", a measure: each
// navigation becomes an extra column of the row it is evaluated on.
func (n *MatchRecognizeNode) bindMatchExpr(e sqlparse.Expr, sc *scope, vars map[string]bool, defining string) (*matchExpr, error) {
	m := &matchExpr{text: ExprString(e)}
	var bad error
	fail := func(err error) (sqlparse.Expr, bool) {
		if bad == nil {
			bad = err
		}
		return nil, false
	}
	// varOf strips the pattern variable from the columns an argument reads and returns it ("" for none).
	varOf := func(arg sqlparse.Expr) (sqlparse.Expr, string, error) {
		v := ""
		var err error
		out := replaceExpr(arg, func(x sqlparse.Expr) (sqlparse.Expr, bool) {
			id, ok := x.(*sqlparse.Ident)
			if !ok || len(id.Parts) != 2 || !vars[id.Parts[0]] {
				return nil, false
			}
			if v != "" && v != id.Parts[0] && err == nil {
				err = errAt(id.Pos, ErrValidation, "an expression inside a navigation or aggregate reads one pattern variable, not %s and %s", v, id.Parts[0])
			}
			v = id.Parts[0]
			return &sqlparse.Ident{Pos: id.Pos, Parts: id.Parts[1:]}, true
		})
		return out, v, err
	}
	b := &binder{scope: sc}
	var navTypes []DataType
	nav := func(pos sqlparse.Pos, spec navSpec, typ DataType) sqlparse.Expr {
		m.navs = append(m.navs, spec)
		navTypes = append(navTypes, typ)
		return &sqlparse.Ident{Pos: pos, Parts: []string{fmt.Sprintf("$nav%d", len(m.navs)-1)}}
	}
	rewritten := replaceExpr(e, func(x sqlparse.Expr) (sqlparse.Expr, bool) {
		switch y := x.(type) {
		case *sqlparse.Ident:
			if len(y.Parts) == 2 && vars[y.Parts[0]] {
				if y.Parts[0] == defining {
					return &sqlparse.Ident{Pos: y.Pos, Parts: y.Parts[1:]}, true // the current row
				}
				arg, err := b.bind(&sqlparse.Ident{Pos: y.Pos, Parts: y.Parts[1:]})
				if err != nil {
					return fail(err)
				}
				return nav(y.Pos, navSpec{kind: navLast, v: y.Parts[0], arg: arg}, arg.typ.nullable()), true
			}
			if len(y.Parts) == 1 && defining == "" {
				arg, err := b.bind(y)
				if err != nil {
					return fail(err)
				}
				return nav(y.Pos, navSpec{kind: navLast, arg: arg}, arg.typ.nullable()), true // the last row of the match
			}
		case *sqlparse.Call:
			if y.Over != nil {
				return fail(errAt(y.Pos, ErrUnsupported, "%s OVER is not allowed in MATCH_RECOGNIZE", y.Name))
			}
			if y.Name == "MATCH_ROWTIME" || y.Name == "MATCH_PROCTIME" {
				return n.matchTimeNav(y, sc, defining, nav, fail)
			}
			if y.Name == "FIRST" || y.Name == "LAST" || y.Name == "PREV" || y.Name == "NEXT" {
				if len(y.Args) < 1 || len(y.Args) > 2 {
					return fail(errAt(y.Pos, ErrValidation, "%s takes an expression and an optional offset", y.Name))
				}
				argExpr, v, err := varOf(y.Args[0])
				if err != nil {
					return fail(err)
				}
				spec := navSpec{kind: navLast, v: v}
				if y.Name == "FIRST" {
					spec.kind = navFirst
				}
				physical := y.Name == "PREV" || y.Name == "NEXT"
				if physical {
					spec.offset = 1 // Calcite's default offset of PREV and NEXT
				}
				if len(y.Args) == 2 {
					lit, ok := y.Args[1].(*sqlparse.Literal)
					if !ok || lit.Kind != sqlparse.LitNumber {
						return fail(errAt(y.Args[1].ExprPos(), ErrValidation, "the offset of %s must be a non-negative integer literal", y.Name))
					}
					if _, err := fmt.Sscan(lit.Text, &spec.offset); err != nil || spec.offset < 0 || strings.ContainsAny(lit.Text, ".eE") {
						return fail(errAt(lit.Pos, ErrValidation, "the offset of %s must be a non-negative integer literal, not %s", y.Name, lit.Text))
					}
				}
				if physical && spec.offset != 0 {
					return fail(errAt(y.Pos, ErrUnsupported, "Flink does not support physical offsets within partition. (%s with offset %d: use LAST(e, n), which counts the rows mapped to the pattern)", y.Name, spec.offset))
				}
				if spec.arg, err = b.bind(argExpr); err != nil {
					return fail(err)
				}
				return nav(y.Pos, spec, spec.arg.typ.nullable()), true
			}
			if isAggregate(y.Name) {
				spec := navSpec{kind: navAgg}
				ac := &aggCall{fn: y.Name, distinct: y.Distinct, text: ExprString(y)}
				switch {
				case y.Star:
					if y.Name != "COUNT" {
						return fail(errAt(y.Pos, ErrValidation, "%s(*) is not allowed: only COUNT(*)", y.Name))
					}
					ac.typ, _ = aggResultType("COUNT", DataType{})
				case len(y.Args) != 1:
					return fail(errAt(y.Pos, ErrValidation, "Invalid number of arguments to function '%s': %d", y.Name, len(y.Args)))
				default:
					argExpr, v, err := varOf(y.Args[0])
					if err != nil {
						return fail(err)
					}
					spec.v = v
					if spec.arg, err = b.bind(argExpr); err != nil {
						return fail(err)
					}
					ac.arg = spec.arg
					if ac.typ, err = aggResultType(y.Name, spec.arg.typ); err != nil {
						return fail(errAt(y.Pos, ErrValidation, "%v", err))
					}
				}
				spec.agg = ac
				return nav(y.Pos, spec, ac.typ), true
			}
		}
		return nil, false
	})
	if bad != nil {
		return nil, bad
	}
	full := &scope{fields: append([]field{}, sc.fields...)}
	for i, t := range navTypes {
		full.fields = append(full.fields, field{name: fmt.Sprintf("$nav%d", i), typ: t})
	}
	c, err := (&binder{scope: full}).bind(rewritten)
	if err != nil {
		return nil, err
	}
	m.expr = c
	return m, nil
}

// matchTimeNav binds MATCH_ROWTIME([ts]) or MATCH_PROCTIME() in a measure as a navigation to the match's
// time.
func (n *MatchRecognizeNode) matchTimeNav(y *sqlparse.Call, sc *scope, defining string,
	nav func(sqlparse.Pos, navSpec, DataType) sqlparse.Expr, fail func(error) (sqlparse.Expr, bool)) (sqlparse.Expr, bool) {
	if defining != "" {
		return fail(errAt(y.Pos, ErrValidation, "%s() is allowed in MEASURES only, not in the DEFINE of %s", y.Name, defining))
	}
	if y.Name == "MATCH_PROCTIME" {
		if len(y.Args) != 0 || y.Star {
			return fail(errAt(y.Pos, ErrValidation, "MATCH_PROCTIME() takes no arguments"))
		}
		return nav(y.Pos, navSpec{kind: navProctime}, DataType{Kind: KindTimestampLTZ, Precision: 3, NotNull: true}), true
	}
	if n.Proctime {
		return fail(errAt(y.Pos, ErrValidation, "MATCH_ROWTIME() needs a MATCH_RECOGNIZE ordered by an event-time attribute; %s is a processing-time attribute: use MATCH_PROCTIME()", sc.fields[n.TimeCol].name))
	}
	typ := DataType{Kind: KindTimestamp, Precision: 3, NotNull: true}
	switch {
	case len(y.Args) == 1:
		id, ok := y.Args[0].(*sqlparse.Ident)
		if !ok {
			return fail(errAt(y.Args[0].ExprPos(), ErrValidation, "MATCH_ROWTIME takes the time attribute of the ORDER BY, %s", sc.fields[n.TimeCol].name))
		}
		i, err := sc.resolve(id)
		if err != nil {
			return fail(err)
		}
		if i != n.TimeCol {
			return fail(errAt(id.Pos, ErrValidation, "MATCH_ROWTIME takes the time attribute of the ORDER BY, %s, not %s", sc.fields[n.TimeCol].name, sc.fields[i].name))
		}
		typ = sc.fields[i].typ.plain()
		typ.NotNull = true
	case len(y.Args) > 1 || y.Star:
		return fail(errAt(y.Pos, ErrValidation, "MATCH_ROWTIME takes no argument or the time attribute of the ORDER BY"))
	}
	return nav(y.Pos, navSpec{kind: navRowtime, typ: typ}, typ), true
}

// comparator orders the rows of the same time by the ORDER BY keys after the time attribute.
func (n *MatchRecognizeNode) comparator() cep.EventComparator {
	keys := func(r []any) []any {
		out := make([]any, len(n.Order))
		for i, o := range n.Order {
			out[i], _ = o.eval(r) // a key that fails to evaluate orders as NULL
		}
		return out
	}
	return func(a, b any) int {
		return compareSort(keys(a.(Row).Fields), keys(b.(Row).Fields), n.Desc)
	}
}

// skipStrategy is the CEP skip strategy of AFTER MATCH SKIP. As in Flink, TO FIRST v and TO LAST v fail the
// job when a match has no row of v or would resume at its own first row (which would find it again).
func (n *MatchRecognizeNode) skipStrategy() cep.AfterMatchSkipStrategy {
	switch n.Skip {
	case "TO NEXT ROW":
		return cep.SkipToNext()
	case "TO FIRST": // Flink's translation makes both throw on a miss
		return cep.SkipToFirst(n.SkipVar).ThrowExceptionOnMiss()
	case "TO LAST":
		return cep.SkipToLast(n.SkipVar).ThrowExceptionOnMiss()
	}
	return cep.SkipPastLastEvent()
}

// pattern builds the CEP pattern, as Flink's MATCH_RECOGNIZE translation does: the variables in sequence
// with strict contiguity; * is oneOrMore().optional(), + oneOrMore(), ? optional(), {n} times(n), {n,}
// timesOrMore(n), {n,m} times(n, m), each looping one consecutive and, unless reluctant (a trailing ?),
// greedy.
func (n *MatchRecognizeNode) pattern() (*cep.Pattern, error) {
	var p *cep.Pattern
	for i, t := range n.Terms {
		if i == 0 {
			p = cep.Begin(t.Var, n.skipStrategy())
		} else {
			p = p.Next(t.Var)
		}
		if d, ok := n.Define[t.Var]; ok {
			p = p.Where(n.condition(t.Var, d))
		}
		lo := max(t.Min, 1)
		switch {
		case t.Min == 1 && t.Max == 1:
		case t.Max == 1: // ?
		case t.Max == -1 && lo == 1:
			p = p.OneOrMore().Consecutive()
		case t.Max == -1:
			p = p.TimesOrMore(lo).Consecutive()
		case lo == t.Max:
			p = p.Times(lo).Consecutive()
		default:
			p = p.TimesRange(lo, t.Max).Consecutive()
		}
		if t.Min == 0 {
			p = p.Optional()
		}
		if t.Max != 1 && t.Max != lo && !t.Reluctant {
			p = p.Greedy()
		}
	}
	if n.Within > 0 {
		p = p.Within(time.Duration(n.Within) * time.Millisecond)
	}
	return p, cep.Compile(p)
}

// fieldsOf returns the fields of rows, which are Rows.
func fieldsOf(events []any) [][]any {
	out := make([][]any, len(events))
	for i, e := range events {
		out[i] = e.(Row).Fields
	}
	return out
}

// condition is the DEFINE of variable v as a CEP condition: the current row, the rows the partial match
// took for each variable, v's own with the current row last. A condition that fails on a row (division by
// zero, a bad CAST) is false for it.
func (n *MatchRecognizeNode) condition(v string, d *matchExpr) cep.Condition {
	return func(event any, ctx *cep.ConditionContext) bool {
		cur := event.(Row).Fields
		rows := func(of string) [][]any {
			if of == v {
				return append(fieldsOf(ctx.EventsForPattern(v)), cur)
			}
			if of != "" {
				return fieldsOf(ctx.EventsForPattern(of))
			}
			var all [][]any
			for _, t := range n.Terms {
				all = append(all, fieldsOf(ctx.EventsForPattern(t.Var))...)
				if t.Var == v {
					return append(all, cur)
				}
			}
			return all
		}
		ok, err := d.eval(cur, rows, matchTime{rowtime: ctx.Timestamp(), proctime: ctx.CurrentProcessingTime()})
		return err == nil && ok == true
	}
}

// compileMatchRecognize runs the pattern with package cep, keyed by the partition, and emits one row per
// match. checked is in without its error rows (Compiler.Checked).
func compileMatchRecognize(in, checked *engine.DataStream, n *MatchRecognizeNode) (*engine.DataStream, error) {
	pat, err := n.pattern()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	// In the chain of its input, so that rows keep their order into a processing-time match.
	rows := checked
	if rows != in {
		rows = rows.InheritParallelism(in)
	}
	var ps *cep.PatternStream
	if len(n.Partition) > 0 {
		ps = cep.CEP.Pattern(rows.KeyBy(rowKeySelector(n.Partition)), pat)
	} else {
		ps = cep.CEP.Pattern(rows, pat)
	}
	if n.Proctime {
		ps = ps.InProcessingTime()
	}
	if len(n.Order) > 0 {
		ps = ps.WithComparator(n.comparator())
	}
	return ps.Process(cep.PatternProcessFunction{ProcessMatch: func(match map[string][]any, ctx *cep.ProcessContext, out engine.Collector) {
		out.Collect(n.matchRow(match, matchTime{rowtime: ctx.Timestamp(), proctime: ctx.CurrentProcessingTime()}))
	}}).Name(n.Describe()), nil
}

// matchRow is the row of a match: the partition columns, then the measures (an error row if one fails).
func (n *MatchRecognizeNode) matchRow(match map[string][]any, at matchTime) any {
	var all [][]any
	for _, t := range n.Terms {
		all = append(all, fieldsOf(match[t.Var])...)
	}
	rows := func(of string) [][]any {
		if of == "" {
			return all
		}
		return fieldsOf(match[of])
	}
	last := all[len(all)-1]
	out := make([]any, 0, len(n.Cols))
	for _, p := range n.Partition {
		v, err := p.eval(all[0])
		if err != nil {
			return errorRow{err.Error()}
		}
		out = append(out, v)
	}
	for _, m := range n.Measures {
		v, err := m.eval(last, rows, at)
		if err != nil {
			return errorRow{err.Error()}
		}
		out = append(out, coerce(v, m.expr.typ))
	}
	return Row{Kind: Insert, Fields: out}
}
