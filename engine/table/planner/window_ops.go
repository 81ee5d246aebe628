package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
)

// windowCols says where a node's rows carry their window: the window TVF's spec, the columns holding
// window_start and window_end, and the column holding the TVF input's time attribute (-1 if the rows no
// longer have it, as after a window aggregation).
type windowCols struct {
	spec       WindowSpec
	start, end int
	time       int
}

// windowOf finds the window of n's rows: n is a window TVF, a window aggregation grouped by window_start
// and window_end, or a Calc (projection, filter) that keeps both columns of one. Windows in processing
// time are not followed: the window Top-N, join and cascading aggregation that read them fire on the
// watermark, so over a PROCTIME() window they plan as a regular Top-N, join or GROUP BY.
func windowOf(n Node) (windowCols, bool) {
	w, ok := windowOfAnyTime(n)
	return w, ok && !w.spec.Proctime
}

func windowOfAnyTime(n Node) (windowCols, bool) {
	switch x := n.(type) {
	case *WindowTVFNode:
		k := len(x.Cols)
		return windowCols{spec: x.Window, start: k - 3, end: k - 2, time: x.Window.TimeCol}, true
	case *WindowAggregateNode:
		w := windowCols{spec: x.Window, start: -1, end: -1, time: -1}
		for i, p := range x.Props {
			switch p {
			case propStart:
				w.start = i
			case propEnd:
				w.end = i
			}
		}
		return w, w.start >= 0 && w.end >= 0
	case *AggregateNode:
		if x.WindowEnd < 0 {
			return windowCols{}, false
		}
		in, _ := windowOf(x.Input)
		return windowCols{spec: in.spec, start: x.WindowStart, end: x.WindowEnd, time: -1}, true
	case *CalcNode:
		in, ok := windowOf(x.Input)
		if !ok {
			return windowCols{}, false
		}
		w := windowCols{spec: in.spec, start: -1, end: -1, time: -1}
		for i, e := range x.Exprs {
			switch c := e.ref - 1; {
			case c < 0:
			case c == in.start && w.start < 0:
				w.start = i
			case c == in.end && w.end < 0:
				w.end = i
			case c == in.time && w.time < 0:
				w.time = i
			}
		}
		return w, w.start >= 0 && w.end >= 0
	}
	return windowCols{}, false
}

// sameWindow reports whether two window TVFs assign rows to the same windows.
func sameWindow(a, b WindowSpec) bool {
	return a.Kind == b.Kind && a.Size == b.Size && a.Slide == b.Slide && a.Step == b.Step && a.Offset == b.Offset && a.Kind != Session
}

// windowRank makes a Top-N whose partition holds window_start and window_end of a windowed input a
// window Top-N (Flink's WindowRank), or, ordered by the window TVF's time column with rank end 1, a
// window deduplication (Flink's WindowDeduplicate).
func windowRank(rk *RankNode) {
	w, ok := windowOf(rk.Input)
	if !ok || w.spec.Kind == Session || rk.Func != "" {
		return
	}
	hasStart, hasEnd := false, false
	for _, p := range rk.Partition {
		hasStart = hasStart || p.ref-1 == w.start
		hasEnd = hasEnd || p.ref-1 == w.end
	}
	if !hasStart || !hasEnd {
		return
	}
	spec := w.spec
	rk.Window, rk.WindowEnd = &spec, w.end
	rk.Dedup = rk.N == 1 && len(rk.Order) == 1 && w.time >= 0 && rk.Order[0].ref-1 == w.time
}

func (n *RankNode) describeWindow() string {
	if n.Dedup {
		keep := "FirstRow"
		if n.Desc[0] {
			keep = "LastRow"
		}
		return fmt.Sprintf("WindowDeduplicate(window=[%s], keep=[%s], partitionKeys=[%s], orderKey=[%s], order=[ROWTIME])", n.Window, keep, exprTexts(n.Partition), n.Order[0].text)
	}
	var order []string
	for i, o := range n.Order {
		order = append(order, o.text+map[bool]string{true: " DESC", false: " ASC"}[n.Desc[i]])
	}
	return fmt.Sprintf("WindowRank(window=[%s], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=%d], partitionBy=[%s], orderBy=[%s], select=[%s])",
		n.Window, n.N, exprTexts(n.Partition), strings.Join(order, ", "), names(n.Cols))
}

