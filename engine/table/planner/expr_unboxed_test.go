package planner

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// Numeric expressions evaluated unboxed (evalInt, evalFloat) give eval's values: arithmetic, MOD,
// comparisons, NULL operands (a function stops at its first NULL argument, an operator evaluates both), a
// DECIMAL rounded to its scale, and a division by zero fails with ErrRuntime naming it (a DOUBLE / 0 does
// not).
func TestUnboxedExpressions(t *testing.T) {
	cols := []Column{{Name: "a", Type: TypeInt}, {Name: "b", Type: TypeBigInt}, {Name: "n", Type: TypeInt},
		{Name: "d", Type: TypeDouble}, {Name: "m", Type: DataType{Kind: KindDecimal, Precision: 10, Scale: 2}}}
	row := []any{int64(7), int64(-3), nil, 2.5, 1.25}
	cases := []struct {
		expr  string
		typed bool // whether it is bound with evalInt or evalFloat (or, for a comparison, compares unboxed)
		want  any
		err   string
	}{
		{"a + b * 2", true, int64(1), ""},
		{"a / b", true, int64(-2), ""},
		{"a % b", true, int64(1), ""},
		{"MOD(a, 3)", true, int64(1), ""},
		{"MOD(b, 123)", true, int64(-3), ""},
		{"MOD(a, 0)", true, nil, "division by zero in MOD"},
		{"a / (b + 3)", true, nil, "division by zero in (`a` / (`b` + 3))"},
		{"MOD(n, 0)", true, nil, ""},                       // the NULL first argument is the result
		{"n + a / (b + 3)", true, nil, "division by zero"}, // both operands are evaluated
		{"a + n", true, nil, ""},
		{"MOD(a, 123) = 7", true, true, ""},
		{"a < b", true, false, ""},
		{"a >= 7", true, true, ""},
		{"a <> n", true, nil, ""},
		{"a + 0.5", true, 7.5, ""},
		{"0.908 * b", true, -2.724, ""},
		{"m * 0.333", true, 0.41625, ""},
		{"m / 3", true, 0.416667, ""},
		{"d * a - 1", true, 16.5, ""},
		{"d / 0", true, math.Inf(1), ""},
		{"m / 0", true, nil, "division by zero"},
		{"d % 0", true, nil, "division by zero"},
		{"n * 0.5", true, nil, ""},
		{"a = 7.0", false, true, ""},
	}
	for _, tc := range cases {
		e, err := sqlparse.ParseExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		ce, err := (&binder{scope: newScope(cols, "t")}).bind(e)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, err := ce.eval(row)
		if tc.err != "" {
			if !errors.Is(err, ErrRuntime) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", tc.want, tc.want) {
			t.Errorf("%s = %T %v (%v), want %T %v", tc.expr, got, got, err, tc.want, tc.want)
		}
		if typed := ce.evalInt != nil || ce.evalFloat != nil || isIntComparison(e, cols); typed != tc.typed {
			t.Errorf("%s: typed %v, want %v", tc.expr, typed, tc.typed)
		}
	}
}

// isIntComparison reports whether e is a comparison both of whose operands bind with evalInt.
func isIntComparison(e sqlparse.Expr, cols []Column) bool {
	b, ok := e.(*sqlparse.Binary)
	if !ok {
		return false
	}
	l, err1 := (&binder{scope: newScope(cols, "t")}).bind(b.L)
	r, err2 := (&binder{scope: newScope(cols, "t")}).bind(b.R)
	return err1 == nil && err2 == nil && l.evalInt != nil && r.evalInt != nil && l.typ.isInteger() && r.typ.isInteger()
}
