package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// OverAggregateNode is Flink's OverAggregate in event time: each input row is emitted once, with the
// aggregates over its window appended: the rows of its partition (PARTITION BY) ordered by the time
// attribute, from the frame's lower bound to the current row. Rows frames count rows (the current row
// and the Preceding rows before it, or all of them when Unbounded); range frames take every row whose
// time is at most Preceding milliseconds before the current row's (or all), so rows of equal time get
// equal results. A row waits in state until the watermark passes its time. A late row is dropped: with
// an unbounded frame one not after the watermark, with a bounded frame one not after the last time its
// partition has emitted, as Flink's functions for each decide. The output is insert-only and keeps the
// time attribute.
type OverAggregateNode struct {
	Input     Node
	Partition []*cexpr
	TimeCol   int
	Rows      bool  // a ROWS frame; false: RANGE
	Unbounded bool  // UNBOUNDED PRECEDING
	Preceding int64 // rows (ROWS) or milliseconds (RANGE) before the current row, when not Unbounded
	Aggs      []*aggCall
	Cols      []Column // the input's columns, then one per aggregate
	// Proctime orders by a PROCTIME() attribute: each row is emitted as it arrives, with the aggregates
	// of its frame (Flink's ProcTimeRowsBoundedPrecedingFunction and ProcTimeUnboundedPrecedingFunction).
	Proctime bool
}

func (n *OverAggregateNode) Columns() []Column { return n.Cols }
func (n *OverAggregateNode) Updating() bool    { return false }
func (n *OverAggregateNode) Inputs() []Node    { return []Node{n.Input} }
func (n *OverAggregateNode) Describe() string {
	frame := "RANG"
	if n.Rows {
		frame = "ROWS"
	}
	lower := "UNBOUNDED PRECEDING"
	if !n.Unbounded {
		lower = fmt.Sprintf("%d PRECEDING", n.Preceding)
	}
	in := n.Input.Columns()
	var sel []string
	for _, c := range in {
		sel = append(sel, c.Name)
	}
	for i, a := range n.Aggs {
		sel = append(sel, fmt.Sprintf("%s AS w0$o%d", a.text, i))
	}
	return fmt.Sprintf("OverAggregate(partitionBy=[%s], orderBy=[%s ASC], window=[%s BETWEEN %s AND CURRENT ROW], select=[%s])",
		exprTexts(n.Partition), in[n.TimeCol].Name, frame, lower, strings.Join(sel, ", "))
}

// overCalls returns the aggregate calls with an OVER window in items, in order of appearance.
func overCalls(items []sqlparse.SelectItem) []*sqlparse.Call {
	var out []*sqlparse.Call
	for _, it := range items {
		walk(it.Expr, func(x sqlparse.Expr) {
			if c, ok := x.(*sqlparse.Call); ok && c.Over != nil && (isAggregate(c.Name) || isLeadLag(c.Name)) {
				out = append(out, c)
			}
		})
	}
	return out
}

// windowString is the text of an OVER window, for comparing windows.
func windowString(o *sqlparse.Over) string {
	return strings.TrimPrefix(ExprString(&sqlparse.Call{Name: "", Over: o}), "()")
}

