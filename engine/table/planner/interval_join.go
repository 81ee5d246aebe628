package planner

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// timeBounds are the bounds of an interval join: a pair joins when Lower <= right.time - left.time <=
// Upper, in milliseconds, where the times are the time attributes LeftTime and RightTime.
type timeBounds struct {
	LeftTime, RightTime int
	Lower, Upper        int64
}

// IntervalJoinNode is an interval join (Flink's IntervalJoin): an inner join of two insert-only inputs
// whose condition bounds the distance of their time attributes, for example l.ts BETWEEN r.ts - INTERVAL
// '1' HOUR AND r.ts. Rows wait in state only until the watermark passes the last time they can still
// join, and the output is insert-only.
type IntervalJoinNode struct {
	JoinNode
	Bounds timeBounds
}

func (n *IntervalJoinNode) Updating() bool { return false }
func (n *IntervalJoinNode) Describe() string {
	lc, rc := n.Left.Columns(), n.Right.Columns()
	d := n.JoinNode.Describe()
	return fmt.Sprintf("IntervalJoin(joinType=[%s], windowBounds=[isRowTime=true, leftLowerBound=%d, leftUpperBound=%d, leftTimeIndex=%s, rightTimeIndex=%s], %s", n.Type,
		-n.Bounds.Upper, -n.Bounds.Lower, lc[n.Bounds.LeftTime].Name, rc[n.Bounds.RightTime].Name, d[len("Join("):])
}

// timeTerm is a time attribute of one side plus a constant: side 0 (left) or 1 (right), its column, and
// the offset in milliseconds.
type timeTerm struct {
	side, col int
	offset    int64
}

// term reads e as a time attribute of one input plus or minus INTERVAL literals.
func term(e sqlparse.Expr, ls, rs *scope) (timeTerm, bool) {
	switch x := e.(type) {
	case *sqlparse.Ident:
		li, lerr := ls.resolve(x)
		ri, rerr := rs.resolve(x)
		switch {
		case lerr == nil && rerr != nil && ls.fields[li].typ.Rowtime:
			return timeTerm{0, li, 0}, true
		case rerr == nil && lerr != nil && rs.fields[ri].typ.Rowtime:
			return timeTerm{1, ri, 0}, true
		}
	case *sqlparse.Binary:
		iv, ok := x.R.(*sqlparse.Interval)
		if !ok || (x.Op != "+" && x.Op != "-") {
			return timeTerm{}, false
		}
		ms, err := intervalMillis(iv)
		if err != nil {
			return timeTerm{}, false
		}
		t, ok := term(x.L, ls, rs)
		if !ok {
			return timeTerm{}, false
		}
		if x.Op == "-" {
			ms = -ms
		}
		t.offset += ms
		return t, true
	}
	return timeTerm{}, false
}

// extractTimeBounds finds the conjuncts that bound right.time - left.time from below and above (as
// comparisons or BETWEEN of two time attributes with INTERVAL offsets) and returns the bounds and the other
// conjuncts, or nil and all conjuncts when the condition does not bound the times on both sides. As in
// Flink, a strict bound is made inclusive by one millisecond.
func extractTimeBounds(conj []sqlparse.Expr, ls, rs *scope) (*timeBounds, []sqlparse.Expr, error) {
	b := timeBounds{LeftTime: -1, RightTime: -1}
	hasLower, hasUpper := false, false
	var rest []sqlparse.Expr
	// cmp applies A op B; it reports false when A and B are not times of both sides.
	cmp := func(a sqlparse.Expr, op string, c sqlparse.Expr, apply bool) bool {
		ta, ok1 := term(a, ls, rs)
		tb, ok2 := term(c, ls, rs)
		if !ok1 || !ok2 || ta.side == tb.side {
			return false
		}
		lt, rt := ta, tb
		if ta.side == 1 {
			lt, rt = tb, ta
		}
		if (b.LeftTime >= 0 && b.LeftTime != lt.col) || (b.RightTime >= 0 && b.RightTime != rt.col) {
			return false
		}
		if !apply {
			return true
		}
		b.LeftTime, b.RightTime = lt.col, rt.col
		// Write the comparison as d op k with d = right.time - left.time.
		var k int64
		if ta.side == 0 { // l + ca op r + cb  <=>  d flip(op) ca - cb
			k = ta.offset - tb.offset
			op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
		} else { // r + ca op l + cb  <=>  d op cb - ca
			k = tb.offset - ta.offset
		}
		switch op {
		case "<=":
			b.Upper, hasUpper = minBound(b.Upper, k, hasUpper), true
		case "<":
			b.Upper, hasUpper = minBound(b.Upper, k-1, hasUpper), true
		case ">=":
			b.Lower, hasLower = maxBound(b.Lower, k, hasLower), true
		case ">":
			b.Lower, hasLower = maxBound(b.Lower, k+1, hasLower), true
		}
		return true
	}
	for _, c := range conj {
		switch x := c.(type) {
		case *sqlparse.Binary:
			switch x.Op {
			case "<", "<=", ">", ">=":
				if cmp(x.L, x.Op, x.R, true) {
					continue
				}
			}
		case *sqlparse.Between:
			if !x.Not && cmp(x.X, ">=", x.Lo, false) && cmp(x.X, "<=", x.Hi, false) {
				cmp(x.X, ">=", x.Lo, true)
				cmp(x.X, "<=", x.Hi, true)
				continue
			}
		}
		rest = append(rest, c)
	}
	if !hasLower || !hasUpper {
		return nil, conj, nil
	}
	return &b, rest, nil
}

func minBound(cur, k int64, has bool) int64 {
	if has && cur < k {
		return cur
	}
	return k
}

func maxBound(cur, k int64, has bool) int64 {
	if has && cur > k {
		return cur
	}
	return k
}

// intervalJoin compiles an IntervalJoinNode on the engine's KeyedStream.IntervalJoin: a left row at time
// t joins the right rows of its key at times in [t+Lower, t+Upper]; rows behind the watermark are late
// and dropped. left and right carry no error rows (Compiler.Checked).
func intervalJoin(left, right *engine.DataStream, n *IntervalJoinNode) *engine.DataStream {
	cond, lk := n.Cond, n.LeftKeys
	return left.KeyBy(joinKeySelector(&n.JoinNode, true)).IntervalJoin(right.KeyBy(joinKeySelector(&n.JoinNode, false))).
		Between(time.Duration(n.Bounds.Lower)*time.Millisecond, time.Duration(n.Bounds.Upper)*time.Millisecond).
		Process(engine.ProcessJoinFunction{ProcessElement: func(_ *engine.JoinContext, a, b any, out engine.Collector) {
			l, r := a.(Row), b.(Row)
			for _, k := range lk {
				if l.Fields[k] == nil {
					return // NULL = NULL is not true
				}
			}
			fields := make([]any, 0, len(l.Fields)+len(r.Fields))
			fields = append(append(fields, l.Fields...), r.Fields...)
			if cond != nil {
				v, err := cond.eval(fields)
				if err != nil {
					out.Collect(errorRow{err.Error()})
					return
				}
				if v != true {
					return
				}
			}
			out.Collect(Row{Kind: Insert, Fields: fields})
		}}).Name(n.Describe())
}
