package planner

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// SortNode is ORDER BY and LIMIT on a query's result. How it runs depends on the execution mode, as in
// Flink:
//
//   - batch: the whole input, sorted when it ends (Flink's Sort and SortLimit), LIMIT rows of it;
//   - streaming, ORDER BY a time attribute ascending first, without LIMIT: Flink's TemporalSort, which
//     emits the rows of each time, sorted by the other keys, once the watermark passes it (insert-only);
//   - streaming, ORDER BY with LIMIT: Flink's SortLimit, a Top-N over the whole table whose changelog
//     deletes a row pushed out of the first LIMIT rows (updating);
//   - streaming, LIMIT without ORDER BY: Flink's Limit, the first LIMIT rows to arrive (insert-only).
//
// OFFSET m skips the first m rows of the order (batch and SortLimit: a Top-N of ranks m+1 to m+LIMIT, as
// Flink's SortLimit with an offset; Limit: the rows that arrive after the first m).
//
// A streaming ORDER BY that does not start with a time attribute ascending, without LIMIT, is refused
// with Flink's reason.
type SortNode struct {
	Input  Node
	Order  []*cexpr
	Desc   []bool
	Limit  int64    // -1: none
	Offset int64    // rows skipped before the first one emitted
	Cols   []Column // the input's columns, or the first of them (the others only sort)
	pos    sqlparse.Pos
}

func (n *SortNode) Columns() []Column { return n.Cols }
func (n *SortNode) Updating() bool {
	return n.Input.Updating() || (n.Limit >= 0 || n.Offset > 0) && len(n.Order) > 0
}

// end is the number of rows of the order the node keeps: offset + limit, or all of them.
func (n *SortNode) end() int64 {
	if n.Limit < 0 {
		return math.MaxInt64
	}
	return n.Offset + n.Limit
}
func (n *SortNode) Inputs() []Node { return []Node{n.Input} }
func (n *SortNode) Describe() string {
	var order []string
	for i, o := range n.Order {
		order = append(order, o.text+map[bool]string{true: " DESC", false: " ASC"}[n.Desc[i]])
	}
	fetch := "unlimited"
	if n.Limit >= 0 {
		fetch = fmt.Sprint(n.Limit)
	}
	switch {
	case n.Limit < 0 && n.Offset == 0:
		return fmt.Sprintf("Sort(orderBy=[%s])", strings.Join(order, ", "))
	case len(n.Order) == 0:
		return fmt.Sprintf("Limit(offset=[%d], fetch=[%s])", n.Offset, fetch)
	}
	return fmt.Sprintf("SortLimit(orderBy=[%s], offset=[%d], fetch=[%s])", strings.Join(order, ", "), n.Offset, fetch)
}

// temporal reports whether the order starts with a time attribute, ascending.
func (n *SortNode) temporal() bool {
	return len(n.Order) > 0 && n.Order[0].typ.Rowtime && !n.Desc[0]
}

// orderedSelect plans a SELECT with ORDER BY or LIMIT: the select, then a SortNode. An ORDER BY
// expression that is not a column of the result (ORDER BY rowtime of SELECT key, str) is computed as an
// extra column, sorted on, and projected away.
func (p *Planner) orderedSelect(s *sqlparse.Select) (Node, *scope, error) {
	inner := *s
	inner.OrderBy, inner.Limit, inner.Offset = nil, nil, nil
	n, sc, err := p.selectQuery(&inner)
	if err != nil {
		return nil, nil, err
	}
	width := len(sc.fields)
	outer := *s
	outer.OrderBy = append([]sqlparse.OrderItem(nil), s.OrderBy...)
	extra := false
	for i, o := range s.OrderBy {
		if _, isLit := o.Expr.(*sqlparse.Literal); isLit {
			continue
		}
		if _, err := (&binder{scope: sc}).bind(o.Expr); err == nil {
			continue
		}
		name := fmt.Sprintf("$order%d", i)
		inner.Items = append(inner.Items, sqlparse.SelectItem{Pos: o.Expr.ExprPos(), Expr: o.Expr, Alias: name})
		outer.OrderBy[i].Expr = &sqlparse.Ident{Pos: o.Expr.ExprPos(), Parts: []string{name}}
		extra = true
	}
	if !extra {
		return p.sortQuery(s, n, sc)
	}
	if n, sc, err = p.selectQuery(&inner); err != nil {
		return nil, nil, err
	}
	sorted, _, err := p.sortQuery(&outer, n, sc)
	if err != nil {
		return nil, nil, err
	}
	// The sort emits only the select's columns, in its own (single) subtask, so that the order holds.
	sn := sorted.(*SortNode)
	sn.Cols = sn.Cols[:width]
	return sn, newScope(sn.Cols, ""), nil
}

