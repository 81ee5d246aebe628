package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// OverAggregateITCase#testLagFunction's data (a, b, c at rowtime), with its two watermarks.
var lagData = []any{
	overIn{14000001, 1, 1, "Hi"}, overIn{14000005, 1, 2, "Hi"}, overIn{14000002, 1, 3, "Hello"}, overIn{14000003, 1, 4, "Hello"},
	overIn{14000003, 1, 5, "Hello"}, overWM(14000020), overIn{14000021, 1, 6, "Hello world"}, overIn{14000022, 1, 7, "Hello world"},
	overWM(14000030),
}

// LAG OVER an event-time window: Flink's OverAggregateITCase#testLagFunction, its expected rows. The rows of
// 14000003 (b = 4 and 5) share a RANGE window, so both see 4 as their predecessor, as in Flink.
func TestLagFunction(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			env := engine.NewEnvironment(engine.Config{Parallelism: p})
			tenv := NewEnvironment(env)
			overTable(t, env, tenv, "INT", "BIGINT", lagData)
			r := mustExec(t, tenv, "SELECT a, b, c, LAG(b) OVER(PARTITION BY a ORDER BY rowtime), LAG(b, 2) OVER(PARTITION BY a ORDER BY rowtime), "+
				"LAG(b, 2, CAST(10086 AS BIGINT)) OVER(PARTITION BY a ORDER BY rowtime) FROM T1")
			equalLines(t, "OverAggregateITCase#testLagFunction", flinkRows(r), sorted([]string{
				"1,1,Hi,null,null,10086", "1,3,Hello,1,null,10086", "1,4,Hello,4,3,3", "1,5,Hello,4,3,3",
				"1,2,Hi,5,4,4", "1,6,Hello world,2,5,5", "1,7,Hello world,6,2,2"}))
			for _, c := range r.Changes() {
				if c.Kind != Insert {
					t.Fatalf("an over aggregation is insert-only: %v", c)
				}
			}
		})
	}
}

// What Flink's streaming planner refuses, with its reasons: LEAD (OverAggregateITCase#testLeadFunction),
// LAG on a bounded frame (it would need retraction), an OVER frame ending after the current row, and RANK
// and DENSE_RANK (StreamExecRank runs only ROW_NUMBER).
func TestOverFunctionsFlinkRefuses(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	tenv := NewEnvironment(env)
	overTable(t, env, tenv, "INT", "BIGINT", lagData)
	for _, c := range []struct{ query, err string }{
		{"SELECT a, b, c, LEAD(b) OVER(PARTITION BY a ORDER BY rowtime), LEAD(b, 2) OVER(PARTITION BY a ORDER BY rowtime) FROM T1", "LEAD Function is not supported in stream mode."},
		{"SELECT LAG(b) OVER (PARTITION BY a ORDER BY rowtime ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM T1", "LAG Function with retraction is not supported in stream mode."},
		{"SELECT SUM(b) OVER (PARTITION BY a ORDER BY rowtime ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM T1", "OVER RANGE FOLLOWING windows are not supported yet."},
		{"SELECT SUM(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM T1", "OVER RANGE FOLLOWING windows are not supported yet."},
		{"SELECT * FROM (SELECT a, b, RANK() OVER (PARTITION BY a ORDER BY b) AS rk FROM T1) WHERE rk <= 2", "RANK() on streaming table is not supported currently"},
		{"SELECT * FROM (SELECT a, b, DENSE_RANK() OVER (PARTITION BY a ORDER BY b) AS rk FROM T1) WHERE rk <= 2", "DENSE_RANK() on streaming table is not supported currently"},
		{"SELECT LAG(b, 1.5) OVER (PARTITION BY a ORDER BY rowtime) FROM T1", "non-negative integer"},
		{"SELECT LAG(b, 1, 'x') OVER (PARTITION BY a ORDER BY rowtime) FROM T1", "default of LAG"},
	} {
		if _, err := tenv.ExecuteSQL(c.query); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error with %q", c.query, err, c.err)
		}
	}
}
