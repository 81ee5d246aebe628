package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// JoinType is the type of a regular join.
type JoinType string

// The join types.
const (
	InnerJoin JoinType = "InnerJoin"
	LeftJoin  JoinType = "LeftOuterJoin"
	RightJoin JoinType = "RightOuterJoin"
	FullJoin  JoinType = "FullOuterJoin"
)

// JoinNode is a regular join (Flink's StreamingJoin): both inputs are kept in keyed state, keyed by the
// equality conditions of ON (LeftKeys[i] = RightKeys[i]), and every row that arrives on one side is
// joined with the other side's rows of its key that satisfy the remaining condition Cond (nil for
// none). An inner join of insert-only inputs is insert-only; an outer join, or a join of an updating
// input, is updating. Its columns are the left input's followed by the right input's; they are no
// longer time attributes.
type JoinNode struct {
	Left, Right         Node
	Type                JoinType
	LeftKeys, RightKeys []int
	Cond                *cexpr
	Cols                []Column
}

func (n *JoinNode) Columns() []Column { return n.Cols }
func (n *JoinNode) Updating() bool {
	switch n.Type {
	case InnerJoin, SemiJoin:
		return n.Left.Updating() || n.Right.Updating()
	}
	return true
}
func (n *JoinNode) Inputs() []Node { return []Node{n.Left, n.Right} }
func (n *JoinNode) Describe() string {
	lc, rc := n.Left.Columns(), n.Right.Columns()
	var conds []string
	for i := range n.LeftKeys {
		conds = append(conds, fmt.Sprintf("=(%s, %s)", lc[n.LeftKeys[i]].Name, rc[n.RightKeys[i]].Name))
	}
	if n.Cond != nil {
		conds = append(conds, n.Cond.text)
	}
	where := "true"
	if len(conds) == 1 {
		where = conds[0]
	} else if len(conds) > 1 {
		where = "AND(" + strings.Join(conds, ", ") + ")"
	}
	return fmt.Sprintf("Join(joinType=[%s], where=[%s], select=[%s])", n.Type, where, names(n.Cols))
}

// join plans a JOIN in FROM. Conjuncts of ON (and, for an inner join, extra conjuncts the caller moved
// from WHERE) of the form left.col = right.col become the join keys; the rest is evaluated on each
// candidate pair.
func (p *Planner) join(x *sqlparse.Join, extra sqlparse.Expr) (Node, *scope, error) {
	l, ls, err := p.from(x.Left)
	if err != nil {
		return nil, nil, err
	}
	right := x.Right
	if tn, ok := right.(*sqlparse.TableName); ok && tn.SystemTime != nil {
		plain := *tn
		plain.SystemTime = nil
		right = &plain
	}
	r, rs, err := p.from(right)
	if err != nil {
		return nil, nil, err
	}
	typ := map[string]JoinType{"INNER": InnerJoin, "CROSS": InnerJoin, "LEFT": LeftJoin, "RIGHT": RightJoin, "FULL": FullJoin}[x.Kind]
	sc := &scope{}
	nl := len(ls.fields)
	for i, f := range append(append([]field{}, ls.fields...), rs.fields...) {
		f.typ.Rowtime = false
		if (i < nl && (typ == RightJoin || typ == FullJoin)) || (i >= nl && (typ == LeftJoin || typ == FullJoin)) {
			f.typ.NotNull = false
		}
		sc.fields = append(sc.fields, f)
	}
	var conj []sqlparse.Expr
	splitAnd(x.On, &conj)
	splitAnd(extra, &conj)
	n := &JoinNode{Left: l, Right: r, Type: typ}
	var rest []*cexpr
	var restExprs []sqlparse.Expr
	b := &binder{scope: sc}
	for _, c := range conj {
		if containsAggregate(c) {
			return nil, nil, errAt(c.ExprPos(), ErrValidation, "Aggregate functions are not allowed in a join condition")
		}
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
					at, bt := sc.fields[a].typ, sc.fields[bb].typ
					if _, ok := commonType(at, bt); ok {
						n.LeftKeys = append(n.LeftKeys, a)
						n.RightKeys = append(n.RightKeys, bb-nl)
						continue
					}
				}
			}
		}
		restExprs = append(restExprs, c)
	}
	// An inner join of insert-only inputs whose condition bounds the distance of two time attributes is
	// an interval join (Flink's IntervalJoin).
	var bounds *timeBounds
	tn, _ := x.Right.(*sqlparse.TableName)
	temporal := tn != nil && tn.SystemTime != nil
	if typ == InnerJoin && !l.Updating() && !r.Updating() && !temporal {
		var err error
		if bounds, restExprs, err = extractTimeBounds(restExprs, ls, rs); err != nil {
			return nil, nil, err
		}
	}
	for _, c := range restExprs {
		ce, err := b.bind(c)
		if err != nil {
			return nil, nil, err
		}
		if ce.typ.Kind != KindBoolean && ce.typ.Kind != KindNull {
			return nil, nil, errAt(c.ExprPos(), ErrValidation, "join condition must be a condition, not %s", ce.typ)
		}
		rest = append(rest, ce)
	}
	if len(rest) > 0 {
		n.Cond = andAll(rest)
	}
	n.Cols = sc.columns()
	if err := uniqueNames(n.Cols, x.Pos); err != nil {
		return nil, nil, err
	}
	if temporal {
		tj, err := temporalJoin(n, tn, ls, rs, sc)
		if err != nil {
			return nil, nil, err
		}
		return tj, sc, nil
	}
	if bounds != nil {
		return &IntervalJoinNode{JoinNode: *n, Bounds: *bounds}, sc, nil
	}
	if wj, ok := windowJoinOf(n); ok {
		return wj, sc, nil
	}
	return n, sc, nil
}