// sortQuery plans ORDER BY and LIMIT of s over the planned select n, whose columns ORDER BY names (by
// name, alias or position).
func (p *Planner) sortQuery(s *sqlparse.Select, n Node, sc *scope) (Node, *scope, error) {
	sn := &SortNode{Input: n, Limit: -1, Cols: n.Columns(), pos: s.Pos}
	if len(s.OrderBy) > 0 {
		sn.pos = s.OrderBy[0].Expr.ExprPos()
	}
	b := &binder{scope: sc}
	for _, o := range s.OrderBy {
		var c *cexpr
		if lit, ok := o.Expr.(*sqlparse.Literal); ok && lit.Kind == sqlparse.LitNumber {
			var k int
			if _, err := fmt.Sscan(lit.Text, &k); err != nil || k < 1 || k > len(sn.Cols) {
				return nil, nil, errAt(lit.Pos, ErrValidation, "Ordinal out of range: ORDER BY %s with %d columns", lit.Text, len(sn.Cols))
			}
			c = colRef(k-1, sn.Cols[k-1].Type, sn.Cols[k-1].Name)
		} else {
			var err error
			if c, err = b.bind(o.Expr); err != nil {
				return nil, nil, err
			}
		}
		sn.Order = append(sn.Order, c)
		sn.Desc = append(sn.Desc, o.Desc)
	}
	count := func(e sqlparse.Expr, what string) (int64, error) {
		lit, ok := e.(*sqlparse.Literal)
		var k int64
		if !ok || lit.Kind != sqlparse.LitNumber {
			return 0, errAt(e.ExprPos(), ErrValidation, "%s takes a non-negative integer literal", what)
		}
		if _, err := fmt.Sscan(lit.Text, &k); err != nil || k < 0 || strings.ContainsAny(lit.Text, ".eE") {
			return 0, errAt(lit.Pos, ErrValidation, "%s takes a non-negative integer literal, not %s", what, lit.Text)
		}
		return k, nil
	}
	var err error
	if s.Limit != nil {
		if sn.Limit, err = count(s.Limit, "LIMIT"); err != nil {
			return nil, nil, err
		}
	}
	if s.Offset != nil {
		if sn.Offset, err = count(s.Offset, "OFFSET"); err != nil {
			return nil, nil, err
		}
	}
	return sn, sc, nil
}

// compileSort compiles a SortNode for the execution mode.
func compileSort(in *engine.DataStream, n *SortNode, batch bool) (*engine.DataStream, error) {
	switch {
	case batch:
		return batchSort(in, n), nil
	case n.Limit < 0 && n.Offset == 0:
		if !n.temporal() {
			return nil, errAt(n.pos, ErrUnsupported, "Sort on a non-time-attribute field is not supported: in streaming mode ORDER BY must start with a time attribute, ascending (or have a LIMIT)")
		}
		if n.Input.Updating() {
			return nil, errAt(n.pos, ErrUnsupported, "StreamPhysicalTemporalSort doesn't support consuming update and delete changes")
		}
		return temporalSort(in, n), nil
	case len(n.Order) == 0:
		if n.Input.Updating() {
			return nil, errAt(n.pos, ErrUnsupported, "StreamPhysicalLimit doesn't support consuming update and delete changes")
		}
		return firstN(in, n), nil
	}
	// A Top-N over the whole table, without a row number.
	exprs := identityExprs(n.Cols)
	rk := &RankNode{Input: n.Input, Order: n.Order, Desc: n.Desc, Exprs: exprs, RnPos: -1, N: n.end(), Offset: n.Offset, Cols: n.Cols}
	if n.Limit == 0 {
		return in.Filter(func(any) bool { return false }).Name(n.Describe()), nil
	}
	return topN(in, rk), nil
}

// sortRows sorts rows by the order keys, keeping the arrival order of equal rows.
func sortRows(rows [][]any, n *SortNode) ([][]any, error) {
	out, _, err := sortByKeys(rows, n.Order, n.Desc)
	return out, err
}

