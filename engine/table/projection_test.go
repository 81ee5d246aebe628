package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// A projection of a weir-nexmark table is read by the connector itself (Flink's projection push-down): the
// job has no Calc operator after the source, and its rows are those of the same projection run as a Calc
// (kept by a filter that is always true), at parallelism 1 and 4; a projection that drops the watermark's
// column still runs as a Calc.
func TestNexmarkProjectionPushDown(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			tenv := newTableEnv(p)
			mustExec(t, tenv, "CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "+
				"dateTime TIMESTAMP(3), extra VARCHAR, WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) "+
				"WITH ('connector' = 'weir-nexmark', 'table' = 'bid', 'number-of-events' = '2000')")
			const pushed = "SELECT price, dateTime, auction FROM bid"
			plan := mustExec(t, tenv, "EXPLAIN "+pushed).Changes()[0].Fields[0].(string)
			graph := plan[strings.Index(plan, "== Physical Execution Plan"):]
			if strings.Contains(graph, "Calc") {
				t.Errorf("the projection runs as an operator:\n%s", graph)
			}
			got := mustExec(t, tenv, pushed).Strings()
			want := mustExec(t, tenv, pushed+" WHERE auction IS NOT NULL OR auction IS NULL").Strings()
			if len(got) < 1500 {
				t.Fatalf("%d rows, want the about 1840 bids of 2000 events", len(got))
			}
			equalLines(t, pushed, sorted(got), sorted(want))
			if !strings.HasPrefix(got[0], "+I[") || strings.Count(got[0], ",") != 2 {
				t.Errorf("row %s: want +I[price, dateTime, auction]", got[0])
			}
			plan = mustExec(t, tenv, "EXPLAIN SELECT price, auction FROM bid").Changes()[0].Fields[0].(string)
			if graph := plan[strings.Index(plan, "== Physical Execution Plan"):]; !strings.Contains(graph, "Calc") {
				t.Errorf("a projection without the watermark's column was pushed into the source:\n%s", graph)
			}
		})
	}
}

// A projection with PROCTIME() is pushed into a weir-nexmark source too (Nexmark q12's view): the readers
// stamp each row with their subtask's processing time, so the job has no Calc operator, and on a
// deterministic clock (each bid arrives at its dateTime) its rows are those of the same projection run as
// a Calc, which reads the processing time as it processes the row.
func TestNexmarkProjectionPushDownWithProctime(t *testing.T) {
	// Each query runs in an environment of its own: a job's processing time starts at its virtual clock's,
	// which the one before moved to the end of its stream.
	newEnv := func(p int) *Environment {
		tenv := NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: p, DeterministicTime: true}))
		mustExec(t, tenv, "CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "+
			"dateTime TIMESTAMP(3), extra VARCHAR, WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) "+
			"WITH ('connector' = 'weir-nexmark', 'table' = 'bid', 'number-of-events' = '2000')")
		return tenv
	}
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			const pushed = "SELECT bidder, PROCTIME() AS p_time, dateTime FROM bid"
			plan := mustExec(t, newEnv(p), "EXPLAIN "+pushed).Changes()[0].Fields[0].(string)
			graph := plan[strings.Index(plan, "== Physical Execution Plan"):]
			if strings.Contains(graph, "Calc") {
				t.Errorf("the projection runs as an operator:\n%s", graph)
			}
			got := mustExec(t, newEnv(p), pushed).Strings()
			want := mustExec(t, newEnv(p), pushed+" WHERE bidder IS NOT NULL OR bidder IS NULL").Strings()
			if len(got) < 1500 {
				t.Fatalf("%d rows, want the about 1840 bids of 2000 events", len(got))
			}
			equalLines(t, pushed, sorted(got), sorted(want))
			// Each bid arrives at its dateTime, so that is its processing time.
			for _, r := range got {
				f := strings.Split(r[3:len(r)-1], ", ")
				if len(f) != 3 || f[1] != f[2] {
					t.Fatalf("row %s: want +I[bidder, p_time, dateTime] with p_time = dateTime", r)
				}
			}
		})
	}
}
