package planner

import (
	"fmt"
	"math"
)

// Numeric expressions evaluated unboxed. The types of an expression are known when it is bound, so an
// integer column, an integer literal, integer arithmetic and MOD of integers also get evalInt, which
// computes the value as an int64 without putting it (or a function's arguments) into interfaces, and a
// comparison or an arithmetic operation of two such expressions uses it; likewise a DOUBLE or DECIMAL
// column or literal and arithmetic with such a result get evalFloat, which a Calc uses to store the value
// in its output row's block (see rowBlock) instead of boxing it. Flink's code generation does the same with
// Java primitives. The results are the ones eval gives.

// intFunc evaluates an integer expression on a row: its value, or null for NULL.
type intFunc func(r []any) (v int64, null bool, err error)

// intExpr is an integer expression of type t computed by f; its eval boxes f's value.
func intExpr(t DataType, text string, f intFunc) *cexpr {
	return &cexpr{typ: t, text: text, evalInt: f, eval: func(r []any) (any, error) {
		v, null, err := f(r)
		if err != nil || null {
			return nil, err
		}
		return v, nil
	}}
}

// intColumn is evalInt of integer column i.
func intColumn(i int, name string) intFunc {
	return func(r []any) (int64, bool, error) {
		switch v := r[i].(type) {
		case int64:
			return v, false, nil
		case nil:
			return 0, true, nil
		default:
			return 0, false, fmt.Errorf("%w: column %s holds %T, not an integer", ErrRuntime, name, v)
		}
	}
}

// intArith is evalInt of l op r (+, -, *, / or %) for integer operands: both are evaluated, then NULL if
// either is; a division by zero fails with divByZero's error, the one eval gives.
func intArith(op string, l, r intFunc, divByZero func() error) intFunc {
	return intOp(op, l, r, false, divByZero)
}

// intCall is intArith for a function's arguments, which are evaluated in turn until one is NULL: a NULL l
// is the result, and r is not evaluated.
func intCall(op string, l, r intFunc, divByZero func() error) intFunc {
	return intOp(op, l, r, true, divByZero)
}

func intOp(op string, l, r intFunc, stopAtNull bool, divByZero func() error) intFunc {
	return func(row []any) (int64, bool, error) {
		a, aNull, err := l(row)
		if err != nil || aNull && stopAtNull {
			return 0, err == nil, err
		}
		c, cNull, err := r(row)
		if err != nil || aNull || cNull {
			return 0, err == nil, err
		}
		v, ok := intArithmetic(op, a, c)
		if !ok {
			return 0, false, divByZero()
		}
		return v, false, nil
	}
}

// intArithmetic is a op c (+, -, *, / or %) of integers, boxed or not; ok is false for a division by zero.
func intArithmetic(op string, a, c int64) (v int64, ok bool) {
	switch op {
	case "+":
		return a + c, true
	case "-":
		return a - c, true
	case "*":
		return a * c, true
	}
	if c == 0 {
		return 0, false
	}
	if op == "/" {
		return a / c, true
	}
	return a % c, true
}

// floatArithmetic is a op c (+, -, *, / or %) with a result of type rt, DOUBLE or DECIMAL, boxed or not: a
// DECIMAL result is rounded to its scale; ok is false for a division by zero that fails (% always, / of a
// DECIMAL; a DOUBLE / gives an infinity or NaN).
func floatArithmetic(op string, rt DataType, a, c float64) (v float64, ok bool) {
	switch op {
	case "+":
		v = a + c
	case "-":
		v = a - c
	case "*":
		v = a * c
	case "/":
		if c == 0 && rt.Kind == KindDecimal {
			return 0, false
		}
		v = a / c
	case "%":
		if c == 0 {
			return 0, false
		}
		v = math.Mod(a, c)
	}
	if rt.Kind == KindDecimal {
		v = roundScale(v, rt.Scale)
	}
	return v, true
}

// intCompare is eval of l op r (=, <>, <, <=, > or >=) for integer operands: both are evaluated, then a
// bool, or nil if either is NULL.
func intCompare(op string, l, r intFunc) func(row []any) (any, error) {
	return func(row []any) (any, error) {
		a, aNull, err := l(row)
		if err != nil {
			return nil, err
		}
		c, cNull, err := r(row)
		if err != nil || aNull || cNull {
			return nil, err
		}
		switch op {
		case "=":
			return a == c, nil
		case "<>":
			return a != c, nil
		case "<":
			return a < c, nil
		case "<=":
			return a <= c, nil
		case ">":
			return a > c, nil
		}
		return a >= c, nil
	}
}

// floatFunc evaluates a DOUBLE or DECIMAL expression on a row: its value, or null for NULL.
type floatFunc func(r []any) (v float64, null bool, err error)

// floatExpr is a DOUBLE or DECIMAL expression of type t computed by f; its eval boxes f's value.
func floatExpr(t DataType, text string, f floatFunc) *cexpr {
	return &cexpr{typ: t, text: text, evalFloat: f, eval: func(r []any) (any, error) {
		v, null, err := f(r)
		if err != nil || null {
			return nil, err
		}
		return v, nil
	}}
}

// asFloat returns an unboxed evaluation of c as a float64 (an integer expression's converted), or nil.
func asFloat(c *cexpr) floatFunc {
	if c.evalFloat != nil {
		return c.evalFloat
	}
	if f := c.evalInt; f != nil {
		return func(r []any) (float64, bool, error) {
			v, null, err := f(r)
			return float64(v), null, err
		}
	}
	return nil
}

// floatColumn is evalFloat of DOUBLE or DECIMAL column i.
func floatColumn(i int) floatFunc {
	return func(r []any) (float64, bool, error) {
		if r[i] == nil {
			return 0, true, nil
		}
		return toFloat(r[i]), false, nil
	}
}

// floatArith is evalFloat of l op r (+, -, *, / or %) with a result of type rt, DOUBLE or DECIMAL: both
// are evaluated, then NULL if either is; a DECIMAL result is rounded to its scale, and a division by
// zero fails with divByZero's error for % and for a DECIMAL /, as eval does.
func floatArith(op string, rt DataType, l, r floatFunc, divByZero func() error) floatFunc {
	return func(row []any) (float64, bool, error) {
		a, aNull, err := l(row)
		if err != nil {
			return 0, false, err
		}
		c, cNull, err := r(row)
		if err != nil || aNull || cNull {
			return 0, err == nil, err
		}
		v, ok := floatArithmetic(op, rt, a, c)
		if !ok {
			return 0, false, divByZero()
		}
		return v, false, nil
	}
}