// sortByKeys sorts rows by the sort keys order (desc: which are descending), keeping the arrival order of
// equal rows, and returns them with their keys.
func sortByKeys(rows [][]any, order []*cexpr, desc []bool) ([][]any, [][]any, error) {
	keys := make([][]any, len(rows))
	for i, r := range rows {
		k, err := keyOf(order, Row{Fields: r})
		if err != nil {
			return nil, nil, err
		}
		keys[i] = k
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return compareSort(keys[idx[a]], keys[idx[b]], desc) < 0 })
	out, outKeys := make([][]any, len(rows)), make([][]any, len(rows))
	for i, j := range idx {
		out[i], outKeys[i] = rows[j], keys[j]
	}
	return out, outKeys, nil
}

// untilEnd buffers each key's rows in ListState and, when the input ends (the final watermark fires the
// timer at the end of time), hands them to f in arrival order: batch operators that need all their rows.
func untilEnd(keyed *engine.KeyedStream, buf engine.StateDescriptor, f func(rows [][]any, out engine.Collector)) *engine.DataStream {
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		ctx.ListState(buf).Add(r.Fields)
		ctx.RegisterEventTimeTimer(math.MaxInt64)
	}, OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
		st := ctx.ListState(buf)
		all := st.Get()
		if len(all) == 0 {
			return
		}
		st.Clear()
		f(fieldRows(all), out)
	}})
}

var sortDesc = engine.State("sort")

// global keys every row by one key, so that one subtask sees the whole table (Flink's singleton
// distribution), and runs the operator with parallelism 1, as Flink does.
func global(in *engine.DataStream) *engine.KeyedStream {
	return in.KeyBy(func(any) any { return "" })
}

// batchSort buffers the whole input and, when it ends (the final watermark fires the timer at the end of
// time), emits it sorted, at most LIMIT rows.
func batchSort(in *engine.DataStream, n *SortNode) *engine.DataStream {
	return untilEnd(global(in), sortDesc, func(all [][]any, out engine.Collector) {
		rows, err := sortRows(all, n)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		for i, r := range rows {
			if int64(i) >= n.end() {
				break
			}
			if int64(i) >= n.Offset {
				out.Collect(Row{Kind: Insert, Fields: r[:len(n.Cols)]})
			}
		}
	}).Name(n.Describe()).SetParallelism(1)
}

var sortPending = engine.State("temporal-sort")

// temporalSort is Flink's RowTimeSortOperator: each row waits in MapState under its time until the
// watermark passes it; then the rows of that time are emitted sorted by the other order keys. Rows behind
// the watermark are late and dropped, judged by the watermark of their own input partition.
func temporalSort(in *engine.DataStream, n *SortNode) *engine.DataStream {
	tc := n.Order[0].ref - 1
	rows := in.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		if r, ok := v.(Row); ok {
			if t, ok := r.Fields[tc].(time.Time); !ok || t.UnixMilli() <= ctx.CurrentWatermark() {
				return
			}
		}
		out.Collect(v)
	}}).Name("Drop late rows")
	return global(rows).Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		ts := r.Fields[tc].(time.Time).UnixMilli()
		pending := ctx.MapState(sortPending)
		var rows windowJoinRows
		if cur, ok := pending.Get(ts); ok {
			rows = cur.(windowJoinRows)
		}
		pending.Put(ts, windowJoinRows{Rows: append(append(make([][]any, 0, len(rows.Rows)+1), rows.Rows...), r.Fields)})
		ctx.RegisterEventTimeTimer(ts)
	}, OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {
		pending := ctx.MapState(sortPending)
		cur, ok := pending.Get(ts)
		if !ok {
			return
		}
		pending.Remove(ts)
		rows, err := sortRows(cur.(windowJoinRows).Rows, n)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		for _, r := range rows {
			out.Collect(Row{Kind: Insert, Fields: r[:len(n.Cols)]})
		}
	}}).Name(n.Describe()).SetParallelism(1)
}

var limitDesc = engine.State("limit")

// firstN is Flink's Limit in streaming (AppendOnlyFirstNFunction): the first LIMIT rows to arrive after the
// first OFFSET, as +I; the rest are dropped.
func firstN(in *engine.DataStream, n *SortNode) *engine.DataStream {
	return global(in).Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		st := ctx.ValueState(limitDesc)
		var seen int64
		if cur, ok := st.Get(); ok {
			seen = cur.(int64)
		}
		if seen >= n.end() {
			return
		}
		st.Update(seen + 1)
		if seen >= n.Offset {
			out.Collect(Row{Kind: r.Kind, Fields: r.Fields[:len(n.Cols)]})
		}
	}}).Name(n.Describe()).SetParallelism(1)
}