// splitAnd appends the conjuncts of e to out.
func splitAnd(e sqlparse.Expr, out *[]sqlparse.Expr) {
	if e == nil {
		return
	}
	if b, ok := e.(*sqlparse.Binary); ok && b.Op == "AND" {
		splitAnd(b.L, out)
		splitAnd(b.R, out)
		return
	}
	*out = append(*out, e)
}

// andAll is the conjunction of conditions, true only where each is true.
func andAll(cs []*cexpr) *cexpr {
	if len(cs) == 1 {
		return cs[0]
	}
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = c.text
	}
	return &cexpr{typ: TypeBoolean, text: "AND(" + strings.Join(texts, ", ") + ")", eval: func(r []any) (any, error) {
		for _, c := range cs {
			v, err := c.eval(r)
			if err != nil {
				return nil, err
			}
			if v != true {
				return false, nil
			}
		}
		return true, nil
	}}
}

// joinEntry is one distinct row of a join input's state: its fields, how many times it is in the input
// (Count), and, on an outer side, with how many rows of the other side it is joined (Assoc), as Flink's
// OuterJoinRecordStateView keeps them.
type joinEntry struct {
	Fields []any
	Count  int64
	Assoc  int64
}

// joinSide is one input's state for the current join key: its distinct rows by their encoding.
type joinSide interface {
	get(k string) (joinEntry, bool)
	put(k string, e joinEntry)
	remove(k string)
	each(f func(k string, e joinEntry))
}

// mapSide is a joinSide on a keyed MapState.
type mapSide struct{ s *engine.MapState }

func (m mapSide) get(k string) (joinEntry, bool) {
	v, ok := m.s.Get(k)
	if !ok {
		return joinEntry{}, false
	}
	return v.(joinEntry), true
}
func (m mapSide) put(k string, e joinEntry) { m.s.Put(k, e) }
func (m mapSide) remove(k string)           { m.s.Remove(k) }
func (m mapSide) each(f func(k string, e joinEntry)) {
	m.s.Range(func(k, v any) bool { f(k.(string), v.(joinEntry)); return true })
}

