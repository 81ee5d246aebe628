package planner

import (
	"sort"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// TemporalJoinNode is an event-time temporal join (Flink's TemporalJoin, FOR SYSTEM_TIME AS OF): each row
// of the insert-only left input joins the version of the right table, a versioned table with a primary
// key and an event-time attribute, that was valid at the left row's time: the right row of its key with
// the latest time not after it. Left rows wait in state until the watermark passes their time, so that
// every version up to it has arrived; then they are emitted, insert-only, and versions no row can still
// need are dropped.
type TemporalJoinNode struct {
	JoinNode
	LeftTime, RightTime int
}

func (n *TemporalJoinNode) Updating() bool { return false }
func (n *TemporalJoinNode) Describe() string {
	d := n.JoinNode.Describe()
	return "Temporal" + d
}

// temporalJoin checks and plans x as a temporal join of n's inputs.
func temporalJoin(n *JoinNode, tn *sqlparse.TableName, ls, rs *scope, sc *scope) (*TemporalJoinNode, error) {
	if n.Type != InnerJoin && n.Type != LeftJoin {
		return nil, errAt(tn.Pos, ErrUnsupported, "Temporal table join currently only supports INNER JOIN and LEFT JOIN, but was %s", n.Type)
	}
	if n.Left.Updating() {
		return nil, errAt(tn.Pos, ErrUnsupported, "a temporal join's left input must be insert-only")
	}
	id, ok := tn.SystemTime.(*sqlparse.Ident)
	if !ok {
		return nil, errAt(tn.SystemTime.ExprPos(), ErrUnsupported, "FOR SYSTEM_TIME AS OF needs a time attribute of the left table")
	}
	lt, err := ls.resolve(id)
	if err != nil {
		return nil, err
	}
	if !ls.fields[lt].typ.Rowtime {
		return nil, errAt(id.Pos, ErrUnsupported, "Weir runs event-time temporal joins only: FOR SYSTEM_TIME AS OF needs the left table's event-time attribute (WATERMARK FOR), not %s", ls.fields[lt].name)
	}
	scan, ok := n.Right.(*ScanNode)
	if !ok || len(scan.Table.PrimaryKey) == 0 {
		return nil, errAt(tn.Pos, ErrValidation, "Temporal Table Join requires primary key in versioned table, but no primary key can be found (table %s)", tn.Name)
	}
	rt := -1
	for i, f := range rs.fields {
		if f.typ.Rowtime {
			rt = i
		}
	}
	if rt < 0 {
		return nil, errAt(tn.Pos, ErrValidation, "Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found (table %s)", tn.Name)
	}
	for _, k := range scan.Table.PrimaryKey {
		found := false
		for _, rk := range n.RightKeys {
			found = found || rs.fields[rk].name == k
		}
		if !found {
			return nil, errAt(tn.Pos, ErrValidation, "Temporal table's primary key [%s] must be included in the equivalence condition of the temporal join", k)
		}
	}
	sc.fields[lt].typ.Rowtime = true // the output keeps the left row's time attribute, as in Flink
	n.Cols = sc.columns()
	return &TemporalJoinNode{JoinNode: *n, LeftTime: lt, RightTime: rt}, nil
}

// temporalVersion is one version of a versioned table's row: its time and fields, or a deletion.
type temporalVersion struct {
	TS      int64
	Fields  []any
	Deleted bool
}

func millisOf(v any) (int64, bool) {
	t, ok := v.(time.Time)
	if !ok {
		return 0, false
	}
	return t.UnixMilli(), true
}

// compileTemporalJoin compiles a TemporalJoinNode as Flink's TemporalRowTimeJoinOperator on connected
// streams keyed by the join key. left and right carry no error rows (Compiler.Checked).
func compileTemporalJoin(left, right *engine.DataStream, n *TemporalJoinNode) *engine.DataStream {
	j := newJoiner(&n.JoinNode)
	leftRows, versions := engine.State("temporal-left"), engine.State("temporal-versions")
	outer := n.Type == LeftJoin
	return left.Connect(right).KeyBy(joinKeySelector(&n.JoinNode, true), joinKeySelector(&n.JoinNode, false)).Process(engine.CoProcessFunction{
		ProcessElement1: func(ctx *engine.Context, v any, out engine.Collector) {
			r := v.(Row)
			ts, ok := millisOf(r.Fields[n.LeftTime])
			if !ok {
				return // a row without a time joins no version
			}
			ctx.ListState(leftRows).Add(r)
			ctx.RegisterEventTimeTimer(ts)
		},
		ProcessElement2: func(ctx *engine.Context, v any, out engine.Collector) {
			r := v.(Row)
			ts, ok := millisOf(r.Fields[n.RightTime])
			if !ok || r.Kind == UpdateBefore {
				return // -U is followed by the +U that replaces it
			}
			st := ctx.ValueState(versions)
			var vs []temporalVersion
			if cur, ok := st.Get(); ok {
				vs = append(vs, cur.([]temporalVersion)...)
			}
			i := sort.Search(len(vs), func(i int) bool { return vs[i].TS > ts })
			vs = append(vs[:i], append([]temporalVersion{{TS: ts, Fields: r.Fields, Deleted: r.Kind == Delete}}, vs[i:]...)...)
			st.Update(vs)
		},
		OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
			wm := ctx.CurrentWatermark()
			var vs []temporalVersion
			if cur, ok := ctx.ValueState(versions).Get(); ok {
				vs = cur.([]temporalVersion)
			}
			var due, wait []Row
			for _, x := range ctx.ListState(leftRows).Get() {
				r := x.(Row)
				if ts, _ := millisOf(r.Fields[n.LeftTime]); ts <= wm {
					due = append(due, r)
				} else {
					wait = append(wait, r)
				}
			}
			sort.SliceStable(due, func(a, b int) bool {
				x, _ := millisOf(due[a].Fields[n.LeftTime])
				y, _ := millisOf(due[b].Fields[n.LeftTime])
				return x < y
			})
			for _, r := range due {
				ts, _ := millisOf(r.Fields[n.LeftTime])
				i := sort.Search(len(vs), func(i int) bool { return vs[i].TS > ts }) - 1
				matched := false
				if i >= 0 && !vs[i].Deleted {
					nullKey := false
					for _, k := range n.LeftKeys {
						nullKey = nullKey || r.Fields[k] == nil
					}
					jr := j.joined(Insert, r.Fields, vs[i].Fields, true)
					matched = !nullKey
					if matched && n.Cond != nil {
						c, err := n.Cond.eval(jr.Fields)
						if err != nil {
							out.Collect(errorRow{err.Error()})
							continue
						}
						matched = c == true
					}
					if matched {
						out.Collect(jr)
					}
				}
				if !matched && outer {
					out.Collect(j.joined(Insert, r.Fields, nil, true))
				}
			}
			if len(wait) == 0 {
				ctx.ListState(leftRows).Clear()
			} else {
				keep := make([]any, len(wait))
				for i, r := range wait {
					keep[i] = r
				}
				ctx.ListState(leftRows).Update(keep)
			}
			// Versions older than the last one at or before the watermark can no longer be needed.
			if k := sort.Search(len(vs), func(i int) bool { return vs[i].TS > wm }) - 1; k > 0 {
				vs = vs[k:]
				ctx.ValueState(versions).Update(append([]temporalVersion(nil), vs...))
			}
		},
	}).Name(n.Describe())
}
