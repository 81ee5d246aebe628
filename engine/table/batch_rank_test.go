package table

import (
	"fmt"
	"strings"
	"testing"
)

// Flink's TestData.data3 (a, b) and data5 (a, b, e), the tables Table3 and Table5 of batch RankITCase.
var (
	table3 = func() string {
		var rows []string
		for a, b := 1, 1; a <= 21; a++ {
			if a > b*(b+1)/2 {
				b++
			}
			rows = append(rows, fmt.Sprintf("(%d, %d)", a, b))
		}
		return "(VALUES " + strings.Join(rows, ", ") + ") AS Table3(a, b)"
	}()
	table5 = "(VALUES (1, 1, 1), (2, 2, 2), (2, 3, 1), (3, 4, 2), (3, 5, 2), (3, 6, 3), (4, 7, 2), (4, 8, 1), (4, 9, 1), (4, 10, 2), " +
		"(5, 11, 1), (5, 12, 3), (5, 13, 3), (5, 14, 2), (5, 15, 2)) AS Table5(a, b, e)"
)

// RANK() and DENSE_RANK() Top-N run in batch mode, as Flink's BatchExecRank: rows of equal sort keys share
// a rank; RANK skips the ranks they take, DENSE_RANK does not. Flink's batch RankITCase
// (testRankValueFilterWithUpperValue, testWithoutPartitionBy), its expected rows; DENSE_RANK over the same
// Table5 by hand. In streaming both are refused (TestOverFunctionsFlinkRefuses).
func TestBatchRankAndDenseRank(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			tenv := newTableEnv(p)
			mustExec(t, tenv, "SET 'execution.runtime-mode' = 'batch'")
			for _, tc := range []struct {
				name, sql string
				want      []string
			}{
				{"RankITCase#testRankValueFilterWithUpperValue", "SELECT * FROM (SELECT a, b, RANK() OVER (PARTITION BY b ORDER BY a) rk FROM " + table3 + ") t WHERE rk <= 2",
					[]string{"1,1,1", "2,2,1", "3,2,2", "4,3,1", "5,3,2", "7,4,1", "8,4,2", "11,5,1", "12,5,2", "16,6,1", "17,6,2"}},
				{"RankITCase#testRankValueFilterWithUpperValue (Table5)", "SELECT * FROM (SELECT a, b, RANK() OVER (PARTITION BY a ORDER BY e) rk FROM " + table5 + ") t WHERE rk <= 3",
					[]string{"1,1,1", "2,3,1", "2,2,2", "3,4,1", "3,5,1", "3,6,3", "4,8,1", "4,9,1", "4,7,3", "4,10,3", "5,11,1", "5,14,2", "5,15,2"}},
				{"RankITCase#testWithoutPartitionBy", "SELECT * FROM (SELECT a, b, RANK() OVER (ORDER BY a) rk FROM " + table3 + ") t WHERE rk < 5",
					[]string{"1,1,1", "2,2,2", "3,2,3", "4,3,4"}},
				{"DENSE_RANK", "SELECT * FROM (SELECT a, b, DENSE_RANK() OVER (PARTITION BY a ORDER BY e) rk FROM " + table5 + ") t WHERE rk <= 2",
					[]string{"1,1,1", "2,3,1", "2,2,2", "3,4,1", "3,5,1", "3,6,2", "4,8,1", "4,9,1", "4,7,2", "4,10,2", "5,11,1", "5,14,2", "5,15,2"}},
			} {
				r := mustExec(t, tenv, tc.sql)
				equalLines(t, tc.name, flinkRows(r), sorted(tc.want))
				for _, c := range r.Changes() {
					if c.Kind != Insert {
						t.Fatalf("%s: a batch rank is insert-only: %v", tc.name, c)
					}
				}
			}
		})
	}
}
