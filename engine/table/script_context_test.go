package table

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A notebook cell's script: started sees each statement's line and result before its job ends, and a done
// context cancels the running job of an unbounded query and skips the statements after it.
func TestExecuteScriptContextCancelsAnUnboundedQuery(t *testing.T) {
	tenv := NewEnvironment(newEngineEnv(1, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var lines []int
	script := "CREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');\n\nSELECT x FROM g;\nSHOW TABLES"
	res, err := tenv.ExecuteScriptContext(ctx, script, func(line int, r *TableResult) {
		lines = append(lines, line)
		if r.IsQuery() {
			cancel() // the learner presses ctrl+c while the query runs
		}
	})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrStatement) || !strings.Contains(err.Error(), "line 3, column 1") {
		t.Fatalf("err %v, want the canceled statement at line 3, column 1", err)
	}
	if len(res) != 2 || len(lines) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Fatalf("%d results at lines %v, want 2 at lines [1 3]", len(res), lines)
	}
	if res[0].ResultKind() != ResultKindSuccess || res[1].ResultKind() != ResultKindSuccessWithContent {
		t.Errorf("result kinds %s, %s", res[0].ResultKind(), res[1].ResultKind())
	}
	if !res[1].Job().Status().Terminal() {
		t.Errorf("the query's job is %v after the script returned, want it ended", res[1].Job().Status())
	}
}

// PrintLast bounds a long result: the last changes of a changelog, the first rows of the table, totals of
// the whole result. The changelog is that of Flink's non-windowed GroupAggFunction at parallelism 1.
func TestPrintLastBoundsALongResult(t *testing.T) {
	tenv := NewEnvironment(newEngineEnv(1, nil))
	res, err := tenv.ExecuteScriptContext(context.Background(), `
CREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '5');
SET 'sql-client.execution.result-mode' = 'changelog';
SELECT x % 2 AS k, COUNT(*) AS c FROM s GROUP BY x % 2`, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := res[2]
	if q.Mode() != ResultChangelog {
		t.Errorf("mode %q, want changelog (SET before the query)", q.Mode())
	}
	var sb strings.Builder
	if err := q.PrintLast(&sb, "", 3); err != nil {
		t.Fatal(err)
	}
	// x = 1..5: +I[1, 1] +I[0, 1] -U[1, 1] +U[1, 2] -U[0, 1] +U[0, 2] -U[1, 2] +U[1, 3].
	want := "op k c\n… 5 earlier rows\n+U 0 2\n-U 1 2\n+U 1 3\n"
	if got := sb.String(); got != want {
		t.Errorf("changelog, last 3:\n%s\nwant\n%s", got, want)
	}
	sb.Reset()
	if err := q.PrintLast(&sb, ResultTable, 1); err != nil {
		t.Fatal(err)
	}
	// -U removes a row and +U adds the new one at the end: k = 1 was updated last.
	want = "+---+---+\n| k | c |\n+---+---+\n| 0 | 2 |\n+---+---+\n… 1 more rows\n2 rows in set\n"
	if got := sb.String(); got != want {
		t.Errorf("table, first 1:\n%s\nwant\n%s", got, want)
	}
}
