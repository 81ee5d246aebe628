package planner

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// aggCall is one aggregate function call of a query: COUNT, SUM, MIN, MAX or AVG, with DISTINCT, over an
// argument bound against the aggregation's input (nil for COUNT(*)).
type aggCall struct {
	fn       string
	distinct bool
	arg      *cexpr
	typ      DataType
	text     string
	// offset and dflt are LAG's offset and default value (see bindLag).
	offset int64
	dflt   any
	// appendOnly marks a MIN or MAX whose input never retracts (an insert-only input, a window): it keeps
	// only the current extreme, as Flink's MaxAggFunction does, not each value's multiplicity
	// (MaxWithRetractAggFunction). Default false: retractable.
	appendOnly bool
}

// appendOnlyAggs returns copies of aggs that do not retract (see aggCall.appendOnly).
func appendOnlyAggs(aggs []*aggCall) []*aggCall {
	out := make([]*aggCall, len(aggs))
	for i, a := range aggs {
		c := *a
		c.appendOnly = true
		out[i] = &c
	}
	return out
}

func isAggregate(name string) bool {
	switch name {
	case "COUNT", "SUM", "MIN", "MAX", "AVG":
		return true
	}
	return false
}

// aggResultType is Flink's result type of an aggregate: COUNT is BIGINT NOT NULL; SUM of an integer type
// is that type, of DECIMAL(p, s) DECIMAL(38, s); AVG keeps its argument's type (an INT average is an INT,
// truncated), DECIMAL(38, max(6, s)) for decimals; MIN and MAX keep their argument's type.
func aggResultType(fn string, arg DataType) (DataType, error) {
	switch fn {
	case "COUNT":
		return DataType{Kind: KindBigInt, NotNull: true}, nil
	case "SUM", "AVG":
		if !arg.isNumeric() {
			return DataType{}, fmt.Errorf("%s needs a numeric argument, not %s", fn, arg)
		}
		t := arg.nullable()
		if t.Kind == KindDecimal {
			t.Precision = 38
			if fn == "AVG" {
				t.Scale = max(6, t.Scale)
			}
		}
		return t, nil
	}
	return arg.nullable(), nil
}

// aggBinding binds the expressions above a GROUP BY: grouping expressions become key columns, aggregate
// calls become aggregate columns (keys first, then aggregates, in the row the aggregation emits).
type aggBinding struct {
	input      *binder
	groupTexts []string
	groupCols  []int // the input column a grouping expression is, or -1
	groupTypes []DataType
	groupNames []string
	aggs       []*aggCall
}

func (a *aggBinding) match(e sqlparse.Expr) (*cexpr, bool, error) {
	text := ExprString(e)
	col := -1
	if id, ok := e.(*sqlparse.Ident); ok {
		if i, err := a.input.scope.resolve(id); err == nil {
			col = i
		}
	}
	for i, g := range a.groupTexts {
		if g == text || col >= 0 && a.groupCols[i] == col {
			return colRef(i, a.groupTypes[i], a.groupNames[i]), true, nil
		}
	}
	call, ok := e.(*sqlparse.Call)
	if !ok || !isAggregate(call.Name) || call.Over != nil {
		return nil, false, nil
	}
	for i, ag := range a.aggs {
		if ag.text == text {
			return colRef(len(a.groupTexts)+i, ag.typ, ag.text), true, nil
		}
	}
	ac := &aggCall{fn: call.Name, distinct: call.Distinct, text: text}
	switch {
	case call.Star:
		if call.Name != "COUNT" {
			return nil, true, errAt(call.Pos, ErrValidation, "%s(*) is not allowed: only COUNT(*)", call.Name)
		}
		ac.typ, _ = aggResultType("COUNT", DataType{})
	case len(call.Args) != 1:
		return nil, true, errAt(call.Pos, ErrValidation, "Invalid number of arguments to function '%s': %d", call.Name, len(call.Args))
	default:
		arg, err := a.input.bind(call.Args[0]) // the input binder has no agg binding: nested aggregates fail
		if err != nil {
			return nil, true, err
		}
		ac.arg = arg
		if ac.typ, err = aggResultType(call.Name, arg.typ); err != nil {
			return nil, true, errAt(call.Pos, ErrValidation, "%v", err)
		}
	}
	a.aggs = append(a.aggs, ac)
	return colRef(len(a.groupTexts)+len(a.aggs)-1, ac.typ, ac.text), true, nil
}

// containsAggregate reports whether e calls an aggregate function.
func containsAggregate(e sqlparse.Expr) bool {
	found := false
	walk(e, func(x sqlparse.Expr) {
		if c, ok := x.(*sqlparse.Call); ok && isAggregate(c.Name) && c.Over == nil {
			found = true // an aggregate OVER a window is an over aggregation, not a grouping
		}
	})
	return found
}

