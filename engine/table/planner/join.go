package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

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

func init() { engine.RegisterType(joinEntry{}) }

// joinSide is one input's state for the current join key, as the join logic (joiner.process) reads and
// changes it: a multiset of rows, each with its copies and, on an outer side, its associations.
type joinSide interface {
	// appendRows appends every row held to dst, each joined with the input row's fields in by b (h names
	// it for setAssoc); the rows are the caller's to keep.
	appendRows(dst []joinMatch, in []any, b *pairBlock) []joinMatch
	// setAssoc sets the associations of the row h that appendRows last gave.
	setAssoc(h int, assoc int64)
	// add adds a copy of a row; on an outer side (outer), it sets the row's associations to assoc.
	add(fields []any, outer bool, assoc int64) error
	// retract removes a copy of a row, if it is held.
	retract(fields []any) error
}

// mapSide is one input's state for the current join key in a keyed MapState: its distinct rows by their
// encoding (groupKey).
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

// mapEntry is an entry of a mapSide: a row's encoding and the row.
type mapEntry struct {
	key string
	e   joinEntry
}

// sorted returns the side's entries in the order of their keys, for a deterministic output.
func (m mapSide) sorted() []mapEntry {
	var out []mapEntry
	m.each(func(k string, e joinEntry) { out = append(out, mapEntry{k, e}) })
	sort.Slice(out, func(a, b int) bool { return out[a].key < out[b].key })
	return out
}

// ttlSide is a joinSide on a mapSide, whose rows expire one by one with a state TTL as Flink's do.
type ttlSide struct {
	mapSide
	keys []string // the rows each last gave, by h
}

func (t *ttlSide) appendRows(dst []joinMatch, in []any, b *pairBlock) []joinMatch {
	t.keys = t.keys[:0]
	t.mapSide.each(func(k string, e joinEntry) {
		m := joinMatch{h: len(t.keys), fields: e.Fields, copies: e.Count, assoc: e.Assoc, key: k}
		m.p, m.pair = b.pair(in, e.Fields)
		dst = append(dst, m)
		t.keys = append(t.keys, k)
	})
	return dst
}

func (t *ttlSide) setAssoc(h int, assoc int64) {
	if e, ok := t.get(t.keys[h]); ok {
		e.Assoc = assoc
		t.put(t.keys[h], e)
	}
}

func (t *ttlSide) add(fields []any, outer bool, assoc int64) error {
	k := groupKey(fields)
	e, ok := t.get(k)
	if !ok {
		e = joinEntry{Fields: fields}
	}
	e.Count++
	if outer {
		e.Assoc = assoc
	}
	t.put(k, e)
	return nil
}

func (t *ttlSide) retract(fields []any) error {
	k := groupKey(fields)
	e, ok := t.get(k)
	switch {
	case !ok:
	case e.Count <= 1:
		t.remove(k)
	default:
		e.Count--
		t.put(k, e)
	}
	return nil
}

func init() { engine.RegisterType(&joinRows{}) }

// loadJoinRows returns the current join key's rows of the side kept in the ValueState d, or nil if it holds
// none; search marks an input that retracts (joinRows.search).
func loadJoinRows(ctx *engine.Context, d engine.StateDescriptor, search bool) *joinRows {
	v, ok := ctx.ValueState(d).Get()
	if !ok {
		return nil
	}
	rows := v.(*joinRows)
	rows.search, rows.changed = search, false
	return rows
}

// flush writes changed rows back to the ValueState d they were loaded from (a disk backend keeps a copy),
// or clears it once no row is left.
func (j *joinRows) flush(ctx *engine.Context, d engine.StateDescriptor) {
	switch {
	case j == nil || !j.changed:
	case j.Live == 0:
		ctx.ValueState(d).Clear()
	default:
		ctx.ValueState(d).Update(j)
	}
}

// joiner is the logic of Flink's StreamingJoinOperator#processElement for one join.
type joiner struct {
	leftOuter, rightOuter bool
	leftKeys, rightKeys   []int
	nLeft, nRight         int
	cond                  *cexpr
	// leftPairs and rightPairs build the joined rows of a left and of a right input row; leftSearch and
	// rightSearch mark an input that retracts (joinRows.search).
	leftPairs, rightPairs   *pairBlock
	leftSearch, rightSearch bool
}

