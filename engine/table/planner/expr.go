package planner

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// ErrRuntime is an expression that fails on a row while the job runs (division by zero, a CAST of a
// malformed string); it fails the job, as in Flink.
var ErrRuntime = errors.New("SQL runtime error")

// cexpr is a bound expression: its type, its evaluation on an input row, and its text for plans.
type cexpr struct {
	typ  DataType
	eval func(r []any) (any, error)
	text string
	ref  int // 1 + the input column the expression only reads, 0 for any other expression
	// proctime marks PROCTIME(): its operator, not eval, gives its value (the processing time at which the
	// operator processes the row; see rowFunc).
	proctime bool
	// evalInt and evalFloat, if set, are eval of an integer, or DOUBLE or DECIMAL, expression without boxing
	// (see expr_unboxed.go).
	evalInt   intFunc
	evalFloat floatFunc
}

// binder binds expressions against a scope. With agg set it binds the expressions after a GROUP BY: a
// subexpression equal to a grouping expression reads that key, an aggregate call reads its result, and
// any other column reference is an error.
type binder struct {
	scope *scope
	agg   *aggBinding
	// over, if set, binds an aggregate call OVER a window to the column of its result.
	over  func(*sqlparse.Call) (*cexpr, bool)
	depth int // how deep bind is in the expression: PROCTIME() must be a whole expression (depth 1)
}

func (b *binder) bind(e sqlparse.Expr) (*cexpr, error) {
	b.depth++
	defer func() { b.depth-- }()
	if b.agg != nil {
		if ce, ok, err := b.agg.match(e); ok || err != nil {
			return ce, err
		}
	}
	switch x := e.(type) {
	case *sqlparse.Ident:
		if b.agg != nil {
			return nil, errAt(x.Pos, ErrValidation, "Expression '%s' is not being grouped", strings.Join(x.Parts, "."))
		}
		i, err := b.scope.resolve(x)
		if err != nil {
			return nil, err
		}
		return colRef(i, b.scope.fields[i].typ, b.scope.fields[i].name), nil
	case *sqlparse.Literal:
		return bindLiteral(x)
	case *sqlparse.Interval:
		ms, err := intervalMillis(x)
		if err != nil {
			return nil, err
		}
		return constant(ms, typeInterval, ExprString(x)), nil
	case *sqlparse.Unary:
		return b.bindUnary(x)
	case *sqlparse.Binary:
		return b.bindBinary(x)
	case *sqlparse.Call:
		if x.Over != nil && b.over != nil {
			if ce, ok := b.over(x); ok {
				return ce, nil
			}
		}
		if x.Over != nil {
			return nil, errAt(x.Pos, ErrUnsupported, "%s OVER (...) is supported by Weir only as ROW_NUMBER() in a subquery whose outer query filters it (Top-N, deduplication)", x.Name)
		}
		if isAggregate(x.Name) {
			return nil, errAt(x.Pos, ErrValidation, "aggregate function %s is not allowed here", x.Name)
		}
		if x.Name == "PROCTIME" {
			return b.bindProctime(x)
		}
		return b.bindCall(x)
	case *sqlparse.Case:
		return b.bindCase(x)
	case *sqlparse.Cast:
		in, err := b.bind(x.X)
		if err != nil {
			return nil, err
		}
		to, err := typeFromAST(x.Type)
		if err != nil {
			return nil, errAt(x.Type.Pos, ErrValidation, "%v", err)
		}
		return castExpr(x.Pos, in, to, x.Try)
	case *sqlparse.IsNull:
		in, err := b.bind(x.X)
		if err != nil {
			return nil, err
		}
		return &cexpr{typ: DataType{Kind: KindBoolean, NotNull: true}, text: ExprString(x), eval: func(r []any) (any, error) {
			v, err := in.eval(r)
			return (v == nil) != x.Not, err
		}}, nil
	case *sqlparse.IsBool:
		in, err := b.bind(x.X)
		if err != nil {
			return nil, err
		}
		if in.typ.Kind != KindBoolean && in.typ.Kind != KindNull {
			return nil, errAt(x.Pos, ErrValidation, "IS TRUE/FALSE needs a BOOLEAN, not %s", in.typ)
		}
		return &cexpr{typ: DataType{Kind: KindBoolean, NotNull: true}, text: ExprString(x), eval: func(r []any) (any, error) {
			v, err := in.eval(r)
			return (v == x.Value) != x.Not, err
		}}, nil
	case *sqlparse.Between:
		lo := &sqlparse.Binary{Pos: x.Pos, Op: ">=", L: x.X, R: x.Lo}
		hi := &sqlparse.Binary{Pos: x.Pos, Op: "<=", L: x.X, R: x.Hi}
		var both sqlparse.Expr = &sqlparse.Binary{Pos: x.Pos, Op: "AND", L: lo, R: hi}
		if x.Not {
			both = &sqlparse.Unary{Pos: x.Pos, Op: "NOT", X: both}
		}
		ce, err := b.bind(both)
		if err == nil {
			ce.text = ExprString(x)
		}
		return ce, err
	case *sqlparse.In:
		return b.bindIn(x)
	case *sqlparse.Like:
		return b.bindLike(x)
	case *sqlparse.Star:
		return nil, errAt(x.Pos, ErrValidation, "* is not allowed here")
	case *sqlparse.Descriptor:
		return nil, errAt(x.Pos, ErrValidation, "DESCRIPTOR is allowed only as an argument of a window function")
	case *sqlparse.Exists:
		return nil, errAt(x.Pos, ErrUnsupported, "EXISTS (subquery) is supported by Weir only as a conjunct of WHERE")
	}
	return nil, errAt(e.ExprPos(), ErrUnsupported, "expression %s", ExprString(e))
}