// joinRows is one join input's rows for one join key: each distinct row once, by its encoding (Keys[i] is
// groupKey(Rows[i].Fields), so the state codec writes the rows alone), in Keys and Rows (a small slice is
// most of a join's state: most join keys hold a row or two), with a map from encoding to position once
// there are more than joinRowsIndexed rows. The join keeps it in a ValueState, reads it once per input row
// and changes it in place (it is a state.Mutable, so a heap snapshot copies it only when a row changes it
// after the snapshot).
type joinRows struct {
	Keys  []string
	Rows  []joinEntry
	index map[string]int // rebuilt when needed (after a restore or a copy)
}

// joinRowsIndexed is the number of rows up to which a joinRows is searched without its index.
const joinRowsIndexed = 8

// CopyState returns a copy of the rows that shares no slice with them (the rows' fields are never changed).
func (j *joinRows) CopyState() any {
	return &joinRows{Keys: slices.Clone(j.Keys), Rows: slices.Clone(j.Rows)}
}

// find returns the position of the row encoded as k, or -1.
func (j *joinRows) find(k string) int {
	if len(j.Keys) <= joinRowsIndexed {
		for i, x := range j.Keys {
			if x == k {
				return i
			}
		}
		return -1
	}
	if j.index == nil {
		j.index = make(map[string]int, len(j.Keys))
		for i, x := range j.Keys {
			j.index[x] = i
		}
	}
	if i, ok := j.index[k]; ok {
		return i
	}
	return -1
}

// put sets the row encoded as k.
func (j *joinRows) put(k string, e joinEntry) {
	if i := j.find(k); i >= 0 {
		j.Rows[i] = e
		return
	}
	j.Keys, j.Rows = append(j.Keys, k), append(j.Rows, e)
	if j.index != nil {
		j.index[k] = len(j.Keys) - 1
	}
}

// remove deletes the row encoded as k, moving the last row into its place.
func (j *joinRows) remove(k string) {
	i := j.find(k)
	if i < 0 {
		return
	}
	last := len(j.Keys) - 1
	if j.index != nil {
		delete(j.index, k)
		if i != last {
			j.index[j.Keys[last]] = i
		}
	}
	j.Keys[i], j.Rows[i] = j.Keys[last], j.Rows[last]
	j.Keys, j.Rows = j.Keys[:last], j.Rows[:last]
	if len(j.Keys) <= joinRowsIndexed {
		j.index = nil
	}
}

// rowsSide is a joinSide on a keyed ValueState holding the current join key's joinRows: one state read per
// input row for each side, and one write back (flush) for a side that changed. Without a state TTL the
// join keeps its sides this way; with one, as MapState (mapSide), whose entries expire one by one as
// Flink's do.
type rowsSide struct {
	st      *engine.ValueState
	rows    *joinRows
	changed bool
}

func loadRows(st *engine.ValueState) *rowsSide {
	s := &rowsSide{st: st}
	if v, ok := st.Get(); ok {
		s.rows = v.(*joinRows)
	}
	return s
}

func (s *rowsSide) get(k string) (joinEntry, bool) {
	if s.rows == nil {
		return joinEntry{}, false
	}
	if i := s.rows.find(k); i >= 0 {
		return s.rows.Rows[i], true
	}
	return joinEntry{}, false
}
func (s *rowsSide) put(k string, e joinEntry) {
	if s.rows == nil {
		s.rows = &joinRows{}
	}
	s.rows.put(k, e)
	s.changed = true
}
func (s *rowsSide) remove(k string) {
	if s.rows != nil {
		s.rows.remove(k)
		s.changed = true
	}
}
func (s *rowsSide) each(f func(k string, e joinEntry)) {
	if s.rows == nil {
		return
	}
	for i, k := range s.rows.Keys {
		f(k, s.rows.Rows[i])
	}
}

