package table

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// Scalar expressions, each checked against the value Flink gives (Flink's documentation of the built-in
// functions, and flink-table-planner's ScalarFunctionsTest / CalcITCase where noted).
func TestCalcExpressions(t *testing.T) {
	tenv := newTableEnv(1)
	cases := []struct{ expr, want string }{
		{"1 + 2 * 3", "7"},
		{"7 / 2", "3"}, // INT / INT is an INT, as in Calcite
		{"7 % 3", "1"},
		{"7.0 / 2", "3.500000"},
		{"1.5 + 1", "2.5"},
		{"CAST(7 AS DOUBLE) / 2", "3.5"},
		{"-(3)", "-3"},
		{"3 > 2 AND NOT (1 = 2)", "TRUE"},
		{"NULL IS NULL", "TRUE"},
		{"CAST(NULL AS INT) + 1", "<NULL>"},
		{"CAST(NULL AS BOOLEAN) OR TRUE", "TRUE"}, // three-valued logic
		{"CAST(NULL AS BOOLEAN) AND TRUE", "<NULL>"},
		{"5 BETWEEN 1 AND 10", "TRUE"},
		{"'b' IN ('a', 'b')", "TRUE"},
		{"3 NOT IN (1, 2)", "TRUE"},
		{"'Hello' LIKE 'H%o'", "TRUE"},
		{"'Hello' LIKE 'H_l%'", "TRUE"},
		{"CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END", "b"},
		{"CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "two"},
		{"CASE 3 WHEN 1 THEN 'one' END", "<NULL>"},
		{"CAST('42' AS INT) + 1", "43"},
		{"CAST(3.7 AS INT)", "3"},
		{"CAST(12 AS STRING)", "12"},
		{"CAST(TRUE AS STRING)", "TRUE"},
		{"TRY_CAST('x' AS INT)", "<NULL>"},
		{"CAST('2020-10-10 00:00:01' AS TIMESTAMP(3))", "2020-10-10 00:00:01.000"},
		{"UPPER('weir')", "WEIR"},
		{"LOWER('WeIr')", "weir"},
		{"CONCAT('a', 'b', 'c')", "abc"},
		{"'a' || 'b'", "ab"},
		{"SUBSTRING('Hello World', 7)", "World"},
		{"SUBSTRING('Hello World', 1, 5)", "Hello"},
		{"CHAR_LENGTH('héllo')", "5"},
		{"TRIM('  x  ')", "x"},
		{"REPLACE('aXbX', 'X', '-')", "a-b-"},
		{"ABS(-5)", "5"},
		{"ABS(-2.5)", "2.5"},
		{"ROUND(2.567, 2)", "2.57"},
		{"ROUND(CAST(2.5 AS DOUBLE))", "3.0"},
		{"FLOOR(2.7)", "2"},
		{"CEIL(2.1)", "3"},
		{"MOD(10, 3)", "1"},
		{"POWER(2, 10)", "1024.0"},
		{"COALESCE(CAST(NULL AS STRING), 'x')", "x"},
		{"NULLIF(1, 1)", "<NULL>"},
		{"IF(1 < 2, 'yes', 'no')", "yes"},
		{"TO_TIMESTAMP('2020-10-10 00:00:01')", "2020-10-10 00:00:01.000"},
		{"TO_TIMESTAMP('10/10/2020 08', 'dd/MM/yyyy HH')", "2020-10-10 08:00:00.000"},
		{"TO_TIMESTAMP('garbage')", "<NULL>"},
		{"DATE_FORMAT(TIMESTAMP '2020-10-10 08:05:09', 'yyyy-MM-dd HH:mm')", "2020-10-10 08:05"},
		{"TIMESTAMPDIFF(SECOND, TIMESTAMP '2020-10-10 00:00:00', TIMESTAMP '2020-10-10 00:01:30')", "90"},
		{"TIMESTAMPDIFF(MONTH, TIMESTAMP '2020-01-31 00:00:00', TIMESTAMP '2020-02-29 00:00:00')", "0"},
		{"TIMESTAMPDIFF(DAY, TIMESTAMP '2020-10-10 00:00:00', TIMESTAMP '2020-10-08 12:00:00')", "-1"},
		{"TIMESTAMP '2020-10-10 00:00:00' + INTERVAL '90' SECOND", "2020-10-10 00:01:30"},
		{"TIMESTAMP '2020-10-10 00:00:00.000' - INTERVAL '1' DAY", "2020-10-09 00:00:00.000"},
	}
	for _, tc := range cases {
		r := mustExec(t, tenv, "SELECT "+tc.expr)
		got := r.Strings()
		if len(got) != 1 || got[0] != "+I["+tc.want+"]" {
			t.Errorf("SELECT %s = %v, want +I[%s]", tc.expr, got, tc.want)
		}
	}
}

// Flink: CalcITCase (flink-table-planner, runtime/stream/sql): filters and projections over a table keep
// its rows' order and kinds.
func TestCalcAndUnionAll(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, "CREATE TEMPORARY VIEW nums AS SELECT * FROM (VALUES (1, 'Hi'), (2, 'Hello'), (3, 'Hello world'), (4, 'Hello world, how are you?')) AS t(a, c)")
		r := mustExec(t, tenv, "SELECT a * 2 AS d, UPPER(c) FROM nums WHERE a > 1 AND c LIKE 'Hello%'")
		equalLines(t, "calc", sorted(r.Strings()), []string{"+I[4, HELLO]", "+I[6, HELLO WORLD]", "+I[8, HELLO WORLD, HOW ARE YOU?]"})
		if got := r.Columns(); got[0].Name != "d" || got[1].Name != "EXPR$1" || got[1].Type.String() != "STRING NOT NULL" {
			t.Errorf("columns: %+v", got)
		}
		r = mustExec(t, tenv, "SELECT a FROM nums WHERE a < 3 UNION ALL SELECT a + 10 FROM nums WHERE a > 2 UNION ALL SELECT 100")
		equalLines(t, "union all", sorted(r.Strings()), sorted([]string{"+I[1]", "+I[2]", "+I[13]", "+I[14]", "+I[100]"}))
		r = mustExec(t, tenv, "SELECT DISTINCT MOD(a, 2) AS parity FROM nums")
		equalLines(t, "distinct", sorted(r.Strings()), []string{"+I[0]", "+I[1]"})
		r = mustExec(t, tenv, "SELECT COUNT(*), SUM(a), AVG(a), MIN(c), MAX(c), COUNT(DISTINCT CHAR_LENGTH(c) > 5) FROM nums")
		rows := r.Rows()
		if len(rows) != 1 || FormatFields(rows[0], r.Columns()) != "4, 10, 2, Hello, Hi, 2" {
			t.Errorf("global aggregate: %v", r.Strings())
		}
	}
}

