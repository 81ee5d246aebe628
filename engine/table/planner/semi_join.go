package planner

import (
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// The join types of IN and EXISTS subqueries, as Flink rewrites them: a semi join keeps the left rows
// that have a match on the right, an anti join those that have none. Their output has the left input's
// columns only.
const (
	SemiJoin JoinType = "LeftSemiJoin"
	AntiJoin JoinType = "LeftAntiJoin"
)

// containsSubquery reports whether e holds an IN (subquery) or EXISTS (subquery).
func containsSubquery(e sqlparse.Expr) bool {
	found := false
	walk(e, func(x sqlparse.Expr) {
		switch y := x.(type) {
		case *sqlparse.Exists:
			found = true
		case *sqlparse.In:
			found = found || y.Subquery != nil
		}
	})
	return found
}

// splitSubqueries takes the conjuncts of where that are [NOT] IN (subquery) or [NOT] EXISTS (subquery)
// out of it; a subquery anywhere else in it (under OR, in an expression) is refused.
func splitSubqueries(where sqlparse.Expr) (subs []sqlparse.Expr, rest sqlparse.Expr, err error) {
	var conj []sqlparse.Expr
	splitAnd(where, &conj)
	for _, c := range conj {
		x := c
		if u, ok := x.(*sqlparse.Unary); ok && u.Op == "NOT" {
			x = u.X
		}
		switch y := x.(type) {
		case *sqlparse.Exists:
			subs = append(subs, c)
			continue
		case *sqlparse.In:
			if y.Subquery != nil && !containsSubquery(y.X) {
				subs = append(subs, c)
				continue
			}
		}
		if containsSubquery(c) {
			return nil, nil, errAt(c.ExprPos(), ErrUnsupported, "a subquery is supported by Weir only as a conjunct of WHERE: [NOT] IN (SELECT ...) or [NOT] EXISTS (SELECT ...)")
		}
		if rest == nil {
			rest = c
		} else {
			rest = &sqlparse.Binary{Pos: c.ExprPos(), Op: "AND", L: rest, R: c}
		}
	}
	return subs, rest, nil
}

// semiJoins plans each subquery conjunct as a semi or anti join of in (whose columns sc names) with the
// subquery, as Flink's SubQueryRemoveRule rewrites them: x IN (SELECT y ...) is a semi join on x = y,
// EXISTS (SELECT ... WHERE corr) a semi join on the correlated conjuncts corr of the subquery's WHERE,
// and their NOT forms anti joins (NOT IN null-aware: a row is kept only if no y equals x and, unless the
// subquery is empty, neither x nor any y is NULL).
func (p *Planner) semiJoins(subs []sqlparse.Expr, in Node, sc *scope) (Node, error) {
	for _, c := range subs {
		anti := false
		x := c
		if u, ok := x.(*sqlparse.Unary); ok && u.Op == "NOT" {
			anti, x = true, u.X
		}
		var err error
		switch y := x.(type) {
		case *sqlparse.Exists:
			in, err = p.semiJoin(y.Query, nil, anti, in, sc, y.Pos)
		case *sqlparse.In:
			in, err = p.semiJoin(y.Subquery, y.X, anti != y.Not, in, sc, y.Pos)
		}
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

func (p *Planner) semiJoin(q sqlparse.Query, outer sqlparse.Expr, anti bool, left Node, ls *scope, pos sqlparse.Pos) (Node, error) {
	var right Node
	var rs *scope
	var corr []sqlparse.Expr
	var err error
	ycol := -1
	sel, simple := q.(*sqlparse.Select)
	simple = simple && sel.From != nil && len(sel.GroupBy) == 0 && sel.Having == nil && !sel.Distinct && len(sel.OrderBy) == 0 && sel.Limit == nil && len(sel.Windows) == 0
	if simple {
		for _, it := range sel.Items {
			simple = simple && !containsAggregate(it.Expr) && len(overCalls([]sqlparse.SelectItem{it})) == 0
		}
	}
	if simple {
		// Plan the subquery's FROM, keep the conjuncts of its WHERE that read only it as a filter, and
		// make the others (which read the outer query's columns) the join condition.
		if right, rs, err = p.from(sel.From); err != nil {
			return nil, err
		}
		var conj []sqlparse.Expr
		splitAnd(sel.Where, &conj)
		var inner []*cexpr
		for _, c := range conj {
			if containsSubquery(c) {
				return nil, errAt(c.ExprPos(), ErrUnsupported, "a subquery inside a subquery is not supported by Weir")
			}
			if ce, err := (&binder{scope: rs}).bind(c); err == nil {
				inner = append(inner, ce)
			} else {
				corr = append(corr, c)
			}
		}
		exprs := identityExprs(right.Columns())
		cols := right.Columns()
		if outer != nil {
			if len(sel.Items) != 1 {
				return nil, errAt(pos, ErrValidation, "The subquery of IN must return one column, not %d", len(sel.Items))
			}
			if _, star := sel.Items[0].Expr.(*sqlparse.Star); star {
				if len(cols) != 1 {
					return nil, errAt(pos, ErrValidation, "The subquery of IN must return one column, not %d", len(cols))
				}
				ycol = 0
			} else {
				ce, err := (&binder{scope: rs}).bind(sel.Items[0].Expr)
				if err != nil {
					return nil, err
				}
				if ce.ref > 0 {
					ycol = ce.ref - 1
				} else {
					// An expression: computed as an extra column of the right rows.
					ycol = len(cols)
					exprs = append(exprs, ce)
					cols = append(append([]Column(nil), cols...), Column{Name: "$in", Type: ce.typ})
					rs = &scope{fields: append(append([]field(nil), rs.fields...), field{name: "$in", qualifier: "$in", typ: ce.typ})}
				}
			}
		}
		if len(inner) > 0 || len(exprs) != len(right.Columns()) {
			var filter *cexpr
			if len(inner) > 0 {
				filter = andAll(inner)
			}
			right = &CalcNode{Input: right, Filter: filter, Exprs: exprs, Cols: cols}
		}
	} else {
		// Any other subquery is planned whole; it cannot read the outer query's columns.
		if right, rs, err = p.query(q); err != nil {
			return nil, err
		}
		if outer != nil {
			if len(rs.fields) != 1 {
				return nil, errAt(pos, ErrValidation, "The subquery of IN must return one column, not %d", len(rs.fields))
			}
			ycol = 0
		}
	}
	// The join condition is bound against the outer columns followed by the subquery's; an unqualified
	// name of a correlated conjunct means the subquery's column if it has one, as in SQL.
	nl := len(ls.fields)
	sc := &scope{}
	for _, f := range ls.fields {
		f.typ.Rowtime = false
		sc.fields = append(sc.fields, f)
	}
	for _, f := range rs.fields {
		if f.qualifier == "" {
			f.qualifier = "$subquery"
		}
		f.typ.Rowtime = false
		sc.fields = append(sc.fields, f)
	}
	for _, c := range corr {
		walk(c, func(e sqlparse.Expr) {
			if id, ok := e.(*sqlparse.Ident); ok && len(id.Parts) == 1 {
				if i, err := rs.resolve(id); err == nil {
					id.Parts = []string{sc.fields[nl+i].qualifier, id.Parts[0]}
				}
			}
		})
	}
	typ := SemiJoin
	if anti {
		typ = AntiJoin
	}
	n := &JoinNode{Left: left, Right: right, Type: typ}
	var rest []*cexpr
	b := &binder{scope: sc}
	for _, c := range corr {
		if eq, ok := c.(*sqlparse.Binary); ok && eq.Op == "=" {
			li, lok := eq.L.(*sqlparse.Ident)
			ri, rok := eq.R.(*sqlparse.Ident)
			if lok && rok {
				a, aerr := sc.resolve(li)
				bb, berr := sc.resolve(ri)
				if aerr == nil && berr == nil && (a < nl) != (bb < nl) {
					if a >= nl {
						a, bb = bb, a
					}
					if _, ok := commonType(sc.fields[a].typ, sc.fields[bb].typ); ok {
						n.LeftKeys = append(n.LeftKeys, a)
						n.RightKeys = append(n.RightKeys, bb-nl)
						continue
					}
				}
			}
		}
		ce, err := b.bind(c)
		if err != nil {
			return nil, err
		}
		rest = append(rest, ce)
	}
	if outer != nil {
		xe, err := (&binder{scope: ls}).bind(outer)
		if err != nil {
			return nil, err
		}
		yt := sc.fields[nl+ycol].typ
		if _, ok := commonType(xe.typ, yt); !ok {
			return nil, errAt(outer.ExprPos(), ErrValidation, "Cannot compare %s IN a subquery of %s", xe.typ, yt)
		}
		switch {
		case !anti && xe.ref > 0:
			n.LeftKeys = append(n.LeftKeys, xe.ref-1)
			n.RightKeys = append(n.RightKeys, ycol)
		default:
			// x = y, or for NOT IN (null-aware) x = y OR x IS NULL OR y IS NULL, on the joined row.
			y := nl + ycol
			nullAware := anti
			rest = append(rest, &cexpr{typ: TypeBoolean, text: "=(" + xe.text + ", " + sc.fields[y].name + ")", eval: func(r []any) (any, error) {
				xv, err := xe.eval(r[:nl])
				if err != nil {
					return nil, err
				}
				yv := r[y]
				if xv == nil || yv == nil {
					return nullAware, nil
				}
				return compareValues(xv, yv) == 0, nil
			}})
		}
	}
	if len(rest) > 0 {
		n.Cond = andAll(rest)
	}
	n.Cols = ls.columns()
	for i := range n.Cols {
		n.Cols[i].Type.Rowtime = false
	}
	if wj, ok := windowJoinOf(n); ok {
		return wj, nil
	}
	return n, nil
}

// semiAntiJoin compiles a semi or anti JoinNode as Flink's StreamingSemiAntiJoinOperator: both inputs
// keyed by the join keys, the left rows in MapState with their number of matches, the right rows with
// their multiplicity. A left row is forwarded (with its kind) when it has a match (semi) or none (anti);
// when the first match of a stored left row arrives, a semi join emits it (+I) and an anti join deletes
// it (-D); when its last match is retracted, the reverse.
func semiAntiJoin(left, right *engine.DataStream, n *JoinNode, ttl time.Duration) *engine.DataStream {
	anti := n.Type == AntiJoin
	nl, nr := len(n.Left.Columns()), len(n.Right.Columns())
	ld, rd := engine.State("semi-left"), engine.State("semi-right")
	ld.TTL.TTL, rd.TTL.TTL = ttl, ttl
	matches := func(l, r []any) (bool, error) {
		if !keysEqual(l, r, n.LeftKeys, n.RightKeys) {
			return false, nil
		}
		if n.Cond == nil {
			return true, nil
		}
		f := append(append(make([]any, 0, nl+nr), l...), r...)
		v, err := n.Cond.eval(f)
		return v == true, err
	}
	return left.Connect(right).KeyBy(joinKeySelector(n, true), joinKeySelector(n, false)).Process(engine.CoProcessFunction{
		ProcessElement1: func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				out.Collect(v)
				return
			}
			ls, rs := mapSide{ctx.MapState(ld)}, mapSide{ctx.MapState(rd)}
			total := int64(0)
			for _, m := range rs.sorted() {
				ok, err := matches(r.Fields, m.e.Fields)
				if err != nil {
					out.Collect(errorRow{err.Error()})
					return
				}
				if ok {
					total += m.e.Count
				}
			}
			key := groupKey(r.Fields)
			cur, has := ls.get(key)
			if r.Kind.IsAccumulate() {
				if !has {
					cur = joinEntry{Fields: r.Fields}
				}
				cur.Count++
				cur.Assoc = total
				ls.put(key, cur)
			} else if has {
				if cur.Count--; cur.Count <= 0 {
					ls.remove(key)
				} else {
					ls.put(key, cur)
				}
			}
			if (total > 0) != anti {
				out.Collect(r)
			}
		},
		ProcessElement2: func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				out.Collect(v)
				return
			}
			ls, rs := mapSide{ctx.MapState(ld)}, mapSide{ctx.MapState(rd)}
			key := groupKey(r.Fields)
			cur, has := rs.get(key)
			acc := r.Kind.IsAccumulate()
			switch {
			case acc:
				if !has {
					cur = joinEntry{Fields: r.Fields}
				}
				cur.Count++
				rs.put(key, cur)
			case !has:
				return // retracting a row that is not there
			default:
				if cur.Count--; cur.Count <= 0 {
					rs.remove(key)
				} else {
					rs.put(key, cur)
				}
			}
			for _, m := range ls.sorted() {
				ok, err := matches(m.e.Fields, r.Fields)
				if err != nil {
					out.Collect(errorRow{err.Error()})
					return
				}
				if !ok {
					continue
				}
				e := m.e
				var kind RowKind
				emit := false
				if acc {
					emit = e.Assoc == 0
					e.Assoc++
					kind = Insert
					if anti {
						kind = Delete
					}
				} else {
					e.Assoc--
					emit = e.Assoc == 0
					kind = Delete
					if anti {
						kind = Insert
					}
				}
				ls.put(m.key, e)
				if emit {
					for c := int64(0); c < e.Count; c++ {
						out.Collect(Row{Kind: kind, Fields: e.Fields})
					}
				}
			}
		},
	}).Name(n.Describe())
}