// flush writes a changed side back to its state (a disk backend keeps a copy), or clears it once empty.
func (s *rowsSide) flush() {
	switch {
	case !s.changed:
	case len(s.rows.Keys) == 0:
		s.st.Clear()
	default:
		s.st.Update(s.rows)
	}
}

// joiner is the logic of Flink's StreamingJoinOperator#processElement for one join.
type joiner struct {
	leftOuter, rightOuter bool
	leftKeys, rightKeys   []int
	nLeft, nRight         int
	cond                  *cexpr
}

func newJoiner(n *JoinNode) *joiner {
	return &joiner{
		leftOuter:  n.Type == LeftJoin || n.Type == FullJoin,
		rightOuter: n.Type == RightJoin || n.Type == FullJoin,
		leftKeys:   n.LeftKeys, rightKeys: n.RightKeys,
		nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns()),
		cond: n.Cond,
	}
}

// joined concatenates an input row with a row of the other side (nil: nulls) in left-right order.
func (j *joiner) joined(kind RowKind, in []any, other []any, inLeft bool) Row {
	return Row{Kind: kind, Fields: j.appendJoined(make([]any, 0, j.nLeft+j.nRight), in, other, inLeft)}
}

// appendJoined appends the fields of joined's row to f.
func (j *joiner) appendJoined(f, in, other []any, inLeft bool) []any {
	l, r := in, other
	if !inLeft {
		l, r = other, in
	}
	if l == nil {
		l = make([]any, j.nLeft)
	}
	if r == nil {
		r = make([]any, j.nRight)
	}
	return append(append(f, l...), r...)
}

type joinMatch struct {
	key string
	e   joinEntry
}

// process handles one row of one input (inLeft: the left one) against the states of both sides for the
// row's join key, and emits the joined changes, following the pseudo code of Flink's
// StreamingJoinOperator: an inner join forwards the input's row kind; an outer join emits +I and -D
// only, and retracts a null-padded row (-D[null+other]) when the first match of an outer row arrives,
// and emits it again (+I[null+other]) when its last match is retracted.
func (j *joiner) process(r Row, inLeft bool, mine, other joinSide, emit func(Row)) error {
	inOuter, otherOuter := j.leftOuter, j.rightOuter
	myKeys, otherKeys := j.leftKeys, j.rightKeys
	if !inLeft {
		inOuter, otherOuter = otherOuter, inOuter
		myKeys, otherKeys = otherKeys, myKeys
	}
	// The matching rows of the other side, in a deterministic order. A NULL key matches nothing, as
	// NULL = NULL is not true.
	var matches []joinMatch
	nullKey := false
	for _, k := range myKeys {
		nullKey = nullKey || r.Fields[k] == nil
	}
	if !nullKey {
		var err error
		var pair []any // the joined row the condition reads, reused for each candidate
		other.each(func(k string, e joinEntry) {
			if err != nil {
				return
			}
			for i, ok := range otherKeys {
				if e.Fields[ok] == nil || compareValues(r.Fields[myKeys[i]], e.Fields[ok]) != 0 {
					return
				}
			}
			if j.cond != nil {
				pair = j.appendJoined(pair[:0], r.Fields, e.Fields, inLeft)
				v, cerr := j.cond.eval(pair)
				if cerr != nil {
					err = cerr
					return
				}
				if v != true {
					return
				}
			}
			matches = append(matches, joinMatch{k, e})
		})
		if err != nil {
			return err
		}
		sort.Slice(matches, func(a, b int) bool { return matches[a].key < matches[b].key })
	}
	total := int64(0)
	for _, m := range matches {
		total += m.e.Count
	}
	key := groupKey(r.Fields)
	cur, has := mine.get(key)
	if r.Kind.IsAccumulate() {
		if !has {
			cur = joinEntry{Fields: r.Fields}
		}
		cur.Count++
		if inOuter {
			cur.Assoc = total
			if len(matches) == 0 {
				emit(j.joined(Insert, r.Fields, nil, inLeft))
			}
		}
		mine.put(key, cur)
		if len(matches) == 0 {
			return nil
		}
		kind := r.Kind
		if otherOuter {
			for _, m := range matches {
				for c := int64(0); c < m.e.Count; c++ {
					if m.e.Assoc == 0 {
						emit(j.joined(Delete, m.e.Fields, nil, !inLeft))
					}
				}
				m.e.Assoc++
				other.put(m.key, m.e)
			}
			kind = Insert
		}
		if inOuter {
			kind = Insert
		}
		for _, m := range matches {
			for c := int64(0); c < m.e.Count; c++ {
				emit(j.joined(kind, r.Fields, m.e.Fields, inLeft))
			}
		}
		return nil
	}
	// A retraction.
	if has {
		if cur.Count--; cur.Count <= 0 {
			mine.remove(key)
		} else {
			mine.put(key, cur)
		}
	}
	if len(matches) == 0 {
		if inOuter {
			emit(j.joined(Delete, r.Fields, nil, inLeft))
		}
		return nil
	}
	kind := r.Kind
	if inOuter {
		kind = Delete
	}
	for _, m := range matches {
		for c := int64(0); c < m.e.Count; c++ {
			emit(j.joined(kind, r.Fields, m.e.Fields, inLeft))
		}
	}
	if otherOuter {
		for _, m := range matches {
			for c := int64(0); c < m.e.Count; c++ {
				if m.e.Assoc == 1 {
					emit(j.joined(Insert, m.e.Fields, nil, !inLeft))
				}
			}
			m.e.Assoc--
			other.put(m.key, m.e)
		}
	}
	return nil
}

