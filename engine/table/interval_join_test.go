package table

import (
	"fmt"
	"strings"
	"testing"
)

// IntervalJoinITCase's T1 and T2 (key, id, rowtime in milliseconds) as JSON lines.
const (
	intervalT1 = `{"key":"A","id":"LEFT0.999","ts":999}
{"key":"A","id":"LEFT1","ts":1000}
{"key":"A","id":"LEFT2","ts":2000}
{"key":"A","id":"LEFT3","ts":3000}
{"key":"B","id":"LEFT4","ts":4000}
{"key":"A","id":"LEFT5","ts":5000}
{"key":"A","id":"LEFT6","ts":6000}
{"key":null,"id":"LEFT8","ts":8000}
`
	intervalT2 = `{"key":"A","id":"RIGHT6","ts":6000}
{"key":"B","id":"RIGHT7","ts":7000}
{"key":null,"id":"RIGHT10","ts":10000}
`
)

func intervalTables(t *testing.T, tenv *Environment) {
	t.Helper()
	for name, data := range map[string]string{"T1": intervalT1, "T2": intervalT2} {
		path := writeFile(t, name+".json", data)
		mustExec(t, tenv, fmt.Sprintf("CREATE TABLE %s (`key` STRING, id STRING, ts BIGINT, rowtime AS TO_TIMESTAMP_LTZ(ts, 3), "+
			"WATERMARK FOR rowtime AS rowtime - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", name, path))
	}
}

func TestIntervalJoins(t *testing.T) {
	const bounds = "t1.rowtime BETWEEN t2.rowtime - INTERVAL '5' SECOND AND t2.rowtime + INTERVAL '6' SECOND"
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		// Flink: IntervalJoinITCase#testRowTimeInnerJoin (a NULL key joins nothing).
		{"testRowTimeInnerJoin", "SELECT t2.`key`, t2.id, t1.id FROM T1 AS t1 JOIN T2 AS t2 ON t1.`key` = t2.`key` AND " + bounds,
			[]string{"A,RIGHT6,LEFT1", "A,RIGHT6,LEFT2", "A,RIGHT6,LEFT3", "A,RIGHT6,LEFT5", "A,RIGHT6,LEFT6", "B,RIGHT7,LEFT4"}},
		// Flink: IntervalJoinITCase#testRowTimeInnerJoinWithoutEqualCondition.
		{"testRowTimeInnerJoinWithoutEqualCondition", "SELECT t2.`key`, t2.id, t1.id FROM T1 AS t1 JOIN T2 AS t2 ON " + bounds,
			[]string{"A,RIGHT6,LEFT1", "A,RIGHT6,LEFT2", "A,RIGHT6,LEFT3", "A,RIGHT6,LEFT4", "A,RIGHT6,LEFT5", "A,RIGHT6,LEFT6",
				"A,RIGHT6,LEFT8", "B,RIGHT7,LEFT2", "B,RIGHT7,LEFT3", "B,RIGHT7,LEFT4", "B,RIGHT7,LEFT5", "B,RIGHT7,LEFT6",
				"B,RIGHT7,LEFT8", "null,RIGHT10,LEFT5", "null,RIGHT10,LEFT6", "null,RIGHT10,LEFT8"}},
		// Flink: IntervalJoinITCase#testUnboundedAggAfterRowtimeInnerJoin.
		{"testUnboundedAggAfterRowtimeInnerJoin", "SELECT `key`, COUNT(DISTINCT id1), COUNT(DISTINCT id2) FROM (" +
			"SELECT t2.`key` AS `key`, t2.id AS id1, t1.id AS id2 FROM T1 AS t1 JOIN T2 AS t2 ON t1.`key` = t2.`key` AND " + bounds + ") GROUP BY `key`",
			[]string{"A,1,5", "B,1,1"}},
		// The same bounds written as comparisons, the lower one strict (made inclusive by 1 ms, as Flink does).
		{"comparisons", "SELECT t2.id, t1.id FROM T1 AS t1 JOIN T2 AS t2 ON t1.`key` = t2.`key` AND t1.rowtime > t2.rowtime - INTERVAL '5' SECOND AND t2.rowtime + INTERVAL '6' SECOND >= t1.rowtime",
			[]string{"RIGHT6,LEFT2", "RIGHT6,LEFT3", "RIGHT6,LEFT5", "RIGHT6,LEFT6", "RIGHT7,LEFT4"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				intervalTables(t, tenv)
				r := mustExec(t, tenv, c.query)
				var rows []string
				for _, row := range r.Rows() {
					rows = append(rows, strings.ReplaceAll(strings.ReplaceAll(FormatFields(row, r.Columns()), ", ", ","), "<NULL>", "null"))
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), sorted(rows), sorted(c.want))
			}
		})
	}
	tenv := newTableEnv(1)
	intervalTables(t, tenv)
	r := mustExec(t, tenv, "EXPLAIN SELECT t2.id, t1.id FROM T1 AS t1 JOIN T2 AS t2 ON t1.`key` = t2.`key` AND "+bounds)
	if plan := r.Rows()[0][0].(string); !strings.Contains(plan, "IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=-5000, leftUpperBound=6000, leftTimeIndex=rowtime, rightTimeIndex=rowtime]") || strings.Contains(plan, "UB") {
		t.Errorf("plan:\n%s", plan)
	}
}
