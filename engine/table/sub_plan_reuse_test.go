package table

import (
	"strings"
	"testing"
)

// Sub-plan reuse (Flink's 'table.optimizer.reuse-sub-plan-enabled'): a subtree that appears twice in a
// query, as the HOP aggregation in both inputs of Nexmark q5's join, is compiled once and read by both
// consumers; subtrees that differ in any parameter (here the window's size) are compiled apart, though
// they still share the scan below them.
func TestSubPlanReuse(t *testing.T) {
	const hop = `(SELECT auction, COUNT(*) AS num, window_start, window_end
  FROM TABLE(HOP(TABLE Bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '%s' SECOND))
  GROUP BY auction, window_start, window_end)`
	tests := []struct {
		name                  string
		size1, size2          string
		sources, aggregations int
	}{
		{"same window", "10", "10", 1, 1},
		{"different windows", "10", "6", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenv := newTableEnv(2)
			mustExec(t, tenv, `CREATE TABLE Bids (auction BIGINT, price BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`)
			q := "EXPLAIN SELECT A.auction, A.num FROM " + strings.Replace(hop, "%s", tt.size1, 1) + " A JOIN " +
				strings.Replace(hop, "%s", tt.size2, 1) + " B ON A.window_start = B.window_start AND A.window_end = B.window_end AND A.num >= B.num"
			plan := mustExec(t, tenv, q).Changes()[0].Fields[0].(string)
			_, graph, ok := strings.Cut(plan, "== Physical Execution Plan (Weir job graph) ==")
			if !ok {
				t.Fatalf("no job graph in:\n%s", plan)
			}
			sources, aggregations := 0, 0
			for _, line := range strings.Split(graph, "\n") {
				if strings.Contains(line, "Source: Bids") {
					sources++
				}
				if strings.Contains(line, "WindowAggregate(") {
					aggregations++
				}
			}
			if sources != tt.sources || aggregations != tt.aggregations {
				t.Errorf("%d sources and %d window aggregations, want %d and %d:\n%s", sources, aggregations, tt.sources, tt.aggregations, graph)
			}
		})
	}
}