// overAggregate plans a select list with aggregates OVER a window as an OverAggregateNode and a Calc
// that evaluates the items on its rows.
func (p *Planner) overAggregate(s *sqlparse.Select, items []sqlparse.SelectItem, in Node, sc *scope, filter *cexpr) (Node, *scope, error) {
	calls := overCalls(items)
	named := map[string]*sqlparse.Over{}
	for _, w := range s.Windows {
		named[w.Name] = w.Over
	}
	var over *sqlparse.Over
	for _, c := range calls {
		o := c.Over
		if o.Ref != "" {
			w, ok := named[o.Ref]
			if !ok {
				return nil, nil, errAt(o.Pos, ErrValidation, "Window '%s' not found", o.Ref)
			}
			o = w
		}
		if over == nil {
			over = o
		} else if windowString(o) != windowString(over) {
			return nil, nil, errAt(c.Pos, ErrUnsupported, "Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window: Flink's streaming over aggregation runs one window per query")
		}
	}
	for _, it := range items {
		var bad *sqlparse.Call
		walk(it.Expr, func(x sqlparse.Expr) {
			if c, ok := x.(*sqlparse.Call); ok && c.Over != nil && !isAggregate(c.Name) && !isLeadLag(c.Name) && bad == nil {
				bad = c
			}
		})
		if bad != nil {
			return nil, nil, errAt(bad.Pos, ErrUnsupported, "%s() OVER beside aggregates OVER a window is not supported by Weir: ROW_NUMBER() runs only as a Top-N", bad.Name)
		}
	}
	if in.Updating() {
		return nil, nil, errAt(over.Pos, ErrUnsupported, "StreamPhysicalOverAggregate doesn't support consuming update and delete changes")
	}
	b := &binder{scope: sc}
	n := &OverAggregateNode{Unbounded: true}
	for _, e := range over.PartitionBy {
		c, err := b.bind(e)
		if err != nil {
			return nil, nil, err
		}
		n.Partition = append(n.Partition, c)
	}
	const timeOrder = "OVER windows' ordering in stream mode must be defined on a time attribute"
	if len(over.OrderBy) != 1 {
		return nil, nil, errAt(over.Pos, ErrValidation, "%s: ORDER BY one time attribute, ascending", timeOrder)
	}
	ord := over.OrderBy[0]
	id, isCol := ord.Expr.(*sqlparse.Ident)
	if !isCol {
		return nil, nil, errAt(ord.Expr.ExprPos(), ErrValidation, "%s", timeOrder)
	}
	col, err := sc.resolve(id)
	if err != nil {
		return nil, nil, err
	}
	if !sc.fields[col].typ.isTimeAttribute() {
		return nil, nil, errAt(ord.Expr.ExprPos(), ErrValidation, "%s: declare WATERMARK FOR %s (event time) or a column AS PROCTIME()", timeOrder, id.Parts[len(id.Parts)-1])
	}
	n.Proctime = sc.fields[col].typ.Proctime
	if ord.Desc {
		return nil, nil, errAt(ord.Expr.ExprPos(), ErrUnsupported, "OVER windows in stream mode must be ordered ascending on their time attribute")
	}
	n.TimeCol = col
	if f := over.Frame; f != nil {
		n.Rows = f.Rows
		if f.Upper.Kind != "CURRENT ROW" {
			// Flink's StreamExecOverAggregate refuses any frame that does not end at the current row, ROWS too.
			return nil, nil, errAt(f.Upper.Pos, ErrUnsupported, "OVER RANGE FOLLOWING windows are not supported yet. (a streaming OVER window ends at CURRENT ROW, not %s)", f.Upper.Kind)
		}
		switch f.Lower.Kind {
		case "UNBOUNDED PRECEDING":
		case "CURRENT ROW":
			n.Unbounded = false
		case "PRECEDING":
			n.Unbounded = false
			if f.Rows {
				lit, ok := f.Lower.Offset.(*sqlparse.Literal)
				var k int64
				if !ok || lit.Kind != sqlparse.LitNumber {
					return nil, nil, errAt(f.Lower.Pos, ErrValidation, "ROWS offset must be a non-negative integer literal")
				}
				if _, err := fmt.Sscan(lit.Text, &k); err != nil || k < 0 || strings.ContainsAny(lit.Text, ".eE") {
					return nil, nil, errAt(f.Lower.Pos, ErrValidation, "ROWS offset must be a non-negative integer literal, not %s", lit.Text)
				}
				n.Preceding = k
			} else {
				iv, ok := f.Lower.Offset.(*sqlparse.Interval)
				if !ok {
					return nil, nil, errAt(f.Lower.Pos, ErrValidation, "the RANGE offset of an OVER window ordered by a time attribute must be an INTERVAL literal")
				}
				ms, err := intervalMillis(iv)
				if err != nil {
					return nil, nil, err
				}
				if ms < 0 {
					return nil, nil, errAt(f.Lower.Pos, ErrValidation, "RANGE offset must not be negative")
				}
				n.Preceding = ms
			}
		default:
			return nil, nil, errAt(f.Lower.Pos, ErrUnsupported, "OVER windows starting at %s are not supported: Flink's streaming OVER windows end at CURRENT ROW", f.Lower.Kind)
		}
	}
	if n.Proctime && !n.Rows && !n.Unbounded {
		return nil, nil, errAt(over.Frame.Pos, ErrUnsupported, "a bounded RANGE OVER window in processing time is not supported by Weir yet: use ROWS, or order by an event-time attribute")
	}
	// The aggregates, bound against the input; equal calls share one.
	ab := &aggBinding{input: b}
	texts := map[string]int{}
	for _, c := range calls {
		bare := *c
		bare.Over = nil
		if isLeadLag(c.Name) {
			if err := bindLag(ab, &bare, n.Unbounded); err != nil {
				return nil, nil, err
			}
			texts[ExprString(c)] = len(ab.aggs) - 1
			continue
		}
		if _, ok, err := ab.match(&bare); err != nil {
			return nil, nil, err
		} else if !ok {
			return nil, nil, errAt(c.Pos, ErrUnsupported, "%s OVER is not supported", c.Name)
		}
		texts[ExprString(c)] = len(ab.aggs) - 1
	}
	if filter != nil {
		in = &CalcNode{Input: in, Filter: filter, Exprs: identityExprs(in.Columns()), Cols: in.Columns()}
	}
	n.Input = in
	n.Aggs = ab.aggs
	n.Cols = append([]Column{}, sc.columns()...)
	oversc := &scope{fields: append([]field{}, sc.fields...)}
	for i, a := range ab.aggs {
		n.Cols = append(n.Cols, Column{Name: fmt.Sprintf("w0$o%d", i), Type: a.typ})
		oversc.fields = append(oversc.fields, field{name: fmt.Sprintf("w0$o%d", i), typ: a.typ})
	}
	post := &binder{scope: oversc, over: func(c *sqlparse.Call) (*cexpr, bool) {
		i, ok := texts[ExprString(c)]
		if !ok {
			return nil, false
		}
		k := len(sc.fields) + i
		return colRef(k, oversc.fields[k].typ, ExprString(c)), true
	}}
	exprs := make([]*cexpr, len(items))
	cols := make([]Column, len(items))
	for i, it := range items {
		if exprs[i], err = post.bind(it.Expr); err != nil {
			return nil, nil, err
		}
		cols[i] = Column{Name: itemName(it, i), Type: exprs[i].typ}
	}
	if err := uniqueNames(cols, s.Pos); err != nil {
		return nil, nil, err
	}
	c := &CalcNode{Input: n, Exprs: exprs, Cols: cols}
	return c, newScope(cols, ""), nil
}

