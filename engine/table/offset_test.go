package table

import (
	"fmt"
	"strings"
	"testing"
)

// ORDER BY ... LIMIT ... OFFSET in streaming is Flink's SortLimit with an offset: a Top-N of ranks
// OFFSET+1 to OFFSET+LIMIT over the whole table. SortLimitITCase#testRetractSortLimitWithOffset (over an
// updating GROUP BY), its final rows at parallelism 1 and 4, and its changelog at parallelism 1.
func TestSortLimitWithOffset(t *testing.T) {
	data := "(VALUES (1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (2, 4), (3, 3), (3, 4), (3, 5)) AS T(a, b)"
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			tenv := newTableEnv(p)
			r := mustExec(t, tenv, "SELECT a, max(b) FROM "+data+" GROUP BY a ORDER BY a LIMIT 2 OFFSET 1")
			equalLines(t, "SortLimitITCase#testRetractSortLimitWithOffset", flinkRows(r), []string{"2,4", "3,5"})
			if p == 1 { // at parallelism 4 the VALUES rows reach the GROUP BY in any order
				equalLines(t, "changelog", r.Strings(), []string{"+I[2, 2]", "-D[2, 2]", "+I[2, 3]", "-D[2, 3]", "+I[2, 4]", "+I[3, 3]", "-D[3, 3]", "+I[3, 4]", "-D[3, 4]", "+I[3, 5]"})
			}
			// Flink's SortLimitITCase#test data with an offset: ranks 2 and 3 by num descending.
			r = mustExec(t, tenv, "SELECT * FROM "+rankT+" ORDER BY num DESC LIMIT 2 OFFSET 1")
			equalLines(t, "rows 2-3", flinkRows(r), []string{"fruit,4,33", "fruit,5,22"})
			// OFFSET alone (OFFSET m ROWS): every rank after the first m.
			r = mustExec(t, tenv, "SELECT num FROM "+rankT+" ORDER BY num OFFSET 4 ROWS")
			equalLines(t, "OFFSET only", flinkRows(r), []string{"33", "44"})
			// Without ORDER BY: the rows arriving after the first OFFSET; which ones depends on the arrival
			// order, fixed only at parallelism 1.
			r = mustExec(t, tenv, "SELECT num FROM "+rankT+" LIMIT 2 OFFSET 3")
			if p == 1 {
				equalLines(t, "Limit with offset", r.Strings(), []string{"+I[33]", "+I[44]"})
			} else if len(r.Strings()) != 2 {
				t.Errorf("LIMIT 2 OFFSET 3 of 6 rows: %v", r.Strings())
			}
			// Batch: the sorted input without its first OFFSET rows.
			mustExec(t, tenv, "SET 'execution.runtime-mode' = 'batch'")
			r = mustExec(t, tenv, "SELECT category, num FROM "+rankT+" ORDER BY num LIMIT 3 OFFSET 2")
			equalLines(t, "batch", r.Strings(), []string{"+I[book, 19]", "+I[fruit, 22]", "+I[fruit, 33]"})
		})
	}
	plan := mustExec(t, newTableEnv(1), "EXPLAIN SELECT * FROM "+rankT+" ORDER BY num DESC LIMIT 2 OFFSET 1").Rows()[0][0].(string)
	if want := "SortLimit(orderBy=[num DESC], offset=[1], fetch=[2])"; !strings.Contains(plan, want) {
		t.Errorf("plan:\n%s\nwant %s", plan, want)
	}
	if _, err := newTableEnv(1).ExecuteSQL("SELECT num FROM " + rankT + " ORDER BY num LIMIT 2 OFFSET -1"); err == nil {
		t.Error("a negative OFFSET was accepted")
	}
}