func TestErrorsNamePositionAndNearestName(t *testing.T) {
	tenv := newTableEnv(1)
	mustExec(t, tenv, "CREATE TABLE clicks (user_name STRING, url STRING, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '3')")
	cases := []struct {
		sql  string
		kind error
		want string
	}{
		{"SELECT url FROM clicsk", planner.ErrValidation, "line 1, column 17: Object 'clicsk' not found, did you mean 'clicks'?"},
		{"SELECT url,\n  user_nme FROM clicks", planner.ErrValidation, "line 2, column 3: Column 'user_nme' not found in any table, did you mean 'user_name'?"},
		{"SELECT user_name, COUNT(*) FROM clicks GROUP BY url", planner.ErrValidation, "line 1, column 8: Expression 'user_name' is not being grouped"},
		{"SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))", planner.ErrValidation, "The window function requires the timecol is a time attribute type, but is TIMESTAMP(3)"},
		{"SELECT url + 1 FROM clicks", planner.ErrValidation, "line 1, column 12: Cannot apply '+' to arguments of type 'STRING' and 'INT NOT NULL'"},
		{"SELECT UPPR(url) FROM clicks", planner.ErrValidation, "line 1, column 8: No match found for function signature UPPR(...), did you mean 'UPPER'?"},
		{"CREATE TABLE x (a INT) WITH ('connector' = 'datagne')", planner.ErrValidation, "Could not find any factory for identifier 'datagne', did you mean 'datagen'?"},
		{"CREATE TABLE x (a INT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '1')", planner.ErrValidation, "Unsupported options found for 'datagen': rows-per-secnd, did you mean 'rows-per-second'?"},
		{"CREATE TABLE x (a INT, WATERMARK FOR b AS b) WITH ('connector' = 'datagen')", planner.ErrValidation, "line 1, column 24: the rowtime attribute field 'b' is not defined in the table schema"},
		{"SELECT url FROM clicks ORDER BY url", planner.ErrUnsupported, "line 1, column 33: Sort on a non-time-attribute field is not supported"},
		{"DESCRIBE clickz", planner.ErrValidation, "did you mean 'clicks'?"},
		{"SET 'parallelism.default' = 'many'", planner.ErrValidation, "line 1, column 5"},
	}
	for _, tc := range cases {
		_, err := tenv.ExecuteSQL(tc.sql)
		if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %v containing %q", tc.sql, err, tc.kind, tc.want)
		}
	}
	_, err := tenv.ExecuteSQL("SELEC 1")
	var pe *sqlparse.Error
	if !errors.As(err, &pe) || pe.Pos != (sqlparse.Pos{Line: 1, Column: 1}) {
		t.Errorf("syntax error: %v", err)
	}
	// A runtime error fails the job (Flink: an ArithmeticException in generated code).
	r, err := tenv.ExecuteSQL("SELECT 10 / (a - 2) FROM (VALUES (1), (2)) AS t(a)")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Await(); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("division by zero: %v", err)
	}
	// So does one in a Calc below an aggregation, whose error sink the Calc has to itself.
	r, err = tenv.ExecuteSQL("SELECT q, COUNT(*) FROM (SELECT 10 / (a - 2) AS q FROM (VALUES (1), (2), (3)) AS t(a)) GROUP BY q")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Await(); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("division by zero below a GROUP BY: %v", err)
	}
}