// walk calls f on e and every subexpression.
func walk(e sqlparse.Expr, f func(sqlparse.Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch x := e.(type) {
	case *sqlparse.Unary:
		walk(x.X, f)
	case *sqlparse.Binary:
		walk(x.L, f)
		walk(x.R, f)
	case *sqlparse.Call:
		for _, a := range x.Args {
			walk(a, f)
		}
	case *sqlparse.Case:
		walk(x.Operand, f)
		for _, w := range x.Whens {
			walk(w.Cond, f)
			walk(w.Result, f)
		}
		walk(x.Else, f)
	case *sqlparse.Cast:
		walk(x.X, f)
	case *sqlparse.IsNull:
		walk(x.X, f)
	case *sqlparse.IsBool:
		walk(x.X, f)
	case *sqlparse.Between:
		walk(x.X, f)
		walk(x.Lo, f)
		walk(x.Hi, f)
	case *sqlparse.In:
		walk(x.X, f)
		for _, a := range x.List {
			walk(a, f)
		}
	case *sqlparse.Like:
		walk(x.X, f)
		walk(x.Pattern, f)
	}
}

// aggAcc is the accumulator of one aggregate call, with retraction (Flink's retractable accumulators:
// SUM and AVG keep a count of non-null values; MIN, MAX and DISTINCT keep each value's multiplicity, so
// that a retracted extreme is replaced by the next one). MIN and MAX also keep their current extreme in
// Best, which is all an append-only MIN or MAX keeps.
type aggAcc struct {
	Count int64
	ISum  int64
	FSum  float64
	Vals  map[string]int64
	Orig  map[string]any
	Seq   []any // LAG: the last offset+1 values, oldest first
	Best  any   // MIN, MAX: the current extreme, nil if none
}

// groupState is a group's state in an aggregation: its grouping values, its number of rows (accumulated
// minus retracted, Flink's RecordCounter) and one accumulator per aggregate call. The operators keep it by
// pointer and update it in place (it is a state.Mutable: a heap snapshot copies it, with CopyState, only
// when a row changes it after the snapshot, as Flink's CopyOnWriteStateMap does), and put it back for the
// disk backends.
type groupState struct {
	Key  []any
	Rows int64
	Accs []aggAcc
}

// CopyState returns a copy of g that shares nothing the aggregation changes in place (the key's values are
// never changed).
func (g *groupState) CopyState() any {
	return &groupState{Key: g.Key, Rows: g.Rows, Accs: cloneAccs(g.Accs)}
}

// windowAcc is a window's (or a slice's) accumulator in a window aggregation: the group state of one group
// in one window.
type windowAcc = groupState

func valueKey(v any) string {
	return string(appendValueKey(nil, v))
}

// appendValueKey appends an encoding of a value that differs for values of different types or content.
func appendValueKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case int64:
		return strconv.AppendInt(append(b, 'i'), x, 10)
	case float64:
		return strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
	case string:
		return append(append(b, 's'), x...)
	case bool:
		return strconv.AppendBool(append(b, 'b'), x)
	case time.Time:
		return strconv.AppendInt(append(b, 't'), x.UnixNano(), 10)
	}
	return fmt.Appendf(append(b, '?'), "%v", v)
}

// groupKey encodes grouping values as a string key for KeyBy: equal values give equal keys.
func groupKey(vals []any) string {
	var buf [64]byte
	b := buf[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, 0)
		}
		b = appendValueKey(b, v)
	}
	return string(b)
}

// stateKey is the key a keyed operator's state is kept under for grouping values: equal values give equal
// keys. Up to three BIGINT or timestamp values (an id, a window's start and end) are an int64, a [2]int64 or
// a [3]int64 (a timestamp as its Unix nanoseconds, as groupKey encodes it), which hash and compare without
// building a string; any other values, or a NULL among them, are their groupKey. One operator's keys come
// from columns of fixed types, so the two forms never describe the same values.
func stateKey(vals []any) any {
	var k [3]int64
	if len(vals) > len(k) {
		return groupKey(vals)
	}
	for i, v := range vals {
		switch x := v.(type) {
		case int64:
			k[i] = x
		case time.Time:
			k[i] = x.UnixNano()
		default:
			return groupKey(vals)
		}
	}
	switch len(vals) {
	case 1:
		return k[0]
	case 2:
		return [2]int64{k[0], k[1]}
	case 3:
		return k
	}
	return groupKey(vals)
}

// stateKeyOf is stateKey of the values of the non-nil keys on row r (a nil key is a window property, the
// same for every row of an operator, so it is left out). When every key reads a column holding a BIGINT or
// a timestamp it reads them straight from the row, with no slice of values and no string; otherwise it
// falls back to keyOf and stateKey, which give the same key for the same values.
func stateKeyOf(keys []*cexpr, r Row) (any, error) {
	var k [3]int64
	n := 0
	for _, c := range keys {
		if c == nil {
			continue
		}
		if n == len(k) || c.ref == 0 {
			return stateKeyOfValues(keys, r)
		}
		switch x := r.Fields[c.ref-1].(type) {
		case int64:
			k[n] = x
		case time.Time:
			k[n] = x.UnixNano()
		default:
			return stateKeyOfValues(keys, r)
		}
		n++
	}
	switch n {
	case 1:
		return k[0], nil
	case 2:
		return [2]int64{k[0], k[1]}, nil
	case 3:
		return k, nil
	}
	return groupKey(nil), nil
}