func colRef(i int, t DataType, name string) *cexpr {
	c := &cexpr{typ: t, text: name, ref: i + 1, eval: func(r []any) (any, error) { return r[i], nil }}
	switch {
	case t.isInteger():
		c.evalInt = intColumn(i, name)
	case t.Kind == KindDouble || t.Kind == KindDecimal:
		c.evalFloat = floatColumn(i)
	}
	return c
}

func constant(v any, t DataType, text string) *cexpr {
	return &cexpr{typ: t, text: text, eval: func([]any) (any, error) { return v, nil }}
}

func bindLiteral(x *sqlparse.Literal) (*cexpr, error) {
	text := ExprString(x)
	switch x.Kind {
	case sqlparse.LitNull:
		return constant(nil, typeNull, text), nil
	case sqlparse.LitBool:
		return constant(x.Text == "TRUE", DataType{Kind: KindBoolean, NotNull: true}, text), nil
	case sqlparse.LitString:
		return constant(x.Text, DataType{Kind: KindChar, Precision: max(1, len([]rune(x.Text))), NotNull: true}, text), nil
	case sqlparse.LitNumber:
		if !strings.ContainsAny(x.Text, ".eE") {
			n, err := strconv.ParseInt(x.Text, 10, 64)
			if err != nil {
				return nil, errAt(x.Pos, ErrValidation, "numeric literal %s is out of range", x.Text)
			}
			t := DataType{Kind: KindInt, NotNull: true}
			if n > math.MaxInt32 || n < math.MinInt32 {
				t.Kind = KindBigInt
			}
			c := constant(n, t, text)
			c.evalInt = func([]any) (int64, bool, error) { return n, false, nil }
			return c, nil
		}
		f, err := strconv.ParseFloat(x.Text, 64)
		if err != nil {
			return nil, errAt(x.Pos, ErrValidation, "malformed numeric literal %s", x.Text)
		}
		t := DataType{Kind: KindDouble, NotNull: true}
		if !strings.ContainsAny(x.Text, "eE") {
			digits := strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(x.Text, "-"), ".", ""), "0")
			_, frac, _ := strings.Cut(x.Text, ".")
			t = DataType{Kind: KindDecimal, Precision: max(len(digits), len(frac), 1), Scale: len(frac), NotNull: true}
		}
		c := constant(f, t, text)
		c.evalFloat = func([]any) (float64, bool, error) { return f, false, nil }
		return c, nil
	case sqlparse.LitTimestamp:
		t, err := parseTimestamp(x.Text)
		if err != nil {
			return nil, errAt(x.Pos, ErrValidation, "malformed TIMESTAMP literal '%s'", x.Text)
		}
		p := 0
		if _, frac, ok := strings.Cut(x.Text, "."); ok {
			p = len(frac)
		}
		return constant(t, DataType{Kind: KindTimestamp, Precision: p, NotNull: true}, text), nil
	case sqlparse.LitDate:
		t, err := time.Parse("2006-01-02", x.Text)
		if err != nil {
			return nil, errAt(x.Pos, ErrValidation, "malformed DATE literal '%s'", x.Text)
		}
		return constant(t, DataType{Kind: KindDate, NotNull: true}, text), nil
	}
	return nil, errAt(x.Pos, ErrUnsupported, "literal %s", text)
}

