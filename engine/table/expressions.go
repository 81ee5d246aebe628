package table

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Expression is an expression of the Table API built from Go calls, Flink's Expression: Col("price")
// .Times(2).IsGreater(Lit(100)), Call("UPPER", Col("name")).As("name"). The Table API's methods take one
// wherever they take an expression written in SQL. An Expression is SQL text underneath (String shows
// it), so it follows SQL's rules: types, NULL and three-valued logic as in package planner. An operand
// that is not an Expression is a literal (Lit). A mistake (an empty column name, a value Lit cannot write)
// is kept in the Expression and returned by the Table API method it is given to.
type Expression struct {
	sql   string
	alias string // the name As gave the expression, "" if none
	order string // "ASC" or "DESC" from Asc or Desc, "" if none
	err   error
}

// Col is a column of the table, Flink's $("name") (or col("name")).
func Col(name string) Expression {
	if name == "" {
		return Expression{err: fmt.Errorf("%w: Col(\"\"): a column needs a name", ErrStatement)}
	}
	return Expression{sql: quoteIdent(name)}
}

// Lit is a literal, Flink's lit(v): a Go integer (an INT if it fits in 32 bits, else a BIGINT), float
// (DOUBLE), string (STRING), bool (BOOLEAN), nil (NULL), time.Time (a TIMESTAMP(3), in UTC) or
// time.Duration (an INTERVAL of its largest whole unit, from DAY to MILLISECOND, as Flink's
// lit(10).seconds()).
func Lit(v any) Expression {
	switch x := v.(type) {
	case Expression:
		return x
	case nil:
		return Expression{sql: "NULL"}
	case bool:
		if x {
			return Expression{sql: "TRUE"}
		}
		return Expression{sql: "FALSE"}
	case string:
		return Expression{sql: "'" + strings.ReplaceAll(x, "'", "''") + "'"}
	case int:
		return intLit(int64(x))
	case int8:
		return intLit(int64(x))
	case int16:
		return intLit(int64(x))
	case int32:
		return intLit(int64(x))
	case int64:
		return intLit(x)
	case uint8:
		return intLit(int64(x))
	case uint16:
		return intLit(int64(x))
	case uint32:
		return intLit(int64(x))
	case float32:
		return floatLit(float64(x))
	case float64:
		return floatLit(x)
	case time.Duration:
		return durationLit(x)
	case time.Time:
		return Expression{sql: "TIMESTAMP '" + x.UTC().Format("2006-01-02 15:04:05.000") + "'"}
	}
	return Expression{err: fmt.Errorf("%w: Lit(%v): a literal is an integer, float, string, bool, nil, time.Time or time.Duration, not %T", ErrStatement, v, v)}
}

func intLit(n int64) Expression {
	s := strconv.FormatInt(n, 10)
	if n < -1<<31 || n >= 1<<31 {
		s = "CAST(" + s + " AS BIGINT)"
	}
	if n < 0 {
		s = "(" + s + ")"
	}
	return Expression{sql: s}
}

func floatLit(f float64) Expression {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Expression{err: fmt.Errorf("%w: Lit(%v): SQL has no literal for it", ErrStatement, f)}
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if f < 0 {
		s = "(" + s + ")"
	}
	return Expression{sql: "CAST(" + s + " AS DOUBLE)"}
}

func durationLit(d time.Duration) Expression {
	if d < 0 || d%time.Millisecond != 0 {
		return Expression{err: fmt.Errorf("%w: Lit(%v): an interval is a whole, non-negative number of milliseconds", ErrStatement, d)}
	}
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"DAY", 24 * time.Hour}, {"HOUR", time.Hour}, {"MINUTE", time.Minute}, {"SECOND", time.Second}} {
		if d%u.d == 0 && d > 0 {
			return Expression{sql: fmt.Sprintf("INTERVAL '%d' %s", d/u.d, u.name)}
		}
	}
	return Expression{sql: fmt.Sprintf("INTERVAL '%d' MILLISECOND", d/time.Millisecond)}
}