// regularJoin compiles a JoinNode: the two inputs connected and keyed by their join keys, each side's
// rows for a key in a ValueState (rowsSide), or, with a state TTL (Flink's 'table.exec.state.ttl'), in a
// MapState whose rows expire one by one.
func regularJoin(left, right *engine.DataStream, n *JoinNode, ttl time.Duration) *engine.DataStream {
	j := newJoiner(n)
	ld, rd := engine.State("join-left"), engine.State("join-right")
	ld.TTL.TTL, rd.TTL.TTL = ttl, ttl
	proc := func(inLeft bool) func(ctx *engine.Context, v any, out engine.Collector) {
		return func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				out.Collect(v)
				return
			}
			var l, rr joinSide
			var lrows, rrows *rowsSide
			if ttl > 0 {
				l, rr = mapSide{ctx.MapState(ld)}, mapSide{ctx.MapState(rd)}
			} else {
				lrows, rrows = loadRows(ctx.ValueState(ld)), loadRows(ctx.ValueState(rd))
				l, rr = lrows, rrows
			}
			mine, other := l, rr
			if !inLeft {
				mine, other = other, mine
			}
			if err := j.process(r, inLeft, mine, other, func(o Row) { out.Collect(o) }); err != nil {
				out.Collect(errorRow{err.Error()})
			}
			if ttl == 0 {
				lrows.flush()
				rrows.flush()
			}
		}
	}
	return left.Connect(right).KeyBy(joinKeySelector(n, true), joinKeySelector(n, false)).Process(engine.CoProcessFunction{
		ProcessElement1: proc(true),
		ProcessElement2: proc(false),
	}).Name(n.Describe())
}

// joinKeySelector returns the key of a join input's rows: the values of its join key columns, each
// converted to the type both sides' columns widen to.
func joinKeySelector(n *JoinNode, left bool) engine.KeySelector {
	lt, rt := n.Left.Columns(), n.Right.Columns()
	keys := n.RightKeys
	if left {
		keys = n.LeftKeys
	}
	types := make([]DataType, len(keys))
	for i := range keys {
		types[i], _ = commonType(lt[n.LeftKeys[i]].Type, rt[n.RightKeys[i]].Type)
	}
	return func(v any) any {
		r, ok := v.(Row)
		if !ok {
			return ""
		}
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = coerce(r.Fields[k], types[i])
		}
		return stateKey(vals)
	}
}