var unitMillis = map[string]int64{
	"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000,
}

// intervalMillis converts a day-time INTERVAL literal to milliseconds.
func intervalMillis(x *sqlparse.Interval) (int64, error) {
	unit, ok := unitMillis[x.Unit]
	if !ok || x.ToUnit != "" {
		return 0, errAt(x.Pos, ErrUnsupported, "Weir runs day-time intervals of one unit (MILLISECOND to DAY), not %s", ExprString(x))
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(x.Value), 64)
	if err != nil {
		return 0, errAt(x.Pos, ErrValidation, "illegal interval literal '%s'", x.Value)
	}
	ms := v * float64(unit)
	if math.Abs(ms) > math.MaxInt64/2 {
		return 0, errAt(x.Pos, ErrValidation, "interval literal '%s' %s is out of range", x.Value, x.Unit)
	}
	return int64(math.Round(ms)), nil
}

func boolType(notNull bool) DataType { return DataType{Kind: KindBoolean, NotNull: notNull} }

func (b *binder) bindUnary(x *sqlparse.Unary) (*cexpr, error) {
	in, err := b.bind(x.X)
	if err != nil {
		return nil, err
	}
	text := ExprString(x)
	if x.Op == "NOT" {
		if in.typ.Kind != KindBoolean && in.typ.Kind != KindNull {
			return nil, errAt(x.Pos, ErrValidation, "NOT needs a BOOLEAN, not %s", in.typ)
		}
		return &cexpr{typ: boolType(in.typ.NotNull), text: text, eval: func(r []any) (any, error) {
			v, err := in.eval(r)
			if v == nil || err != nil {
				return nil, err
			}
			return !v.(bool), nil
		}}, nil
	}
	if !in.typ.isNumeric() && in.typ.Kind != KindInterval {
		return nil, errAt(x.Pos, ErrValidation, "cannot negate %s", in.typ)
	}
	return &cexpr{typ: in.typ.plain(), text: text, eval: func(r []any) (any, error) {
		v, err := in.eval(r)
		switch n := v.(type) {
		case int64:
			return -n, err
		case float64:
			return -n, err
		}
		return nil, err
	}}, nil
}

// numericResult is the type of an arithmetic operation's result, as Calcite derives it (simplified:
// integers widen to the wider integer, any approximate operand gives DOUBLE, else DECIMAL).
func numericResult(op string, l, r DataType) DataType {
	notNull := l.NotNull && r.NotNull
	switch {
	case l.Kind == KindDouble || r.Kind == KindDouble || l.Kind == KindFloat || r.Kind == KindFloat:
		return DataType{Kind: KindDouble, NotNull: notNull}
	case l.Kind == KindDecimal || r.Kind == KindDecimal:
		ls, rs := 0, 0
		if l.Kind == KindDecimal {
			ls = l.Scale
		}
		if r.Kind == KindDecimal {
			rs = r.Scale
		}
		scale := max(ls, rs)
		switch op {
		case "*":
			scale = ls + rs
		case "/":
			scale = max(6, ls+rs+1)
		}
		return DataType{Kind: KindDecimal, Precision: 38, Scale: min(scale, 18), NotNull: notNull}
	}
	k := max(l.Kind, r.Kind, KindInt)
	return DataType{Kind: k, NotNull: notNull}
}