// Call is a call of a built-in function by its SQL name, Flink's call("UPPER", $("name")): Call("UPPER",
// Col("name")), Call("COALESCE", Col("x"), 0). Package planner lists the functions.
func Call(function string, args ...any) Expression {
	if function == "" || strings.ContainsAny(function, "() ,;'`\"") {
		return Expression{err: fmt.Errorf("%w: Call(%q): not a function name", ErrStatement, function)}
	}
	parts := make([]string, len(args))
	for i, a := range args {
		e := operand(a)
		if e.err != nil {
			return e
		}
		parts[i] = e.sql
	}
	return Expression{sql: strings.ToUpper(function) + "(" + strings.Join(parts, ", ") + ")"}
}

// operand makes an argument of an operation an Expression: a literal unless it is one. An aliased or
// ordered Expression is no operand: As, Asc and Desc end an expression.
func operand(v any) Expression {
	e := Lit(v)
	if e.err == nil && (e.alias != "" || e.order != "") {
		e.err = fmt.Errorf("%w: %s: As, Asc and Desc name or order a result column and come last", ErrStatement, e)
	}
	return e
}

// binary is "(e op o)".
func (e Expression) binary(op string, other any) Expression {
	if e.err == nil && (e.alias != "" || e.order != "") {
		return operand(e)
	}
	o := operand(other)
	switch {
	case e.err != nil:
		return e
	case o.err != nil:
		return o
	}
	return Expression{sql: "(" + e.sql + " " + op + " " + o.sql + ")"}
}

// unary is "(prefix e suffix)".
func (e Expression) unary(prefix, suffix string) Expression {
	if e.err != nil || e.alias != "" || e.order != "" {
		return operand(e)
	}
	return Expression{sql: "(" + prefix + e.sql + suffix + ")"}
}

// Plus is e + other, Flink's plus.
func (e Expression) Plus(other any) Expression { return e.binary("+", other) }

// Minus is e - other, Flink's minus.
func (e Expression) Minus(other any) Expression { return e.binary("-", other) }

// Times is e * other, Flink's times.
func (e Expression) Times(other any) Expression { return e.binary("*", other) }

// DividedBy is e / other, Flink's dividedBy (an integer division of integers, as in SQL).
func (e Expression) DividedBy(other any) Expression { return e.binary("/", other) }

// Mod is e % other, Flink's mod.
func (e Expression) Mod(other any) Expression { return e.binary("%", other) }

// IsEqual is e = other, Flink's isEqual.
func (e Expression) IsEqual(other any) Expression { return e.binary("=", other) }

// IsNotEqual is e <> other, Flink's isNotEqual.
func (e Expression) IsNotEqual(other any) Expression { return e.binary("<>", other) }

// IsGreater is e > other, Flink's isGreater.
func (e Expression) IsGreater(other any) Expression { return e.binary(">", other) }

// IsGreaterOrEqual is e >= other, Flink's isGreaterOrEqual.
func (e Expression) IsGreaterOrEqual(other any) Expression { return e.binary(">=", other) }

// IsLess is e < other, Flink's isLess.
func (e Expression) IsLess(other any) Expression { return e.binary("<", other) }

// IsLessOrEqual is e <= other, Flink's isLessOrEqual.
func (e Expression) IsLessOrEqual(other any) Expression { return e.binary("<=", other) }

// And is e AND other, Flink's and.
func (e Expression) And(other any) Expression { return e.binary("AND", other) }

// Or is e OR other, Flink's or.
func (e Expression) Or(other any) Expression { return e.binary("OR", other) }

// Like is e LIKE pattern, Flink's like.
func (e Expression) Like(pattern any) Expression { return e.binary("LIKE", pattern) }

// Not is NOT e, Flink's not.
func (e Expression) Not() Expression { return e.unary("NOT ", "") }

// IsNull is e IS NULL, Flink's isNull.
func (e Expression) IsNull() Expression { return e.unary("", " IS NULL") }