// overRow is a row kept by an over aggregation: its time and fields.
type overRow struct {
	TS     int64
	Fields []any
}

// overState is a partition's state in an over aggregation: the time it has emitted up to (Flink's
// lastTriggeringTsState), the accumulators, and the rows of the current frame a bounded frame retracts
// as it moves on.
type overState struct {
	Last    int64
	Started bool
	Accs    []aggAcc
	Kept    []overRow
}

var (
	overDesc    = engine.State("over")
	overPending = engine.State("over-pending")
)

// overAggregate compiles an OverAggregateNode: keyed by the partition, each row waits in MapState under
// its time for an event-time timer at that time, which emits the rows of that time in arrival order
// (Flink's RowTimeRowsBoundedPrecedingFunction, RowTimeRangeBoundedPrecedingFunction and their unbounded
// forms).
func overAggregate(in *engine.DataStream, n *OverAggregateNode) *engine.DataStream {
	aggs := n.Aggs
	keyed := in.KeyBy(rowKeySelector(n.Partition))
	if n.Proctime {
		return procTimeOver(keyed, n)
	}
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		t, ok := r.Fields[n.TimeCol].(time.Time)
		if !ok {
			return // a row without a time has no place in the order
		}
		ts := t.UnixMilli()
		if n.Unbounded {
			// Flink: AbstractRowTimeUnboundedPrecedingOver drops a row not after the watermark.
			if ts <= ctx.CurrentWatermark() {
				return
			}
		} else if cur, ok := ctx.ValueState(overDesc).Get(); ok {
			// Flink: RowTimeRowsBoundedPrecedingFunction and RowTimeRangeBoundedPrecedingFunction drop a row
			// not after the last time its partition has emitted.
			if st := cur.(overState); st.Started && ts <= st.Last {
				return
			}
		}
		pending := ctx.MapState(overPending)
		var rows []overRow
		if cur, ok := pending.Get(ts); ok {
			rows = cur.([]overRow)
		}
		pending.Put(ts, append(append(make([]overRow, 0, len(rows)+1), rows...), overRow{TS: ts, Fields: r.Fields}))
		ctx.RegisterEventTimeTimer(ts)
	}, OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {
		pending := ctx.MapState(overPending)
		cur, ok := pending.Get(ts)
		if !ok {
			return
		}
		pending.Remove(ts)
		rows := cur.([]overRow)
		vs := ctx.ValueState(overDesc)
		st := loadOverState(vs, aggs)
		st.Started, st.Last = true, ts
		apply := func(row overRow, sign int64) bool { return st.apply(aggs, row, sign, out) }
		emit := func(row overRow) { st.emit(aggs, row, out) }
		if n.Rows {
			for _, row := range rows {
				if !st.addRow(n, row, out) {
					return
				}
				emit(row)
			}
		} else {
			for _, row := range rows {
				if !apply(row, 1) {
					return
				}
			}
			if !n.Unbounded {
				st.Kept = append(st.Kept, rows...)
				drop := 0
				for drop < len(st.Kept) && st.Kept[drop].TS < ts-n.Preceding {
					if !apply(st.Kept[drop], -1) {
						return
					}
					drop++
				}
				st.Kept = st.Kept[drop:]
			}
			for _, row := range rows {
				emit(row)
			}
		}
		vs.Update(st)
	}}).Name(n.Describe())
}

