package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// Each SQL construct's committed output through a crash: the job over the 40 rows of crashWords (word w<n
// mod 5>, n, rowtime n ms) checkpoints once its operator has received 17 of them, fails after the rest
// are let through, restarts from the checkpoint, and its exactly-once sink holds the construct's
// changelog (+I, -U, +U, -D as the construct emits them) exactly once, as worked out here from the input.
func TestConstructsExactlyOnceThroughCrash(t *testing.T) {
	words := crashWords()
	schema := Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"},
		{Name: "ts", Type: "TIMESTAMP(3)", Field: "n"}}, Rowtime: "ts"}
	const tumble = "TABLE(TUMBLE(TABLE words, DESCRIPTOR(ts), INTERVAL '10' MILLISECOND))"
	for _, c := range []struct {
		name, query, op string
		want            []string
		ddl             []string
	}{
		{"tumble", "SELECT word, COUNT(*), SUM(n), MIN(n), MAX(n) FROM " + tumble + " GROUP BY word, window_start, window_end",
			"WindowAggregate", windowAggRows(words, [][2]int{{0, 10}, {10, 20}, {20, 30}, {30, 40}}), nil},
		{"cumulate", "SELECT word, COUNT(*), SUM(n), MIN(n), MAX(n) FROM TABLE(CUMULATE(TABLE words, DESCRIPTOR(ts), " +
			"INTERVAL '10' MILLISECOND, INTERVAL '20' MILLISECOND)) GROUP BY word, window_start, window_end",
			"WindowAggregate", windowAggRows(words, [][2]int{{0, 10}, {0, 20}, {20, 30}, {20, 40}}), nil},
		// Each word comes every 5 ms, so that a gap of 6 ms makes one session per word, open across the crash.
		{"session", "SELECT word, COUNT(*), SUM(n), MIN(n), MAX(n) FROM TABLE(SESSION(TABLE words PARTITION BY word, " +
			"DESCRIPTOR(ts), INTERVAL '6' MILLISECOND)) GROUP BY word, window_start, window_end",
			"WindowAggregate", windowAggRows(words, [][2]int{{0, 40}}), nil},
		{"window top-n", "SELECT word, s, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY s DESC) AS rn " +
			"FROM (SELECT word, window_start, window_end, SUM(n) AS s FROM " + tumble + " GROUP BY word, window_start, window_end)) WHERE rn <= 2",
			"WindowAggregate", windowTopTwo(), nil},
		{"window deduplication", "SELECT word, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, word ORDER BY ts) AS rn " +
			"FROM " + tumble + ") WHERE rn = 1", "WindowDeduplicate", windowFirsts(), nil},
		{"top-n", "SELECT word, n, rn FROM (SELECT word, n, ROW_NUMBER() OVER (PARTITION BY word ORDER BY n DESC) AS rn FROM words) WHERE rn <= 2",
			"Rank", topTwoChangelog(words), nil},
		{"deduplication", "SELECT word, n FROM (SELECT word, n, ROW_NUMBER() OVER (PARTITION BY word ORDER BY ts DESC) AS rn FROM words) WHERE rn = 1",
			"Deduplicate", keepLastChangelog(words), nil},
		{"interval join", "SELECT a.word, a.n, b.n FROM words a, words b WHERE a.word = b.word AND a.ts BETWEEN b.ts - INTERVAL '5' MILLISECOND AND b.ts",
			"IntervalJoin", intervalPairs(words), nil},
		{"window join", "SELECT l.word, l.n, r.n FROM (SELECT * FROM " + tumble + ") l JOIN (SELECT * FROM " + tumble + ") r " +
			"ON l.word = r.word AND l.window_start = r.window_start AND l.window_end = r.window_end WHERE l.n < r.n",
			"WindowJoin", windowPairs(), nil},
		// The right side of a semi join is the same table, so that its rows arrive through the crash too.
		{"semi join (IN)", "SELECT word, n FROM words WHERE n IN (SELECT n + 30 FROM words)", "Join", semiRows(), nil},
		{"semi join (EXISTS)", "SELECT word, n FROM words a WHERE EXISTS (SELECT * FROM words b WHERE b.word = a.word AND b.n = a.n + 30)",
			"Join", existsRows(), nil},
		// Each word's rows join the version of its label valid at their time: "a" from 0 ms, "b" from 20 ms.
		{"temporal join", "SELECT w.word, w.n, l.label FROM words AS w JOIN labels FOR SYSTEM_TIME AS OF w.ts AS l ON w.word = l.word",
			"TemporalJoin", temporalRows(words), []string{fmt.Sprintf("CREATE TABLE labels (word STRING, label STRING, t STRING, "+
				"vt AS TO_TIMESTAMP(t), WATERMARK FOR vt AS vt, PRIMARY KEY (word) NOT ENFORCED) WITH ('connector' = 'filesystem', "+
				"'path' = '%s', 'format' = 'json')", writeFile(t, "labels.json", labelVersions()))}},
	} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", c.name, p), func(t *testing.T) {
				got := throughCrash(t, engine.HeapState, p, words, schema, c.query, c.op, c.ddl...)
				equalLines(t, "committed changelog", got, sorted(c.want))
			})
		}
	}
	// An anti join's changelog depends on which input's rows come first (a left row emitted before its match
	// arrives is deleted again), so its committed output is checked row by row: each +I at most once, each -D
	// after its +I, and what is left is the pinned result.
	for _, c := range []struct{ name, query string }{
		{"anti join (NOT IN)", "SELECT word, n FROM words WHERE n NOT IN (SELECT n - 30 FROM words)"},
		{"anti join (NOT EXISTS)", "SELECT word, n FROM words a WHERE NOT EXISTS (SELECT * FROM words b WHERE b.word = a.word AND b.n = a.n + 30)"},
	} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", c.name, p), func(t *testing.T) {
				var want []string
				for n := 10; n < 40; n++ {
					want = append(want, fmt.Sprintf("+I[w%d, %d]", n%5, n))
				}
				got := throughCrash(t, engine.HeapState, p, words, schema, c.query, "Join")
				equalLines(t, "rows left", netRows(t, got), sorted(want))
			})
		}
	}
}

