package table

import (
	"fmt"
	"strings"
	"testing"
)

// A GROUP BY window_start, window_end over a window aggregation (Nexmark q5's MaxBids) is itself a
// window aggregation, as Flink plans it: insert-only, one row per window when it ends. The inner rows are
// WindowAggregateITCase#testEventTimeTumbleWindow's counts per name: [00:00, 00:05) a 4; [00:05, 00:10)
// a 1, b 2; [00:15, 00:20) b 1; [00:30, 00:35) b 1, NULL 1.
func TestWindowAggregateOverWindowAggregate(t *testing.T) {
	const q = "SELECT starttime, endtime, MAX(cnt), SUM(cnt), COUNT(*) FROM (SELECT `name`, window_start AS starttime, window_end AS endtime, COUNT(*) AS cnt " +
		"FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end) GROUP BY starttime, endtime"
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		windowTable(t, tenv)
		r := mustExec(t, tenv, q)
		for _, ch := range r.Changes() {
			if ch.Kind != Insert {
				t.Fatalf("parallelism %d: a window aggregation is insert-only, got %v", p, ch)
			}
		}
		equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), weirRows(
			"2020-10-10T00:00,2020-10-10T00:00:05,4,4,1", "2020-10-10T00:00:05,2020-10-10T00:00:10,2,3,2",
			"2020-10-10T00:00:15,2020-10-10T00:00:20,1,1,1", "2020-10-10T00:00:30,2020-10-10T00:00:35,1,2,2"))
		if p == 1 {
			plan := mustExec(t, tenv, "EXPLAIN "+q).Rows()[0][0].(string)
			if !strings.Contains(plan, "WindowAggregate(groupBy=[starttime, endtime], window=[TUMBLE(size=[5s])]") || strings.Contains(plan, "UB") {
				t.Errorf("plan:\n%s", plan)
			}
		}
	}
}