var windowRankDesc = engine.State("window-rank")

// windowTopN compiles a window Top-N: keyed by the partition (which holds the window), each key keeps its
// first N rows in ValueState until an event-time timer at the window's end - 1 ms emits them, as +I rows
// in rank order, and clears it. A row whose window the watermark has passed is late and dropped, as in
// Flink's WindowRankOperator.
func windowTopN(in *engine.DataStream, n *RankNode) *engine.DataStream {
	keepLast := n.Dedup && n.Desc[0]
	keyed := dropFiredWindows(in, n.Input, n.WindowEnd).KeyBy(rowKeySelector(n.Partition))
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		end, ok := r.Fields[n.WindowEnd].(time.Time)
		if !ok || end.UnixMilli()-1 <= ctx.CurrentWatermark() {
			return // late: its window has fired
		}
		sortKey, err := keyOf(n.Order, r)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		st := ctx.ValueState(windowRankDesc)
		var rs rankState
		if cur, ok := st.Get(); ok {
			rs = cur.(rankState)
		}
		pos := len(rs.Rows)
		for i, e := range rs.Rows {
			if c := compareSort(sortKey, e.Sort, n.Desc); c < 0 || c == 0 && keepLast {
				pos = i
				break
			}
		}
		if pos >= int(n.N) {
			return
		}
		rows := make([]rankEntry, 0, len(rs.Rows)+1)
		rows = append(append(append(rows, rs.Rows[:pos]...), rankEntry{Sort: sortKey, Fields: r.Fields}), rs.Rows[pos:]...)
		if len(rows) > int(n.N) {
			rows = rows[:n.N]
		}
		st.Update(rankState{Rows: rows})
		ctx.RegisterEventTimeTimer(end.UnixMilli() - 1)
	}, OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
		st := ctx.ValueState(windowRankDesc)
		cur, ok := st.Get()
		if !ok {
			return
		}
		st.Clear()
		for i, e := range cur.(rankState).Rows {
			f := make([]any, 0, len(n.Cols))
			k := 0
			for c := range n.Cols {
				if c == n.RnPos {
					f = append(f, int64(i+1))
					continue
				}
				v, err := n.Exprs[k].eval(e.Fields)
				if err != nil {
					out.Collect(errorRow{err.Error()})
					return
				}
				f = append(f, coerce(v, n.Exprs[k].typ))
				k++
			}
			out.Collect(Row{Kind: Insert, Fields: f})
		}
	}}).Name(n.Describe())
}

// WindowJoinNode is a join of two windowed inputs on the same window TVF whose condition equates both
// window_start and window_end (Flink's WindowJoin): each window's rows of both sides wait in state until
// the watermark passes the window's end, are then joined (INNER, LEFT, RIGHT or FULL OUTER, an outer row
// without a match padded with NULLs) and emitted as +I rows, and the window is cleared. A row whose
// window the watermark has passed is late and dropped. The output is insert-only. With Type SemiJoin or
// AntiJoin (an IN or EXISTS subquery over the same window) it emits each left row that has a match, or
// none.
type WindowJoinNode struct {
	JoinNode
	Window            WindowSpec
	LeftEnd, RightEnd int // the window_end column of each input
}

func (n *WindowJoinNode) Updating() bool { return false }
func (n *WindowJoinNode) Describe() string {
	s := n.JoinNode.Describe()
	return "WindowJoin(leftWindow=[" + n.Window.String() + "], rightWindow=[" + n.Window.String() + "], " + strings.TrimPrefix(s, "Join(")
}

// windowJoinOf returns the window join that n is, if both inputs are windowed by the same TVF and the
// join keys equate their window_start and window_end.
func windowJoinOf(n *JoinNode) (*WindowJoinNode, bool) {
	lw, lok := windowOf(n.Left)
	rw, rok := windowOf(n.Right)
	if !lok || !rok || !sameWindow(lw.spec, rw.spec) || n.Left.Updating() || n.Right.Updating() {
		return nil, false
	}
	start, end := false, false
	for i := range n.LeftKeys {
		start = start || n.LeftKeys[i] == lw.start && n.RightKeys[i] == rw.start
		end = end || n.LeftKeys[i] == lw.end && n.RightKeys[i] == rw.end
	}
	if !start || !end {
		return nil, false
	}
	return &WindowJoinNode{JoinNode: *n, Window: lw.spec, LeftEnd: lw.end, RightEnd: rw.end}, true
}

