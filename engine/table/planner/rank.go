package planner

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// RankNode is Flink's Rank with ROW_NUMBER (Top-N): SELECT ..., ROW_NUMBER() OVER (PARTITION BY p ORDER
// BY o) AS rn FROM t in a subquery whose outer query keeps rn <= N (or rn < N, rn = 1). Per partition it
// keeps the rows in the order of o and emits the changes of the first N as updates: with the row number
// in the output, every rank whose row changes is updated (-U of the old row and rank, +U of the new);
// without it, a row entering the first N is inserted and the one it pushes out deleted. With N = 1 and
// the order a single time attribute it is Flink's Deduplicate: keep the first row (ascending: a later
// arrival with an equal time does not replace it) or the last (descending: it does).
type RankNode struct {
	Input      Node
	Partition  []*cexpr
	Order      []*cexpr
	Desc       []bool
	Exprs      []*cexpr // the select items other than the row number, on the input's rows
	RnPos      int      // where the row number is among the columns
	N          int64    // the rank end; 0 until the outer query's filter sets it
	Offset     int64    // ranks before Offset+1 are not emitted (ORDER BY ... OFFSET: SortLimit's rank start)
	OutputRank bool     // whether the outer query reads the row number
	Dedup      bool     // N = 1 ordered by one time attribute: Flink's Deduplicate
	// Window is set for a window Top-N (Flink's WindowRank, or WindowDeduplicate with Dedup): the
	// partition holds window_start and window_end of a windowed input, whose window_end is column
	// WindowEnd of the input rows.
	Window    *WindowSpec
	WindowEnd int
	Cols      []Column
	// Func is the rank function: ROW_NUMBER (the default, ""), or RANK or DENSE_RANK, which run only in
	// batch execution mode, as in Flink (see batchRank).
	Func string
}

// rankFunc is the name of the node's rank function.
func (n *RankNode) rankFunc() string {
	if n.Func == "" {
		return "ROW_NUMBER"
	}
	return n.Func
}

// row is the output row of input fields at rank (the rank goes to column RnPos, if the query has it).
func (n *RankNode) row(fields []any, rank int) ([]any, error) {
	out := make([]any, 0, len(n.Cols))
	k := 0
	for i := range n.Cols {
		if i == n.RnPos {
			out = append(out, int64(rank))
			continue
		}
		v, err := n.Exprs[k].eval(fields)
		if err != nil {
			return nil, err
		}
		out = append(out, coerce(v, n.Exprs[k].typ))
		k++
	}
	return out, nil
}

func (n *RankNode) Columns() []Column { return n.Cols }
func (n *RankNode) Updating() bool    { return n.Window == nil }
func (n *RankNode) Inputs() []Node    { return []Node{n.Input} }
func (n *RankNode) Describe() string {
	if n.Window != nil {
		return n.describeWindow()
	}
	var order []string
	for i, o := range n.Order {
		order = append(order, o.text+map[bool]string{true: " DESC", false: " ASC"}[n.Desc[i]])
	}
	if n.Dedup {
		keep := "FirstRow"
		if n.Desc[0] {
			keep = "LastRow"
		}
		return fmt.Sprintf("Deduplicate(keep=[%s], key=[%s], order=[ROWTIME])", keep, exprTexts(n.Partition))
	}
	return fmt.Sprintf("Rank(rankType=[%s], rankRange=[rankStart=1, rankEnd=%d], partitionBy=[%s], orderBy=[%s], outputRankNumber=[%t], select=[%s])",
		n.rankFunc(), n.N, exprTexts(n.Partition), strings.Join(order, ", "), n.OutputRank, names(n.Cols))
}

// rowNumberItem returns the index of the ROW_NUMBER(), RANK() or DENSE_RANK() OVER item of a select list, -1
// if there is none.
func rowNumberItem(items []sqlparse.SelectItem) (int, error) {
	found := -1
	for i, it := range items {
		c, ok := it.Expr.(*sqlparse.Call)
		if !ok || c.Over == nil {
			continue
		}
		if c.Name != "ROW_NUMBER" && c.Name != "RANK" && c.Name != "DENSE_RANK" {
			return -1, errAt(c.Pos, ErrUnsupported, "%s OVER (...) is not supported by Weir yet: only ROW_NUMBER(), RANK() and DENSE_RANK() for Top-N", c.Name)
		}
		if found >= 0 {
			return -1, errAt(c.Pos, ErrUnsupported, "only one rank function per SELECT is supported")
		}
		if len(c.Over.OrderBy) == 0 {
			return -1, errAt(c.Over.Pos, ErrValidation, "%s() needs ORDER BY in its OVER clause", c.Name)
		}
		found = i
	}
	return found, nil
}