// An error row of an operator that is not a Calc (here a window aggregation's argument) fails a job of one
// INSERT statement too: the filesystem sink checked its input through an operator whose error sink the job
// did not run, and the row was dropped while the job succeeded.
func TestErrorRowsIntoASinkFailTheJob(t *testing.T) {
	for _, par := range []int{1, 4} {
		tenv := newTableEnv(par)
		sessionTable(t, tenv)
		dir := t.TempDir()
		mustExec(t, tenv, "CREATE TABLE files (w TIMESTAMP(3), s INT) WITH ('connector' = 'filesystem', 'path' = '"+dir+"/out.csv', 'format' = 'csv')")
		r, err := tenv.ExecuteSQL("INSERT INTO files SELECT window_start, SUM(100 / (`int` - 4)) FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '0.01' SECOND)) GROUP BY window_start, window_end")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err == nil || !strings.Contains(err.Error(), "division by zero") {
			t.Errorf("parallelism %d: a window aggregation's division by zero into a filesystem sink: %v", par, err)
		}
	}
}

func TestCatalogStatements(t *testing.T) {
	tenv := newTableEnv(1)
	mustExec(t, tenv, `CREATE TABLE Orders (
  order_id BIGINT,
  price DECIMAL(10, 2),
  buyer STRING,
  order_time TIMESTAMP(3),
  total AS price * 2,
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`)
	mustExec(t, tenv, "CREATE VIEW expensive AS SELECT order_id, price FROM Orders WHERE price > 10")
	r := mustExec(t, tenv, "SHOW TABLES")
	equalLines(t, "SHOW TABLES", r.Strings(), []string{"+I[Orders]", "+I[expensive]"})
	r = mustExec(t, tenv, "SHOW VIEWS")
	equalLines(t, "SHOW VIEWS", r.Strings(), []string{"+I[expensive]"})
	r = mustExec(t, tenv, "DESCRIBE Orders")
	// Flink's DESCRIBE: name, type, null, key, extras, watermark.
	want := `+------------+------------------------+-------+---------------+------------------+--------------------------------------+
|       name |                   type |  null |           key |           extras |                            watermark |
+------------+------------------------+-------+---------------+------------------+--------------------------------------+
|   order_id |                 BIGINT | FALSE | PRI(order_id) |           <NULL> |                               <NULL> |
|      price |         DECIMAL(10, 2) |  TRUE |        <NULL> |           <NULL> |                               <NULL> |
|      buyer |                 STRING |  TRUE |        <NULL> |           <NULL> |                               <NULL> |
| order_time | TIMESTAMP(3) *ROWTIME* |  TRUE |        <NULL> |           <NULL> | (` + "`order_time`" + ` - INTERVAL '5' SECOND) |
|      total |         DECIMAL(38, 2) |  TRUE |        <NULL> | AS (` + "`price`" + ` * 2) |                               <NULL> |
+------------+------------------------+-------+---------------+------------------+--------------------------------------+
5 rows in set
`
	if got := r.String(); got != want {
		t.Errorf("DESCRIBE:\n%s\nwant:\n%s", got, want)
	}
	r = mustExec(t, tenv, "EXPLAIN SELECT buyer, COUNT(*) FROM Orders GROUP BY buyer")
	plan := r.Changes()[0].Fields[0].(string)
	for _, w := range []string{
		"GroupAggregate(groupBy=[buyer], select=[COUNT(*)]), changelogMode=[I,UB,UA,D]",
		"TableSourceScan(table=[[default_catalog, default_database, Orders]], fields=[order_id, price, buyer, order_time]) -> WatermarkAssigner(rowtime=[order_time], watermark=[(`order_time` - INTERVAL '5' SECOND)]), changelogMode=[I]",
		"== Physical Execution Plan (Weir job graph) ==",
	} {
		if !strings.Contains(plan, w) {
			t.Errorf("EXPLAIN lacks %q:\n%s", w, plan)
		}
	}
	mustExec(t, tenv, "SET 'parallelism.default' = '3'")
	r = mustExec(t, tenv, "SET")
	equalLines(t, "SET", r.Strings(), []string{"+I[parallelism.default, 3]"})
	r = mustExec(t, tenv, "EXPLAIN SELECT * FROM Orders")
	if plan := r.Changes()[0].Fields[0].(string); !strings.Contains(plan, "[1] Source: Orders -> Computed columns -> Timestamps/Watermarks (parallelism 3)") ||
		!strings.Contains(plan, "Collect (parallelism 1)") {
		t.Errorf("job graph after SET 'parallelism.default' = '3':\n%s", plan)
	}
	mustExec(t, tenv, "DROP VIEW expensive")
	mustExec(t, tenv, "DROP TABLE IF EXISTS nothing")
	if _, err := tenv.ExecuteSQL("DROP TABLE expensive"); err == nil {
		t.Error("DROP TABLE of a dropped view succeeded")
	}
	r = mustExec(t, tenv, "SELECT COUNT(*) FROM Orders")
	if rows := r.Rows(); len(rows) != 1 || rows[0][0] != int64(10) {
		t.Errorf("datagen number-of-rows 10: %v", r.Strings())
	}
}