// windowJoinRows is rows kept together in state, in arrival order.
type windowJoinRows struct {
	Rows [][]any
}

// fieldRows converts a ListState's elements (rows' fields) back to rows.
func fieldRows(vs []any) [][]any {
	out := make([][]any, len(vs))
	for i, v := range vs {
		out[i] = v.([]any)
	}
	return out
}

var (
	windowJoinLeft  = engine.State("window-join-left")
	windowJoinRight = engine.State("window-join-right")
)

// windowJoin compiles a WindowJoinNode: both inputs connected and keyed by the join keys (which hold the
// window), each side's rows in ListState until the timer at the window's end - 1 ms joins them, as
// Flink's WindowJoinOperator: for each left row in arrival order, its matches among the right rows.
func windowJoin(left, right *engine.DataStream, n *WindowJoinNode) *engine.DataStream {
	semi, anti := n.Type == SemiJoin, n.Type == AntiJoin
	leftOuter := n.Type == LeftJoin || n.Type == FullJoin
	rightOuter := n.Type == RightJoin || n.Type == FullJoin
	nl, nr := len(n.Left.Columns()), len(n.Right.Columns())
	proc := func(desc engine.StateDescriptor, endCol int) func(ctx *engine.Context, v any, out engine.Collector) {
		return func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				out.Collect(v)
				return
			}
			end, ok := r.Fields[endCol].(time.Time)
			if !ok || end.UnixMilli()-1 <= ctx.CurrentWatermark() {
				return // late: its window has fired
			}
			ctx.ListState(desc).Add(r.Fields)
			ctx.RegisterEventTimeTimer(end.UnixMilli() - 1)
		}
	}
	left, right = dropFiredWindows(left, n.Left, n.LeftEnd), dropFiredWindows(right, n.Right, n.RightEnd)
	return left.Connect(right).KeyBy(joinKeySelector(&n.JoinNode, true), joinKeySelector(&n.JoinNode, false)).Process(engine.CoProcessFunction{
		ProcessElement1: proc(windowJoinLeft, n.LeftEnd),
		ProcessElement2: proc(windowJoinRight, n.RightEnd),
		OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
			ls, rs := ctx.ListState(windowJoinLeft), ctx.ListState(windowJoinRight)
			lrows, rrows := fieldRows(ls.Get()), fieldRows(rs.Get())
			ls.Clear()
			rs.Clear()
			joined := func(l, r []any) []any {
				if l == nil {
					l = make([]any, nl)
				}
				if r == nil {
					r = make([]any, nr)
				}
				return append(append(make([]any, 0, nl+nr), l...), r...)
			}
			rightMatched := make([]bool, len(rrows))
			var pair []any // a pair's fields while its condition is evaluated: a row is made only for a match
			for _, l := range lrows {
				matched := false
				for j, r := range rrows {
					if !keysEqual(l, r, n.LeftKeys, n.RightKeys) {
						continue
					}
					if n.Cond != nil {
						pair = append(append(pair[:0], l...), r...)
						v, err := n.Cond.eval(pair)
						if err != nil {
							out.Collect(errorRow{err.Error()})
							return
						}
						if v != true {
							continue
						}
					}
					matched, rightMatched[j] = true, true
					if semi || anti {
						break
					}
					out.Collect(Row{Kind: Insert, Fields: joined(l, r)})
				}
				switch {
				case semi && matched, anti && !matched:
					out.Collect(Row{Kind: Insert, Fields: l})
				case !matched && leftOuter:
					out.Collect(Row{Kind: Insert, Fields: joined(l, nil)})
				}
			}
			if rightOuter {
				for j, r := range rrows {
					if !rightMatched[j] {
						out.Collect(Row{Kind: Insert, Fields: joined(nil, r)})
					}
				}
			}
		},
	}).Name(n.Describe())
}

// keysEqual reports whether a left and a right row have equal, non-NULL join keys (a NULL key matches
// nothing).
func keysEqual(l, r []any, lk, rk []int) bool {
	for i := range lk {
		if l[lk[i]] == nil || r[rk[i]] == nil || compareValues(l[lk[i]], r[rk[i]]) != 0 {
			return false
		}
	}
	return true
}

