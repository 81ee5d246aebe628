package table

import (
	"fmt"
	"strconv"
	"testing"
)

// OVER windows ordered by a PROCTIME() attribute emit each row as it arrives with the aggregates of its
// frame. OverAggregateITCase#testProcTimeBoundedPartitionedRowsOver (TestData.tupleData5's a and c) and
// #testProcTimeUnboundedPartitionedRangeOver (its COUNT and SUM; Weir has no FIRST_VALUE/LAST_VALUE), their
// expected rows, on a replayed arrival script in the data's order.
func TestProcTimeOverAggregate(t *testing.T) {
	var tuple5 []arrival // (a, c) of tupleData5
	for i, a := range []int{1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5} {
		tuple5 = append(tuple5, arrival{At: int64(10 * (i + 1)), K: strconv.Itoa(a), V: int64(i)})
	}
	var data []arrival // (c, a) of OverAggregateITCase's data
	for i, a := range []int64{1, 2, 3, 4, 5, 6, 7, 8, 20} {
		c := "Hello"
		if i >= 6 {
			c = "Hello World"
		}
		data = append(data, arrival{At: int64(10 * (i + 1)), K: c, V: a})
	}
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			r := mustExec(t, proctimeEnv(t, p, arrivalSource{tuple5, 1000}),
				"SELECT k, SUM(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN 4 PRECEDING AND CURRENT ROW), "+
					"MIN(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) FROM T")
			equalLines(t, "OverAggregateITCase#testProcTimeBoundedPartitionedRowsOver", flinkRows(r), sorted([]string{
				"1,0,0", "2,1,1", "2,3,1", "3,3,3", "3,7,3", "3,12,3", "4,6,6", "4,13,6", "4,21,6", "4,30,6",
				"5,10,10", "5,21,10", "5,33,10", "5,46,10", "5,60,10"}))
			r = mustExec(t, proctimeEnv(t, p, arrivalSource{data, 1000}),
				"SELECT k, COUNT(v) OVER (PARTITION BY k ORDER BY pt RANGE UNBOUNDED PRECEDING), SUM(v) OVER (PARTITION BY k ORDER BY pt RANGE UNBOUNDED PRECEDING) FROM T")
			equalLines(t, "OverAggregateITCase#testProcTimeUnboundedPartitionedRangeOver", flinkRows(r), sorted([]string{
				"Hello World,1,7", "Hello World,2,15", "Hello World,3,35",
				"Hello,1,1", "Hello,2,3", "Hello,3,6", "Hello,4,10", "Hello,5,15", "Hello,6,21"}))
			// A frame of 1 PRECEDING retracts the row that leaves it.
			r = mustExec(t, proctimeEnv(t, p, arrivalSource{data, 1000}),
				"SELECT k, v, SUM(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM T")
			equalLines(t, "ROWS 1 PRECEDING", flinkRows(r), sorted([]string{
				"Hello World,7,7", "Hello World,8,15", "Hello World,20,28",
				"Hello,1,1", "Hello,2,3", "Hello,3,5", "Hello,4,7", "Hello,5,9", "Hello,6,11"}))
		})
	}
	if _, err := proctimeEnv(t, 1, arrivalSource{data, 1000}).ExecuteSQL("SELECT SUM(v) OVER (ORDER BY pt RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM T"); err == nil {
		t.Error("a bounded RANGE window in processing time was accepted")
	}
}