// crashWords are the words of the constructs' crash test: w<i mod 5> for i < 40.
func crashWords() []string {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	return words
}

// windowAggRows are the rows word, COUNT(*), SUM(n), MIN(n), MAX(n) of each word's rows n in each window
// [start, end) of windows.
func windowAggRows(words []string, windows [][2]int) []string {
	var rows []string
	for _, w := range windows {
		for k := 0; k < 5; k++ {
			cnt, sum, lo, hi := 0, 0, -1, -1
			for n := w[0]; n < w[1]; n++ {
				if words[n] != fmt.Sprintf("w%d", k) {
					continue
				}
				if lo < 0 {
					lo = n
				}
				cnt, sum, hi = cnt+1, sum+n, n
			}
			if cnt > 0 {
				rows = append(rows, fmt.Sprintf("+I[w%d, %d, %d, %d, %d]", k, cnt, sum, lo, hi))
			}
		}
	}
	return rows
}

// windowTopTwo are the two words with the largest SUM(n) in each 10 ms window: in window j, word k sums
// 10j+k and 10j+5+k, so w4 is first and w3 second.
func windowTopTwo() []string {
	var rows []string
	for j := 0; j < 4; j++ {
		rows = append(rows, fmt.Sprintf("+I[w4, %d, 1]", 20*j+13), fmt.Sprintf("+I[w3, %d, 2]", 20*j+11))
	}
	return rows
}

// windowFirsts are each word's first row in each 10 ms window: n = 10j+k.
func windowFirsts() []string {
	var rows []string
	for j := 0; j < 4; j++ {
		for k := 0; k < 5; k++ {
			rows = append(rows, fmt.Sprintf("+I[w%d, %d]", k, 10*j+k))
		}
	}
	return rows
}

// windowPairs are the pairs of a word's two rows in each 10 ms window, the earlier first.
func windowPairs() []string {
	var rows []string
	for j := 0; j < 4; j++ {
		for k := 0; k < 5; k++ {
			rows = append(rows, fmt.Sprintf("+I[w%d, %d, %d]", k, 10*j+k, 10*j+5+k))
		}
	}
	return rows
}

// topTwoChangelog is the changelog of a Top-2 by n descending per word with its row number, as Flink's
// AppendOnlyTopNFunction emits it: every rank whose row changes is retracted (-U) and updated (+U), a rank
// filled for the first time inserted (+I). n ascends, so each row becomes rank 1.
func topTwoChangelog(words []string) []string {
	var rows []string
	top := map[string][]int{}
	for n, w := range words {
		before := top[w]
		after := append([]int{n}, before...)
		if len(after) > 2 {
			after = after[:2]
		}
		for r := range after {
			if r < len(before) {
				rows = append(rows, fmt.Sprintf("-U[%s, %d, %d]", w, before[r], r+1), fmt.Sprintf("+U[%s, %d, %d]", w, after[r], r+1))
			} else {
				rows = append(rows, fmt.Sprintf("+I[%s, %d, %d]", w, after[r], r+1))
			}
		}
		top[w] = after
	}
	return rows
}

// keepLastChangelog is the changelog of a deduplication keeping each word's last row: its first row
// inserted, every later one replacing the one before (-U, +U).
func keepLastChangelog(words []string) []string {
	var rows []string
	last := map[string]int{}
	for n, w := range words {
		if prev, ok := last[w]; ok {
			rows = append(rows, fmt.Sprintf("-U[%s, %d]", w, prev), fmt.Sprintf("+U[%s, %d]", w, n))
		} else {
			rows = append(rows, fmt.Sprintf("+I[%s, %d]", w, n))
		}
		last[w] = n
	}
	return rows
}