// stateKeyOfValues is stateKeyOf's general form: stateKey of the values of the non-nil keys.
func stateKeyOfValues(keys []*cexpr, r Row) (any, error) {
	vals, err := keyOf(keys, r)
	if err != nil {
		return nil, err
	}
	set := vals[:0] // in place: the i-th key's value is never overwritten before it is read
	for i, c := range keys {
		if c != nil {
			set = append(set, vals[i])
		}
	}
	return stateKey(set), nil
}

// accumulate adds (sign 1) or retracts (sign -1) one value of the row to the accumulator.
func (c *aggCall) accumulate(acc *aggAcc, v any, sign int64) {
	if c.fn == "LAG" { // only on unbounded frames, which never retract
		keep := acc.Seq[max(0, len(acc.Seq)-int(c.offset)):]
		acc.Seq = append(append(make([]any, 0, len(keep)+1), keep...), v)
		return
	}
	if c.arg == nil { // COUNT(*)
		acc.Count += sign
		return
	}
	if v == nil {
		return // aggregates ignore NULL
	}
	extreme := !c.distinct && (c.fn == "MIN" || c.fn == "MAX")
	if extreme && c.appendOnly {
		if acc.Best == nil || c.better(v, acc.Best) {
			acc.Best = detached(v)
		}
		return
	}
	if c.distinct || extreme {
		if acc.Vals == nil {
			acc.Vals, acc.Orig = map[string]int64{}, map[string]any{}
		}
		k := valueKey(v)
		acc.Vals[k] += sign
		if _, ok := acc.Orig[k]; !ok {
			acc.Orig[k] = detached(v)
		}
		if acc.Vals[k] <= 0 {
			delete(acc.Vals, k)
			delete(acc.Orig, k)
			if extreme && acc.Best != nil && valueKey(acc.Best) == k {
				acc.Best = c.extremeOf(acc.Orig) // the extreme left: look for the next one
			}
		} else if extreme && sign > 0 && (acc.Best == nil || c.better(v, acc.Best)) {
			acc.Best = acc.Orig[k]
		}
		if c.distinct || c.fn != "COUNT" && c.fn != "SUM" && c.fn != "AVG" {
			return
		}
	}
	acc.Count += sign
	switch x := v.(type) {
	case int64:
		acc.ISum += sign * x
	case float64:
		acc.FSum += float64(sign) * x
	}
}

// merge adds the accumulator o into acc (session windows merge their accumulators).
func (c *aggCall) merge(acc *aggAcc, o aggAcc) {
	acc.Count += o.Count
	acc.ISum += o.ISum
	acc.FSum += o.FSum
	if o.Best != nil && (acc.Best == nil || c.better(o.Best, acc.Best)) {
		acc.Best = o.Best
	}
	for k, n := range o.Vals {
		if acc.Vals == nil {
			acc.Vals, acc.Orig = map[string]int64{}, map[string]any{}
		}
		acc.Vals[k] += n
		acc.Orig[k] = o.Orig[k]
	}
}

// result is the aggregate's value.
func (c *aggCall) result(acc *aggAcc) any {
	if c.distinct {
		var d aggAcc
		for k, n := range acc.Vals {
			if n > 0 {
				c2 := *c
				c2.distinct = false
				c2.accumulate(&d, acc.Orig[k], 1)
			}
		}
		if c.fn == "COUNT" {
			return int64(len(acc.Vals))
		}
		c2 := *c
		c2.distinct = false
		return c2.result(&d)
	}
	switch c.fn {
	case "LAG":
		if i := len(acc.Seq) - 1 - int(c.offset); i >= 0 {
			return acc.Seq[i]
		}
		return c.dflt
	case "COUNT":
		return acc.Count
	case "SUM", "AVG":
		if acc.Count == 0 {
			return nil
		}
		if c.typ.isInteger() {
			if c.fn == "AVG" {
				return wrapInt(acc.ISum/acc.Count, c.typ.Kind)
			}
			return wrapInt(acc.ISum, c.typ.Kind)
		}
		s := acc.FSum + float64(acc.ISum)
		if c.fn == "AVG" {
			s /= float64(acc.Count)
		}
		if c.typ.Kind == KindDecimal {
			s = roundScale(s, c.typ.Scale)
		}
		return s
	case "MIN", "MAX":
		return acc.Best
	}
	return nil
}

// better reports whether v is a better extreme than best: smaller for MIN, larger for MAX.
func (c *aggCall) better(v, best any) bool {
	if c.fn == "MIN" {
		return compareValues(v, best) < 0
	}
	return compareValues(v, best) > 0
}

// extremeOf returns the best of the values (nil if there are none).
func (c *aggCall) extremeOf(vals map[string]any) any {
	var best any
	for _, v := range vals {
		if best == nil || c.better(v, best) {
			best = v
		}
	}
	return best
}

// equalRows compares two result rows value by value (Flink's RecordEqualiser).
func equalRows(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) {
			return false
		}
		if a[i] != nil {
			if f, ok := a[i].(float64); ok && math.IsNaN(f) {
				return false
			}
			if compareValues(a[i], b[i]) != 0 {
				return false
			}
		}
	}
	return true
}
