package planner

import (
	"testing"
	"time"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// FuzzExpr binds any expression over a row of every type and evaluates it: binding may refuse it, and
// evaluation may return an ErrRuntime error, but nothing panics (a panic in a job would end the process).
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"a + b * 2", "UPPER(s) || 'x'", "CASE WHEN a > 1 THEN s ELSE 'n' END", "CAST(s AS INT) / a",
		"SUBSTRING(s, a, b)", "TIMESTAMPDIFF(SECOND, ts, ts + INTERVAL '5' SECOND)", "DATE_FORMAT(ts, 'yyyy-MM-dd')",
		"d / 0", "MOD(a, 0)", "ROUND(d, -2)", "s LIKE '%a_'", "a IN (1, NULL, 3)", "COALESCE(n, a)", "NULLIF(s, 'x')",
		"TO_TIMESTAMP(s, 'yyyy')", "TO_TIMESTAMP_LTZ(a, 3)", "CAST(ts AS DATE)", "TRY_CAST(s AS BOOLEAN)", "-d",
		"ABS(a) BETWEEN n AND b", "IF(bo, a, b)", "CHAR_LENGTH(s) + POWER(a, 2)",
	} {
		f.Add(s)
	}
	cols := []Column{
		{Name: "a", Type: TypeInt}, {Name: "b", Type: TypeBigInt}, {Name: "d", Type: TypeDouble},
		{Name: "s", Type: TypeString}, {Name: "ts", Type: TypeTimestamp}, {Name: "bo", Type: TypeBoolean},
		{Name: "n", Type: TypeInt}, {Name: "m", Type: DataType{Kind: KindDecimal, Precision: 10, Scale: 2}},
	}
	rows := [][]any{
		{int64(3), int64(-2), 2.5, "2020", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), true, nil, 1.25},
		{int64(0), int64(0), 0.0, "", time.Time{}, false, int64(1), 0.0},
		{nil, nil, nil, nil, nil, nil, nil, nil},
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := sqlparse.ParseExpr(s)
		if err != nil {
			return
		}
		ce, err := (&binder{scope: newScope(cols, "t")}).bind(e)
		if err != nil {
			return
		}
		for _, r := range rows {
			_, _ = ce.eval(r)
		}
	})
}