func isLeadLag(name string) bool { return name == "LAG" || name == "LEAD" }

// bindLag binds LAG(x [, offset [, default]]) OVER (...) as an aggregate of an over aggregation (Flink's
// LagAggFunction): x of the row offset rows (default 1) before the current one in the window's order, or
// default (NULL) when there is none. Rows of equal time in a RANGE window are accumulated together, so
// each of them sees the last of them as its predecessor, as in Flink. Streaming Flink refuses LEAD, which
// would need rows not yet arrived, and LAG on a bounded frame, which would need retraction; so does Weir.
func bindLag(ab *aggBinding, c *sqlparse.Call, unbounded bool) error {
	if c.Name == "LEAD" {
		return errAt(c.Pos, ErrUnsupported, "LEAD Function is not supported in stream mode.")
	}
	if !unbounded {
		return errAt(c.Pos, ErrUnsupported, "LAG Function with retraction is not supported in stream mode.")
	}
	if len(c.Args) < 1 || len(c.Args) > 3 || c.Star || c.Distinct {
		return errAt(c.Pos, ErrValidation, "Invalid number of arguments to function 'LAG': %d", len(c.Args))
	}
	arg, err := ab.input.bind(c.Args[0])
	if err != nil {
		return err
	}
	ac := &aggCall{fn: "LAG", arg: arg, typ: arg.typ.nullable(), text: ExprString(c), offset: 1}
	if len(c.Args) > 1 {
		lit, ok := c.Args[1].(*sqlparse.Literal)
		if !ok || lit.Kind != sqlparse.LitNumber {
			return errAt(c.Args[1].ExprPos(), ErrValidation, "the offset of LAG must be an integer literal")
		}
		if _, err := fmt.Sscan(lit.Text, &ac.offset); err != nil || ac.offset < 0 || strings.ContainsAny(lit.Text, ".eE") {
			return errAt(lit.Pos, ErrValidation, "the offset of LAG must be a non-negative integer, not %s", lit.Text)
		}
	}
	if len(c.Args) > 2 {
		d, err := ab.input.bind(c.Args[2])
		if err != nil {
			return err
		}
		if ac.dflt, err = d.eval(nil); err != nil {
			return errAt(c.Args[2].ExprPos(), ErrValidation, "the default of LAG must be a constant: %v", err)
		}
		if _, ok := commonType(arg.typ, d.typ); !ok {
			return errAt(c.Args[2].ExprPos(), ErrValidation, "the default of LAG is %s, not of the type of its argument %s", d.typ, arg.typ)
		}
		ac.dflt = coerce(ac.dflt, ac.typ)
	}
	ab.aggs = append(ab.aggs, ac)
	return nil
}