// dropFiredWindows drops the rows of node from (compiled as in) whose window (window_end in column endCol)
// the watermark has passed, as Flink's window operators drop late rows. Like dropLate, it judges each row
// by the watermark of its own input partition, before the rows are redistributed by key, so that which
// rows are late does not depend on how the partitions interleave. Rows that a window aggregation emits
// are never late (see emittedOnTime), so their stream is returned as it is.
func dropFiredWindows(in *engine.DataStream, from Node, endCol int) *engine.DataStream {
	if emittedOnTime(from) {
		return in
	}
	return in.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		if r, ok := v.(Row); ok {
			if end, ok := r.Fields[endCol].(time.Time); ok && end.UnixMilli()-1 <= ctx.CurrentWatermark() {
				return
			}
		}
		out.Collect(v)
	}}).Name("Drop rows of fired windows")
}

// emittedOnTime reports whether n's rows are emitted by a window aggregation (a WindowAggregateNode or a
// windowed GROUP BY, under Calcs or not) when the watermark passes their window's end: each reaches the
// next operator before the watermark that fired its window (timers fire before their watermark goes on,
// and a channel keeps its order), so none is late for a window operator on the same windows.
func emittedOnTime(n Node) bool {
	switch x := n.(type) {
	case *WindowAggregateNode:
		return !x.Window.Proctime
	case *AggregateNode:
		return x.WindowEnd >= 0
	case *CalcNode:
		return emittedOnTime(x.Input)
	}
	return false
}

// windowedGroup makes a GROUP BY whose keys include window_start and window_end of a windowed,
// insert-only input (a window aggregation, a window TVF, or a Calc keeping their columns) a window
// aggregation over the input's windows, as Flink plans GROUP BY window_start, window_end over a window
// aggregation (Nexmark q5's MaxBids): insert-only, each window's groups emitted once when the watermark
// passes the window's end. Otherwise it stays a GROUP BY with updates.
func windowedGroup(n *AggregateNode) {
	w, ok := windowOf(n.Input)
	if !ok || n.Input.Updating() || w.spec.Kind == Session {
		return
	}
	for i, k := range n.Keys {
		switch c := k.ref - 1; {
		case c < 0:
		case c == w.start && n.WindowStart < 0:
			n.WindowStart = i
		case c == w.end && n.WindowEnd < 0:
			n.WindowEnd = i
		}
	}
	if n.WindowStart < 0 || n.WindowEnd < 0 {
		n.WindowStart, n.WindowEnd = -1, -1
	}
}

var windowGroupDesc = engine.State("window-group")

// windowedGroupAggregate compiles a windowed GROUP BY (AggregateNode with WindowEnd set): keyed by the
// grouping values (which hold the window), each group's accumulators in ValueState until an event-time
// timer at the window's end - 1 ms emits its row as +I and clears it. Rows of a window that has fired
// are late and dropped.
func windowedGroupAggregate(in *engine.DataStream, n *AggregateNode) *engine.DataStream {
	keys, aggs := n.Keys, appendOnlyAggs(n.Aggs) // its input is insert-only
	endCol := keys[n.WindowEnd].ref - 1
	keyed := dropFiredWindows(in, n.Input, endCol).KeyBy(rowKeySelector(keys))
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		end, ok := r.Fields[endCol].(time.Time)
		if !ok {
			return
		}
		var argBuf [8]any
		args, err := aggArgs(argBuf[:], aggs, r)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		st := ctx.ValueState(windowGroupDesc)
		var gs *groupState
		if cur, ok := st.Get(); ok {
			gs = cur.(*groupState) // changed in place (see groupState)
		} else {
			key, err := keyOf(keys, r)
			if err != nil {
				out.Collect(errorRow{err.Error()})
				return
			}
			for i, v := range key {
				key[i] = detached(v) // the key outlives the row
			}
			gs = &groupState{Key: key, Accs: make([]aggAcc, len(aggs))}
			ctx.RegisterEventTimeTimer(end.UnixMilli() - 1)
		}
		for i, a := range aggs {
			a.accumulate(&gs.Accs[i], args[i], 1)
		}
		gs.Rows++
		st.Update(gs)
	}, OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
		st := ctx.ValueState(windowGroupDesc)
		cur, ok := st.Get()
		if !ok {
			return
		}
		st.Clear()
		gs := cur.(*groupState)
		out.Collect(Row{Kind: Insert, Fields: aggRow(gs.Key, aggs, gs.Accs)})
	}}).Name(n.Describe())
}