// rank plans a select list with ROW_NUMBER() OVER as a RankNode whose rank end the outer query sets.
func (p *Planner) rank(items []sqlparse.SelectItem, rn int, in Node, sc *scope, filter *cexpr, pos sqlparse.Pos) (Node, *scope, error) {
	b := &binder{scope: sc}
	call := items[rn].Expr.(*sqlparse.Call)
	over := call.Over
	n := &RankNode{RnPos: rn}
	if call.Name != "ROW_NUMBER" {
		n.Func = call.Name
	}
	for _, e := range over.PartitionBy {
		c, err := b.bind(e)
		if err != nil {
			return nil, nil, err
		}
		n.Partition = append(n.Partition, c)
	}
	for _, o := range over.OrderBy {
		c, err := b.bind(o.Expr)
		if err != nil {
			return nil, nil, err
		}
		n.Order = append(n.Order, c)
		n.Desc = append(n.Desc, o.Desc)
	}
	n.Dedup = len(n.Order) == 1 && n.Order[0].typ.Rowtime && n.Func == ""
	for i, it := range items {
		if i == rn {
			n.Cols = append(n.Cols, Column{Name: itemName(it, i), Type: DataType{Kind: KindBigInt, NotNull: true}})
			continue
		}
		c, err := b.bind(it.Expr)
		if err != nil {
			return nil, nil, err
		}
		n.Exprs = append(n.Exprs, c)
		t := c.typ
		t.Rowtime = false
		n.Cols = append(n.Cols, Column{Name: itemName(it, i), Type: t})
	}
	if err := uniqueNames(n.Cols, pos); err != nil {
		return nil, nil, err
	}
	if filter != nil {
		in = &CalcNode{Input: in, Filter: filter, Exprs: identityExprs(in.Columns()), Cols: in.Columns()}
	}
	n.Input = in
	return n, newScope(n.Cols, ""), nil
}

// rankEnd finds the conjunct of where that bounds the row number column rnCol of sc (rn <= N, rn < N,
// rn = 1, or the same reversed) and returns N and the other conjuncts joined with AND (nil for none).
func rankEnd(where sqlparse.Expr, sc *scope, rnCol int) (int64, sqlparse.Expr, error) {
	var conj []sqlparse.Expr
	splitAnd(where, &conj)
	var end int64
	var rest sqlparse.Expr
	for _, c := range conj {
		if end == 0 {
			if n, ok := rankBound(c, sc, rnCol); ok {
				if n < 1 {
					return 0, nil, errAt(c.ExprPos(), ErrValidation, "the rank end of a Top-N must be at least 1")
				}
				end = n
				continue
			}
		}
		if rest == nil {
			rest = c
		} else {
			rest = &sqlparse.Binary{Pos: c.ExprPos(), Op: "AND", L: rest, R: c}
		}
	}
	return end, rest, nil
}

func rankBound(c sqlparse.Expr, sc *scope, rnCol int) (int64, bool) {
	b, ok := c.(*sqlparse.Binary)
	if !ok {
		return 0, false
	}
	op, l, r := b.Op, b.L, b.R
	if _, isLit := l.(*sqlparse.Literal); isLit {
		l, r = r, l
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[op]
	}
	id, ok := l.(*sqlparse.Ident)
	lit, ok2 := r.(*sqlparse.Literal)
	if !ok || !ok2 || lit.Kind != sqlparse.LitNumber {
		return 0, false
	}
	if i, err := sc.resolve(id); err != nil || i != rnCol {
		return 0, false
	}
	var n int64
	if _, err := fmt.Sscan(lit.Text, &n); err != nil {
		return 0, false
	}
	switch op {
	case "<=":
		return n, true
	case "<":
		return n - 1, true
	case "=":
		if n == 1 {
			return 1, true
		}
	}
	return 0, false
}

// rankEntry is one row of a Top-N partition: its sort key and its input fields.
type rankEntry struct {
	Sort   []any
	Fields []any
}

// rankState is a Top-N partition's rows in rank order (at most N of them: the input is insert-only).
type rankState struct {
	Rows []rankEntry
}