// IsNotNull is e IS NOT NULL, Flink's isNotNull.
func (e Expression) IsNotNull() Expression { return e.unary("", " IS NOT NULL") }

// Between is e BETWEEN low AND high, Flink's between.
func (e Expression) Between(low, high any) Expression {
	lo := e.binary("BETWEEN", low)
	if lo.err != nil {
		return lo
	}
	hi := operand(high)
	if hi.err != nil {
		return hi
	}
	return Expression{sql: strings.TrimSuffix(lo.sql, ")") + " AND " + hi.sql + ")"}
}

// In is e IN (values...), Flink's in.
func (e Expression) In(values ...any) Expression {
	if len(values) == 0 {
		return Expression{err: fmt.Errorf("%w: %s.In(): the list of values is empty", ErrStatement, e)}
	}
	parts := make([]string, len(values))
	for i, v := range values {
		o := operand(v)
		if o.err != nil {
			return o
		}
		parts[i] = o.sql
	}
	return e.unary("", " IN ("+strings.Join(parts, ", ")+")")
}

// Cast is CAST(e AS sqlType), Flink's cast: Col("n").Cast("DOUBLE").
func (e Expression) Cast(sqlType string) Expression { return e.unary("CAST(", " AS "+sqlType+")") }

// Sum is the aggregate SUM(e), Flink's sum; Count, Avg, Min and Max are the others.
func (e Expression) Sum() Expression { return Call("SUM", e) }

// Count is the aggregate COUNT(e), Flink's count: the rows where e is not NULL.
func (e Expression) Count() Expression { return Call("COUNT", e) }

// Avg is the aggregate AVG(e), Flink's avg.
func (e Expression) Avg() Expression { return Call("AVG", e) }

// Min is the aggregate MIN(e), Flink's min.
func (e Expression) Min() Expression { return Call("MIN", e) }

// Max is the aggregate MAX(e), Flink's max.
func (e Expression) Max() Expression { return Call("MAX", e) }

// As names the expression's result column, Flink's as: Col("price").Times(2).As("doubled").
func (e Expression) As(name string) Expression {
	if e.err != nil {
		return e
	}
	if name == "" || e.alias != "" || e.order != "" {
		return Expression{err: fmt.Errorf("%w: %s.As(%q): an expression takes one non-empty name", ErrStatement, e, name)}
	}
	e.alias = name
	return e
}

// Asc orders by the expression ascending, Flink's asc (for OrderBy).
func (e Expression) Asc() Expression { return e.ordered("ASC") }

// Desc orders by the expression descending, Flink's desc (for OrderBy).
func (e Expression) Desc() Expression { return e.ordered("DESC") }

func (e Expression) ordered(dir string) Expression {
	if e.err != nil {
		return e
	}
	if e.alias != "" || e.order != "" {
		return Expression{err: fmt.Errorf("%w: %s: Asc and Desc order an expression without a name or an order", ErrStatement, e)}
	}
	e.order = dir
	return e
}

// Err returns the mistake made while building the expression, nil if none.
func (e Expression) Err() error { return e.err }

// String returns the expression as SQL, with its name or order if it has one.
func (e Expression) String() string {
	switch {
	case e.err != nil:
		return "<" + e.err.Error() + ">"
	case e.alias != "":
		return e.sql + " AS " + quoteIdent(e.alias)
	case e.order != "":
		return e.sql + " " + e.order
	}
	return e.sql
}

func quoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// sqlArgs writes the Table API's arguments as SQL: a string is SQL already, an Expression is written as
// SQL. op names the operation for errors.
func sqlArgs(op string, args []any) (string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case string:
			parts[i] = x
		case Expression:
			if x.err != nil {
				return "", fmt.Errorf("%s: %w", op, x.err)
			}
			parts[i] = x.String()
		default:
			return "", fmt.Errorf("%w: %s: argument %d is a %T; pass a SQL string or an Expression (Col, Lit, Call)", ErrStatement, op, i+1, a)
		}
	}
	return strings.Join(parts, ", "), nil
}