func (b *binder) bindBinary(x *sqlparse.Binary) (*cexpr, error) {
	l, err := b.bind(x.L)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(x.R)
	if err != nil {
		return nil, err
	}
	text := ExprString(x)
	notNull := l.typ.NotNull && r.typ.NotNull
	switch x.Op {
	case "AND", "OR":
		for _, s := range []*cexpr{l, r} {
			if s.typ.Kind != KindBoolean && s.typ.Kind != KindNull {
				return nil, errAt(x.Pos, ErrValidation, "%s needs BOOLEAN operands, not %s", x.Op, s.typ)
			}
		}
		and := x.Op == "AND"
		return &cexpr{typ: boolType(notNull), text: text, eval: func(row []any) (any, error) {
			a, err := l.eval(row)
			if err != nil {
				return nil, err
			}
			if a != nil && a.(bool) != and {
				return !and, nil // FALSE AND x, TRUE OR x
			}
			c, err := r.eval(row)
			if err != nil {
				return nil, err
			}
			if c != nil && c.(bool) != and {
				return !and, nil
			}
			if a == nil || c == nil {
				return nil, nil
			}
			return and, nil
		}}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		if !comparable(l.typ, r.typ) {
			return nil, errAt(x.Pos, ErrValidation, "Cannot apply '%s' to arguments of type '%s' and '%s'", x.Op, l.typ.plain(), r.typ.plain())
		}
		op := x.Op
		if l.evalInt != nil && r.evalInt != nil {
			return &cexpr{typ: boolType(notNull), text: text, eval: intCompare(op, l.evalInt, r.evalInt)}, nil
		}
		return &cexpr{typ: boolType(notNull), text: text, eval: func(row []any) (any, error) {
			a, err := l.eval(row)
			if err != nil {
				return nil, err
			}
			c, err := r.eval(row)
			if err != nil || a == nil || c == nil {
				return nil, err
			}
			k := compareValues(a, c)
			switch op {
			case "=":
				return k == 0, nil
			case "<>":
				return k != 0, nil
			case "<":
				return k < 0, nil
			case "<=":
				return k <= 0, nil
			case ">":
				return k > 0, nil
			}
			return k >= 0, nil
		}}, nil
	case "||":
		if !l.typ.isString() && l.typ.Kind != KindNull || !r.typ.isString() && r.typ.Kind != KindNull {
			return nil, errAt(x.Pos, ErrValidation, "Cannot apply '||' to arguments of type '%s' and '%s'", l.typ.plain(), r.typ.plain())
		}
		return &cexpr{typ: DataType{Kind: KindVarchar, Precision: math.MaxInt32, NotNull: notNull}, text: text, eval: func(row []any) (any, error) {
			a, err := l.eval(row)
			if err != nil {
				return nil, err
			}
			c, err := r.eval(row)
			if err != nil || a == nil || c == nil {
				return nil, err
			}
			return a.(string) + c.(string), nil
		}}, nil
	}
	// Arithmetic: numbers, or a timestamp plus or minus an interval.
	if l.typ.isTime() && r.typ.Kind == KindInterval && (x.Op == "+" || x.Op == "-") {
		sign := int64(1)
		if x.Op == "-" {
			sign = -1
		}
		return &cexpr{typ: l.typ.plain(), text: text, eval: func(row []any) (any, error) {
			a, err := l.eval(row)
			if err != nil || a == nil {
				return nil, err
			}
			c, err := r.eval(row)
			if err != nil || c == nil {
				return nil, err
			}
			return a.(time.Time).Add(time.Duration(sign*c.(int64)) * time.Millisecond), nil
		}}, nil
	}
	if (!l.typ.isNumeric() && l.typ.Kind != KindNull) || (!r.typ.isNumeric() && r.typ.Kind != KindNull) {
		return nil, errAt(x.Pos, ErrValidation, "Cannot apply '%s' to arguments of type '%s' and '%s'", x.Op, l.typ.plain(), r.typ.plain())
	}
	rt := numericResult(x.Op, l.typ, r.typ)
	op := x.Op
	pos := x.Pos
	if rt.isInteger() && l.evalInt != nil && r.evalInt != nil {
		return intExpr(rt, text, intArith(op, l.evalInt, r.evalInt, func() error {
			return fmt.Errorf("%w at %s: division by zero in %s", ErrRuntime, pos, text)
		})), nil
	}
	if lf, rf := asFloat(l), asFloat(r); !rt.isInteger() && lf != nil && rf != nil {
		return floatExpr(rt, text, floatArith(op, rt, lf, rf, func() error {
			return fmt.Errorf("%w at %s: division by zero in %s", ErrRuntime, pos, text)
		})), nil
	}
	return &cexpr{typ: rt, text: text, eval: func(row []any) (any, error) {
		a, err := l.eval(row)
		if err != nil {
			return nil, err
		}
		c, err := r.eval(row)
		if err != nil || a == nil || c == nil {
			return nil, err
		}
		ai, aInt := a.(int64)
		ci, cInt := c.(int64)
		var v any
		ok := true
		if aInt && cInt && rt.isInteger() {
			v, ok = intArithmetic(op, ai, ci)
		} else {
			v, ok = floatArithmetic(op, rt, toFloat(a), toFloat(c))
		}
		if !ok {
			return nil, fmt.Errorf("%w at %s: division by zero in %s", ErrRuntime, pos, text)
		}
		return v, nil
	}}, nil
}