func newJoiner(n *JoinNode) *joiner {
	return &joiner{
		leftOuter:  n.Type == LeftJoin || n.Type == FullJoin,
		rightOuter: n.Type == RightJoin || n.Type == FullJoin,
		leftKeys:   n.LeftKeys, rightKeys: n.RightKeys,
		nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns()),
		cond:       n.Cond,
		leftPairs:  newPairBlock(n.Left.Columns(), n.Right.Columns(), true),
		rightPairs: newPairBlock(n.Left.Columns(), n.Right.Columns(), false),
		leftSearch: n.Left.Updating(), rightSearch: n.Right.Updating(),
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

// joinMatch is a row of the other side that an input row joins with: its handle (joinSide.appendRows),
// fields, copies and associations; its encoding (groupKey), which orders the matches when there are
// several (set by the side when it has it); and the joined row of the input row and this one (pair, in
// the block p of a pairBlock), which the join condition reads and the first joined row emitted is.
type joinMatch struct {
	h             int
	fields        []any
	copies, assoc int64
	key           string
	p             unsafe.Pointer
	pair          []any
}

// process handles one row of one input (inLeft: the left one) against the states of both sides for the
// row's join key, and emits the joined changes, following the pseudo code of Flink's
// StreamingJoinOperator: an inner join forwards the input's row kind; an outer join emits +I and -D
// only, and retracts a null-padded row (-D[null+other]) when the first match of an outer row arrives,
// and emits it again (+I[null+other]) when its last match is retracted.
//
// It emits Row values (as records, in an interface).
func (j *joiner) process(r Row, inLeft bool, mine, other joinSide, emit func(any)) error {
	inOuter, otherOuter := j.leftOuter, j.rightOuter
	myKeys, otherKeys := j.leftKeys, j.rightKeys
	pairs := j.leftPairs
	if !inLeft {
		inOuter, otherOuter = otherOuter, inOuter
		myKeys, otherKeys = otherKeys, myKeys
		pairs = j.rightPairs
	}
	// The matching rows of the other side, in a deterministic order (of their encodings, whatever the
	// order the state holds them in). A NULL key matches nothing, as NULL = NULL is not true.
	var matches []joinMatch
	nullKey := false
	for _, k := range myKeys {
		nullKey = nullKey || r.Fields[k] == nil
	}
	if !nullKey {
		var buf [2]joinMatch // most join keys hold a row or two: on the stack
		if rows, ok := other.(*joinRows); ok {
			matches = rows.appendRows(buf[:0], r.Fields, pairs)
		} else {
			matches = other.appendRows(nil, r.Fields, pairs)
		}
		kept := matches[:0]
	candidates:
		for _, m := range matches {
			for i, ok := range otherKeys {
				if m.fields[ok] == nil || compareValues(r.Fields[myKeys[i]], m.fields[ok]) != 0 {
					continue candidates
				}
			}
			if j.cond != nil {
				v, err := j.cond.eval(m.pair)
				if err != nil {
					return err
				}
				if v != true {
					continue
				}
			}
			kept = append(kept, m)
		}
		matches = kept
		if len(matches) > 1 {
			for i := range matches {
				if matches[i].key == "" {
					matches[i].key = groupKey(matches[i].fields)
				}
			}
			slices.SortStableFunc(matches, func(a, b joinMatch) int { return strings.Compare(a.key, b.key) })
		}
	}
	// joinedWith is the joined row of kind k of the input row and match m: its pair the first time, a
	// copy after.
	joinedWith := func(k RowKind, m *joinMatch) any {
		if m.p == nil {
			m.p, m.pair = pairs.pair(r.Fields, m.fields)
		}
		p := m.p
		m.p = nil
		return pairs.block.row(p, k, m.pair)
	}
	total := int64(0)
	for _, m := range matches {
		total += m.copies
	}
	if r.Kind.IsAccumulate() {
		if err := mine.add(r.Fields, inOuter, total); err != nil {
			return err
		}
		if inOuter && len(matches) == 0 {
			emit(j.joined(Insert, r.Fields, nil, inLeft))
		}
		if len(matches) == 0 {
			return nil
		}
		kind := r.Kind
		if otherOuter {
			for _, m := range matches {
				for c := int64(0); c < m.copies; c++ {
					if m.assoc == 0 {
						emit(j.joined(Delete, m.fields, nil, !inLeft))
					}
				}
				other.setAssoc(m.h, m.assoc+1)
			}
			kind = Insert
		}
		if inOuter {
			kind = Insert
		}
		for i := range matches {
			for c := int64(0); c < matches[i].copies; c++ {
				emit(joinedWith(kind, &matches[i]))
			}
		}
		return nil
	}
	// A retraction.
	if err := mine.retract(r.Fields); err != nil {
		return err
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
	for i := range matches {
		for c := int64(0); c < matches[i].copies; c++ {
			emit(joinedWith(kind, &matches[i]))
		}
	}
	if otherOuter {
		for _, m := range matches {
			for c := int64(0); c < m.copies; c++ {
				if m.assoc == 1 {
					emit(j.joined(Insert, m.fields, nil, !inLeft))
				}
			}
			other.setAssoc(m.h, m.assoc-1)
		}
	}
	return nil
}

// regularJoin compiles a JoinNode: the two inputs connected and keyed by their join keys, each side's
// rows for a key in a ValueState (joinRows), or, with a state TTL (Flink's 'table.exec.state.ttl'), in a
// MapState whose rows expire one by one (ttlSide).
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
			emit := out.Collect
			var err error
			if ttl > 0 {
				l, rr := &ttlSide{mapSide: mapSide{ctx.MapState(ld)}}, &ttlSide{mapSide: mapSide{ctx.MapState(rd)}}
				if inLeft {
					err = j.process(r, true, l, rr, emit)
				} else {
					err = j.process(r, false, rr, l, emit)
				}
			} else {
				// The input's side is read last, so that writing it back finds it where the read left
				// off (a heap backend's last entry).
				mst, ost, search, otherSearch := ld, rd, j.leftSearch, j.rightSearch
				if !inLeft {
					mst, ost, search, otherSearch = rd, ld, j.rightSearch, j.leftSearch
				}
				other, mine := loadJoinRows(ctx, ost, otherSearch), loadJoinRows(ctx, mst, search)
				if mine == nil {
					mine = &joinRows{search: search}
				}
				err = j.process(r, inLeft, mine, other, emit)
				other.flush(ctx, ost)
				mine.flush(ctx, mst)
			}
			if err != nil {
				out.Collect(errorRow{err.Error()})
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