// compareSort orders two sort keys: NULL first ascending and last descending, as Flink's defaults.
func compareSort(a, b []any, desc []bool) int {
	for i := range a {
		var c int
		switch {
		case a[i] == nil && b[i] == nil:
		case a[i] == nil:
			c = -1
		case b[i] == nil:
			c = 1
		default:
			c = compareValues(a[i], b[i])
		}
		if desc[i] {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

var rankDesc = engine.State("rank")

// topN compiles a RankNode: keyed by the partition, each key's first N rows in ValueState.
func topN(in *engine.DataStream, n *RankNode) *engine.DataStream {
	keepLast := n.Dedup && n.Desc[0] // a later row with an equal time replaces the kept one
	retracting := n.Input.Updating() // an updating input keeps every row: a retraction can bring one up
	keyed := in.KeyBy(rowKeySelector(n.Partition))
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		sortKey, err := keyOf(n.Order, r)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		st := ctx.ValueState(rankDesc)
		var rs rankState
		if cur, ok := st.Get(); ok {
			rs = cur.(rankState)
		}
		old := rs.Rows
		var rows []rankEntry
		if r.Kind.IsAccumulate() {
			// The position of the new row: after the rows it does not sort before.
			pos := len(old)
			for i, e := range old {
				c := compareSort(sortKey, e.Sort, n.Desc)
				if c < 0 || (c == 0 && keepLast) {
					pos = i
					break
				}
			}
			if pos >= int(n.N) && !retracting {
				return // not in the first N, and never will be: nothing changes
			}
			rows = make([]rankEntry, 0, len(old)+1)
			rows = append(append(append(rows, old[:pos]...), rankEntry{Sort: sortKey, Fields: r.Fields}), old[pos:]...)
			if !retracting && len(rows) > int(n.N) {
				rows = rows[:n.N] // an insert-only input keeps only the first N (AppendOnlyTopNFunction)
			}
		} else {
			idx := -1
			for i, e := range old {
				if equalRows(e.Fields, r.Fields) {
					idx = i
					break
				}
			}
			if idx < 0 {
				return // retracting a row that is not there: Flink ignores it
			}
			rows = append(append(make([]rankEntry, 0, len(old)), old[:idx]...), old[idx+1:]...)
		}
		if len(rows) == 0 {
			st.Clear()
		} else {
			st.Update(rankState{Rows: rows})
		}
		emit := func(kind RowKind, e rankEntry, rank int) bool {
			f, err := n.row(e.Fields, rank)
			if err != nil {
				out.Collect(errorRow{err.Error()})
				return false
			}
			out.Collect(Row{Kind: kind, Fields: f})
			return true
		}
		lo := int(n.Offset)
		oldTop, newTop := old[min(len(old), lo):min(len(old), int(n.N))], rows[min(len(rows), lo):min(len(rows), int(n.N))]
		if n.OutputRank {
			// Flink: AppendOnlyTopNFunction#processElementWithRowNumber (and RetractableTopNFunction): each
			// rank whose row changed is updated; a rank that did not exist is inserted, one that no longer
			// exists deleted.
			for i := 0; i < max(len(oldTop), len(newTop)); i++ {
				switch {
				case i < len(oldTop) && i < len(newTop):
					if !equalRows(oldTop[i].Fields, newTop[i].Fields) {
						if !emit(UpdateBefore, oldTop[i], lo+i+1) || !emit(UpdateAfter, newTop[i], lo+i+1) {
							return
						}
					}
				case i < len(newTop):
					if !emit(Insert, newTop[i], lo+i+1) {
						return
					}
				default:
					if !emit(Delete, oldTop[i], lo+i+1) {
						return
					}
				}
			}
			return
		}
		// Flink: AppendOnlyTopNFunction#processElementWithoutRowNumber: the row that left the first N is
		// deleted, the row that entered inserted (for N = 1, Deduplicate's -U/+U).
		removed, added := topDiff(oldTop, newTop), topDiff(newTop, oldTop)
		if n.N == 1 && lo == 0 && len(removed) == 1 && len(added) == 1 {
			if emit(UpdateBefore, removed[0], 0) {
				emit(UpdateAfter, added[0], 0)
			}
			return
		}
		for _, e := range removed {
			if !emit(Delete, e, 0) {
				return
			}
		}
		for _, e := range added {
			if !emit(Insert, e, 0) {
				return
			}
		}
	}}).Name(n.Describe())
}

// topDiff returns the entries of a that are not in b, counting duplicates.
func topDiff(a, b []rankEntry) []rankEntry {
	used := make([]bool, len(b))
	var out []rankEntry
	for _, e := range a {
		found := false
		for j, f := range b {
			if !used[j] && equalRows(e.Fields, f.Fields) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			out = append(out, e)
		}
	}
	return out
}

var batchRankDesc = engine.State("batch-rank")

// batchRank is Flink's batch Rank (BatchExecRank) for RANK and DENSE_RANK: per partition the rows wait until
// the input ends, are sorted, and those ranked at most N are emitted as +I rows, rows of equal sort keys
// sharing a rank (RANK skips the ranks they take, DENSE_RANK does not). Streaming Flink refuses both.
func batchRank(in *engine.DataStream, n *RankNode) *engine.DataStream {
	return untilEnd(in.KeyBy(rowKeySelector(n.Partition)), batchRankDesc, func(all [][]any, out engine.Collector) {
		rows, keys, err := sortByKeys(all, n.Order, n.Desc)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		rank, dense := 0, 0
		for i := range rows {
			if i == 0 || compareSort(keys[i-1], keys[i], n.Desc) != 0 {
				rank, dense = i+1, dense+1
			}
			r := rank
			if n.Func == "DENSE_RANK" {
				r = dense
			}
			if int64(r) > n.N {
				break
			}
			f, err := n.row(rows[i], r)
			if err != nil {
				out.Collect(errorRow{err.Error()})
				return
			}
			out.Collect(Row{Kind: Insert, Fields: f})
		}
	}).Name(n.Describe())
}