// intervalPairs are the pairs (a, b) of rows of one word with b.ts - 5 ms <= a.ts <= b.ts: a row with
// itself and with the word's row 5 ms before it.
func intervalPairs(words []string) []string {
	var rows []string
	for n, w := range words {
		rows = append(rows, fmt.Sprintf("+I[%s, %d, %d]", w, n, n))
		if n >= 5 {
			rows = append(rows, fmt.Sprintf("+I[%s, %d, %d]", w, n-5, n))
		}
	}
	return rows
}

// semiRows are the rows n with a row n - 30: n from 30 up.
func semiRows() []string {
	var rows []string
	for n := 30; n < 40; n++ {
		rows = append(rows, fmt.Sprintf("+I[w%d, %d]", n%5, n))
	}
	return rows
}

// existsRows are the rows n with a row n + 30 of the same word: n below 10.
func existsRows() []string {
	var rows []string
	for n := 0; n < 10; n++ {
		rows = append(rows, fmt.Sprintf("+I[w%d, %d]", n%5, n))
	}
	return rows
}

// labelVersions are the versions of each word's label: "a" from 0 ms, "b" from 20 ms.
func labelVersions() string {
	var sb strings.Builder
	for _, v := range []struct{ label, t string }{{"a", "1970-01-01 00:00:00"}, {"b", "1970-01-01 00:00:00.020"}} {
		for k := 0; k < 5; k++ {
			fmt.Fprintf(&sb, "{\"word\":\"w%d\",\"label\":\"%s\",\"t\":\"%s\"}\n", k, v.label, v.t)
		}
	}
	return sb.String()
}

// temporalRows are the rows joined with the label valid at their time.
func temporalRows(words []string) []string {
	var rows []string
	for n, w := range words {
		label := "a"
		if n >= 20 {
			label = "b"
		}
		rows = append(rows, fmt.Sprintf("+I[%s, %d, %s]", w, n, label))
	}
	return rows
}

// A statement set's two INSERT INTO statements, one job, through one crash: each filesystem sink table
// holds its rows exactly once (Flink's filesystem sink commits its files on checkpoints).
func TestStatementSetExactlyOnceThroughCrash(t *testing.T) {
	words := crashWords()
	schema := Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"},
		{Name: "ts", Type: "TIMESTAMP(3)", Field: "n"}}, Rowtime: "ts"}
	var evens []string
	for n := 0; n < len(words); n += 2 {
		evens = append(evens, fmt.Sprintf(`{"n":%d,"word":"%s"}`, n, words[n]))
	}
	var counts []string
	for j := 0; j < 4; j++ {
		for k := 0; k < 5; k++ {
			counts = append(counts, fmt.Sprintf(`{"cnt":2,"first":%d,"word":"w%d"}`, 10*j+k, k))
		}
	}
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			evensDir, countsDir := t.TempDir(), t.TempDir()
			crashJob(t, engine.HeapState, p, words, schema, "WindowAggregate", func(tenv *Environment) (*engine.Job, error) {
				for _, st := range []string{
					fmt.Sprintf("CREATE TABLE evens (word STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", evensDir),
					fmt.Sprintf("CREATE TABLE counts (word STRING, cnt BIGINT, `first` BIGINT) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", countsDir),
				} {
					if _, err := tenv.ExecuteSQL(st); err != nil {
						return nil, err
					}
				}
				set := tenv.CreateStatementSet()
				for _, ins := range []string{"INSERT INTO evens SELECT word, n FROM words WHERE MOD(n, 2) = 0",
					"INSERT INTO counts SELECT word, COUNT(*), MIN(n) FROM TABLE(TUMBLE(TABLE words, DESCRIPTOR(ts), INTERVAL '10' MILLISECOND)) GROUP BY word, window_start, window_end"} {
					if err := set.AddInsertSQL(ins); err != nil {
						return nil, err
					}
				}
				r, err := set.Execute()
				if err != nil {
					return nil, err
				}
				return r.Job(), nil
			})
			equalLines(t, "evens", readCommitted(t, evensDir), sorted(evens))
			equalLines(t, "counts", readCommitted(t, countsDir), sorted(counts))
		})
	}
}

// netRows folds a changelog of +I and -D rows into the rows left, sorted, failing the test on a row inserted
// twice, deleted without being inserted, or any other kind of change.
func netRows(t *testing.T, changes []string) []string {
	t.Helper()
	inserted, deleted := map[string]int{}, map[string]int{}
	for _, c := range changes {
		switch row := c[2:]; c[:2] {
		case "+I":
			inserted[row]++
		case "-D":
			deleted[row]++
		default:
			t.Errorf("change %s: an anti join of insert-only inputs emits +I and -D only", c)
		}
	}
	var left []string
	for row, n := range inserted {
		if n > 1 || deleted[row] > n {
			t.Errorf("%s inserted %d times, deleted %d times", row, n, deleted[row])
		}
		if n > deleted[row] {
			left = append(left, "+I"+row)
		}
	}
	for row := range deleted {
		if inserted[row] == 0 {
			t.Errorf("%s deleted, never inserted", row)
		}
	}
	return sorted(left)
}
