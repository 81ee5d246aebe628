package bench

// flinkPublished holds Flink's published Nexmark throughput per query, in events per CPU-second: the
// Throughput/Cores column of the nexmark/nexmark README (Flink 1.13, its SQL queries, 3 workers of 8 cores,
// parallelism 8, RocksDB with incremental checkpoints every 3 minutes, MiniBatch on, 100M events from the
// generator inside Flink's source task, each TaskManager's CPU measured whole). BENCHMARKS.md's "Against
// Flink's Nexmark reference" says how Weir's runs differ (one process, heap state, no serialisation).
var flinkPublished = map[string]float64{
	"q0": 155_000, "q1": 157_900, "q2": 175_200, "q3": 152_100, "q4": 34_300, "q5": 22_100,
	"q7": 12_300, "q8": 146_100, "q11": 39_700, "q12": 75_700,
}

// flinkSameQuery lists the queries whose hand-written DataStream version computes what Flink's SQL does, so
// that its case is compared with Flink's figure too (the SQL cases always are): q4 and q5 keep less, q7
// emits only each window's maximum, and q12 runs in event time.
var flinkSameQuery = map[string]bool{"q0": true, "q1": true, "q2": true, "q3": true, "q8": true, "q11": true}