// loadOverState returns a copy of the partition's over state, or a new one.
func loadOverState(vs *engine.ValueState, aggs []*aggCall) overState {
	var st overState
	if c, ok := vs.Get(); ok {
		st = c.(overState)
		st.Accs = cloneAccs(st.Accs)
		st.Kept = append([]overRow(nil), st.Kept...)
	} else {
		st.Accs = make([]aggAcc, len(aggs))
	}
	return st
}

// apply accumulates (sign 1) or retracts (-1) row; a failing argument is sent on as an error row.
func (st *overState) apply(aggs []*aggCall, row overRow, sign int64, out engine.Collector) bool {
	for i, a := range aggs {
		var arg any
		if a.arg != nil {
			var err error
			if arg, err = a.arg.eval(row.Fields); err != nil {
				out.Collect(errorRow{err.Error()})
				return false
			}
		}
		a.accumulate(&st.Accs[i], arg, sign)
	}
	return true
}

// addRow accumulates row into a ROWS frame, retracting the row that leaves a bounded one.
func (st *overState) addRow(n *OverAggregateNode, row overRow, out engine.Collector) bool {
	if !st.apply(n.Aggs, row, 1, out) {
		return false
	}
	if !n.Unbounded {
		st.Kept = append(st.Kept, row)
		if int64(len(st.Kept)) > n.Preceding+1 {
			if !st.apply(n.Aggs, st.Kept[0], -1, out) {
				return false
			}
			st.Kept = st.Kept[1:]
		}
	}
	return true
}

// emit sends row with the aggregates' current values.
func (st *overState) emit(aggs []*aggCall, row overRow, out engine.Collector) {
	f := make([]any, 0, len(row.Fields)+len(aggs))
	f = append(f, row.Fields...)
	for i, a := range aggs {
		f = append(f, a.result(&st.Accs[i]))
	}
	out.Collect(Row{Kind: Insert, Fields: f})
}

// procTimeOver is an over aggregation in processing time: each row, as it arrives, joins its frame (ROWS:
// the row and the Preceding before it, or all; RANGE UNBOUNDED: all rows so far) and is emitted with the
// aggregates, as Flink's ProcTimeRowsBoundedPrecedingFunction and ProcTimeUnboundedPrecedingFunction do.
func procTimeOver(keyed *engine.KeyedStream, n *OverAggregateNode) *engine.DataStream {
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		vs := ctx.ValueState(overDesc)
		st := loadOverState(vs, n.Aggs)
		row := overRow{Fields: r.Fields}
		if !st.addRow(n, row, out) {
			return
		}
		st.emit(n.Aggs, row, out)
		vs.Update(st)
	}}).Name(n.Describe())
}