func comparable(a, b DataType) bool {
	switch {
	case a.Kind == KindNull || b.Kind == KindNull:
		return true
	case a.isNumeric() && b.isNumeric():
		return true
	case a.isString() && b.isString():
		return true
	case a.isTime() && b.isTime():
		return true
	case a.isString() && b.isTime() || a.isTime() && b.isString():
		return true // Flink casts the string literal to the timestamp
	}
	return a.Kind == b.Kind
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return math.NaN()
}

// compareValues orders two non-null values of comparable types.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmp3(x < y, x > y)
		}
		f, g := float64(x), toFloat(b)
		return cmp3(f < g, f > g)
	case float64:
		g := toFloat(b)
		return cmp3(x < g, x > g)
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
		if y, ok := b.(time.Time); ok {
			t, err := parseTimestamp(x)
			if err == nil {
				return t.Compare(y)
			}
		}
	case bool:
		y, _ := b.(bool)
		return cmp3(!x && y, x && !y)
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
		if y, ok := b.(string); ok {
			if t, err := parseTimestamp(y); err == nil {
				return x.Compare(t)
			}
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

func (b *binder) bindCase(x *sqlparse.Case) (*cexpr, error) {
	var operand *cexpr
	var err error
	if x.Operand != nil {
		if operand, err = b.bind(x.Operand); err != nil {
			return nil, err
		}
	}
	type arm struct{ cond, res *cexpr }
	var arms []arm
	var rt *DataType
	widen := func(c *cexpr, pos sqlparse.Pos) error {
		if c.typ.Kind == KindNull {
			return nil
		}
		if rt == nil {
			t := c.typ.plain()
			rt = &t
			return nil
		}
		w, ok := commonType(*rt, c.typ)
		if !ok {
			return errAt(pos, ErrValidation, "CASE branches have incompatible types %s and %s", *rt, c.typ)
		}
		rt = &w
		return nil
	}
	for _, w := range x.Whens {
		cond, err := b.bind(w.Cond)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if !comparable(operand.typ, cond.typ) {
				return nil, errAt(w.Cond.ExprPos(), ErrValidation, "cannot compare %s with %s", operand.typ, cond.typ)
			}
		} else if cond.typ.Kind != KindBoolean && cond.typ.Kind != KindNull {
			return nil, errAt(w.Cond.ExprPos(), ErrValidation, "WHEN needs a BOOLEAN condition, not %s", cond.typ)
		}
		res, err := b.bind(w.Result)
		if err != nil {
			return nil, err
		}
		if err := widen(res, w.Result.ExprPos()); err != nil {
			return nil, err
		}
		arms = append(arms, arm{cond, res})
	}
	var els *cexpr
	if x.Else != nil {
		if els, err = b.bind(x.Else); err != nil {
			return nil, err
		}
		if err := widen(els, x.Else.ExprPos()); err != nil {
			return nil, err
		}
	}
	t := typeNull
	if rt != nil {
		t = *rt
	}
	t.NotNull = els != nil && els.typ.NotNull
	for _, a := range arms {
		t.NotNull = t.NotNull && a.res.typ.NotNull
	}
	return &cexpr{typ: t, text: ExprString(x), eval: func(r []any) (any, error) {
		var ov any
		if operand != nil {
			var err error
			if ov, err = operand.eval(r); err != nil {
				return nil, err
			}
		}
		for _, a := range arms {
			c, err := a.cond.eval(r)
			if err != nil {
				return nil, err
			}
			hit := false
			if operand != nil {
				hit = ov != nil && c != nil && compareValues(ov, c) == 0
			} else {
				hit = c == true
			}
			if hit {
				v, err := a.res.eval(r)
				return coerce(v, t), err
			}
		}
		if els != nil {
			v, err := els.eval(r)
			return coerce(v, t), err
		}
		return nil, nil
	}}, nil
}