func TestSinks(t *testing.T) {
	for _, p := range []int{1, 4} {
		var out bytes.Buffer
		tenv := NewEnvironment(newEngineEnv(p, &out))
		mustExec(t, tenv, "CREATE TABLE seq (id BIGINT, word STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '6', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6', 'fields.word.length' = '1')")
		mustExec(t, tenv, "CREATE TABLE printed (parity BIGINT, cnt BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'counts')")
		mustExec(t, tenv, "INSERT INTO printed SELECT MOD(id, 2), COUNT(*) FROM seq GROUP BY MOD(id, 2)")
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var final []string
		for _, l := range lines {
			_, row, _ := strings.Cut(l, "> ")
			if strings.HasPrefix(row, "+U[") && strings.HasSuffix(row, ", 3]") {
				final = append(final, row)
			}
		}
		equalLines(t, "print sink", sorted(final), []string{"+U[0, 3]", "+U[1, 3]"})
		if len(lines) != 10 || !strings.HasPrefix(lines[0], "counts") {
			t.Errorf("print sink output (2 +I, then 4 times -U/+U):\n%s", out.String())
		}
		mustExec(t, tenv, "CREATE TABLE nowhere (id BIGINT) WITH ('connector' = 'blackhole')")
		mustExec(t, tenv, "INSERT INTO nowhere SELECT id FROM seq")
		dir := t.TempDir()
		mustExec(t, tenv, "CREATE TABLE files (id BIGINT, doubled BIGINT) WITH ('connector' = 'filesystem', 'path' = '"+dir+"/out.csv', 'format' = 'csv')")
		if _, err := tenv.ExecuteSQL("INSERT INTO files SELECT MOD(id, 2), COUNT(*) FROM seq GROUP BY MOD(id, 2)"); err == nil || !strings.Contains(err.Error(), "doesn't support consuming update changes") {
			t.Errorf("an updating query into the filesystem sink: %v", err)
		}
		tenv2 := NewEnvironment(newEngineEnv(1, &out))
		mustExec(t, tenv2, "CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '4')")
		mustExec(t, tenv2, "CREATE TABLE files (id BIGINT, doubled BIGINT) WITH ('connector' = 'filesystem', 'path' = '"+dir+"/out.csv', 'format' = 'csv')")
		mustExec(t, tenv2, "INSERT INTO files SELECT id, id * 2 FROM seq")
		r := mustExec(t, tenv2, "SELECT doubled FROM files WHERE id > 2")
		equalLines(t, "filesystem round trip", sorted(r.Strings()), []string{"+I[6]", "+I[8]"})
	}
}