// commonType is the type two branches widen to, if any.
func commonType(a, b DataType) (DataType, bool) {
	a, b = a.plain(), b.plain()
	switch {
	case a.Kind == KindNull:
		return b, true
	case b.Kind == KindNull:
		return a, true
	case a.isNumeric() && b.isNumeric():
		return numericResult("+", a, b), true
	case a.isString() && b.isString():
		if a.Kind == KindChar && b.Kind == KindChar && a.Precision == b.Precision {
			return a, true
		}
		return DataType{Kind: KindVarchar, Precision: max(a.Precision, b.Precision)}, true
	case a.Kind == b.Kind:
		return a, true
	}
	return a, false
}

// coerce converts a value to the runtime form of type t (an int64 where a DOUBLE is expected).
func coerce(v any, t DataType) any {
	if n, ok := v.(int64); ok && (t.Kind == KindDouble || t.Kind == KindFloat || t.Kind == KindDecimal) {
		return float64(n)
	}
	return v
}

func (b *binder) bindIn(x *sqlparse.In) (*cexpr, error) {
	if x.Subquery != nil {
		return nil, errAt(x.Pos, ErrUnsupported, "IN (subquery) is supported by Weir only as a conjunct of WHERE")
	}
	in, err := b.bind(x.X)
	if err != nil {
		return nil, err
	}
	var list []*cexpr
	for _, e := range x.List {
		c, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		if !comparable(in.typ, c.typ) {
			return nil, errAt(e.ExprPos(), ErrValidation, "Values passed to IN operator must have compatible types: %s and %s", in.typ.plain(), c.typ.plain())
		}
		list = append(list, c)
	}
	return &cexpr{typ: boolType(in.typ.NotNull), text: ExprString(x), eval: func(r []any) (any, error) {
		v, err := in.eval(r)
		if err != nil || v == nil {
			return nil, err
		}
		sawNull := false
		for _, c := range list {
			w, err := c.eval(r)
			if err != nil {
				return nil, err
			}
			if w == nil {
				sawNull = true
				continue
			}
			if compareValues(v, w) == 0 {
				return !x.Not, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return x.Not, nil
	}}, nil
}

func (b *binder) bindLike(x *sqlparse.Like) (*cexpr, error) {
	in, err := b.bind(x.X)
	if err != nil {
		return nil, err
	}
	pat, err := b.bind(x.Pattern)
	if err != nil {
		return nil, err
	}
	if !in.typ.isString() && in.typ.Kind != KindNull || !pat.typ.isString() && pat.typ.Kind != KindNull {
		return nil, errAt(x.Pos, ErrValidation, "LIKE needs strings, not %s and %s", in.typ, pat.typ)
	}
	// A literal pattern is compiled once; the evaluation runs in every parallel subtask, so it shares
	// nothing mutable.
	var fixedRe *regexp.Regexp
	if lit, ok := x.Pattern.(*sqlparse.Literal); ok && lit.Kind == sqlparse.LitString {
		fixedRe = likeRegexp(lit.Text)
	}
	return &cexpr{typ: boolType(in.typ.NotNull && pat.typ.NotNull), text: ExprString(x), eval: func(r []any) (any, error) {
		v, err := in.eval(r)
		if err != nil || v == nil {
			return nil, err
		}
		re := fixedRe
		if re == nil {
			p, err := pat.eval(r)
			if err != nil || p == nil {
				return nil, err
			}
			re = likeRegexp(p.(string))
		}
		return re.MatchString(v.(string)) != x.Not, nil
	}}, nil
}

// likeRegexp translates a LIKE pattern (% any string, _ one character) to a regular expression.
func likeRegexp(p string) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString("(?s)^")
	for _, r := range p {
		switch r {
		case '%':
			sb.WriteString(".*")
		case '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	return regexp.MustCompile(sb.String())
}

// parseTimestamp reads "2020-10-10 00:00:01[.fff]" (or with a T) as a UTC time.
func parseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("malformed timestamp %q", s)
}

// castExpr converts a value to type to: CAST fails the job on a malformed value, TRY_CAST gives NULL.
func castExpr(pos sqlparse.Pos, in *cexpr, to DataType, try bool) (*cexpr, error) {
	from := in.typ
	ok := from.Kind == KindNull || from.Kind == to.Kind ||
		to.isString() ||
		from.isString() ||
		from.isNumeric() && to.isNumeric() ||
		from.isNumeric() && to.Kind == KindBoolean || from.Kind == KindBoolean && to.isNumeric() ||
		from.isTime() && to.isTime()
	if !ok {
		return nil, errAt(pos, ErrValidation, "Cast function cannot convert value of type %s to type %s", from.plain(), to)
	}
	rt := to
	rt.NotNull = to.NotNull || from.NotNull && !try
	text := fmt.Sprintf("CAST(%s AS %s)", in.text, to)
	return &cexpr{typ: rt, text: text, eval: func(r []any) (any, error) {
		v, err := in.eval(r)
		if err != nil || v == nil {
			return nil, err
		}
		out, cerr := castValue(v, from, to)
		if cerr != nil {
			if try {
				return nil, nil
			}
			return nil, fmt.Errorf("%w at %s: %v", ErrRuntime, pos, cerr)
		}
		return out, nil
	}}, nil
}

func castValue(v any, from, to DataType) (any, error) {
	switch {
	case to.isString():
		s := FormatValue(v, from)
		if from.Kind == KindBoolean {
			s = strings.ToUpper(s)
		}
		if to.Kind == KindChar || to.Precision < math.MaxInt32 {
			if rs := []rune(s); len(rs) > to.Precision {
				s = string(rs[:to.Precision])
			}
		}
		return s, nil
	case to.isInteger():
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			n = int64(x) // truncation toward zero, as Java's cast
		case bool:
			if x {
				n = 1
			}
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("cannot cast '%s' to %s", x, to)
			}
			n = i
		default:
			return nil, fmt.Errorf("cannot cast %v to %s", v, to)
		}
		return wrapInt(n, to.Kind), nil
	case to.Kind == KindDouble || to.Kind == KindFloat || to.Kind == KindDecimal:
		var f float64
		switch x := v.(type) {
		case int64:
			f = float64(x)
		case float64:
			f = x
		case bool:
			if x {
				f = 1
			}
		case string:
			g, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, fmt.Errorf("cannot cast '%s' to %s", x, to)
			}
			f = g
		}
		if to.Kind == KindDecimal {
			f = roundScale(f, to.Scale)
		}
		if to.Kind == KindFloat {
			f = float64(float32(f))
		}
		return f, nil
	case to.Kind == KindBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
			return nil, fmt.Errorf("cannot cast '%s' to BOOLEAN", x)
		}
	case to.isTime():
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x
		case string:
			var err error
			if t, err = parseTimestamp(x); err != nil {
				return nil, fmt.Errorf("cannot cast '%s' to %s", x, to)
			}
		}
		if to.Kind == KindDate {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		return t.Truncate(time.Duration(math.Pow10(9 - min(to.Precision, 9)))), nil
	}
	return nil, fmt.Errorf("cannot cast %v to %s", v, to)
}

// wrapInt narrows an integer to its SQL type's width, wrapping as Java's narrowing casts do.
func wrapInt(n int64, k TypeKind) int64 {
	switch k {
	case KindTinyInt:
		return int64(int8(n))
	case KindSmallInt:
		return int64(int16(n))
	case KindInt:
		return int64(int32(n))
	}
	return n
}
