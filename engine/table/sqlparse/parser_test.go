package sqlparse

import (
	"strings"
	"testing"
)

// The statements below are Flink's own: the DDL and window TVF queries of flink-table-planner's
// WindowAggregateITCase, and the examples of Flink's SQL documentation (CREATE TABLE, window TVFs).
var flinkStatements = []string{
	"CREATE TABLE T1 (\n `ts` STRING,\n `int` INT,\n `double` DOUBLE,\n `float` FLOAT,\n `bigdec` DECIMAL(10, 2),\n" +
		" `string` STRING,\n `name` STRING,\n `rowtime` AS TO_TIMESTAMP(`ts`),\n" +
		" WATERMARK for `rowtime` AS `rowtime` - INTERVAL '1' SECOND\n) WITH (\n 'connector' = 'values',\n 'failing-source' = 'true'\n)",
	"SELECT `name`, window_start, window_end, COUNT(*), SUM(`bigdec`), MAX(`double`), MIN(`float`), COUNT(DISTINCT `string`)\n" +
		"FROM TABLE(\n   TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))\nGROUP BY `name`, window_start, window_end",
	"SELECT * FROM TABLE(HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND))",
	"SELECT * FROM TABLE(CUMULATE(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), STEP => INTERVAL '2' MINUTES, SIZE => INTERVAL '10' MINUTES))",
	"SELECT * FROM TABLE(SESSION(TABLE Bid PARTITION BY item, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))",
	"CREATE TABLE Orders (\n    `user` BIGINT,\n    product STRING,\n    order_time TIMESTAMP(3),\n    PRIMARY KEY (`user`) NOT ENFORCED,\n" +
		"    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND\n) WITH ('connector' = 'datagen')",
	"CREATE TEMPORARY VIEW v AS SELECT a, b FROM t WHERE a > 1 UNION ALL SELECT a, b FROM u",
	"SET 'parallelism.default' = '4'",
	"EXPLAIN SELECT CASE WHEN a BETWEEN 1 AND 2 THEN 'x' ELSE CAST(a AS STRING) END FROM t",
	"INSERT INTO sink SELECT word, COUNT(*) AS cnt FROM words GROUP BY word HAVING COUNT(*) > 1",
	"SELECT x FROM (VALUES (1, 'a'), (2, 'b')) AS t(x, y) WHERE y NOT IN ('c', 'd') AND y LIKE 'a%' OR y IS NOT NULL",
	"DESCRIBE Orders; SHOW TABLES; DROP TEMPORARY VIEW IF EXISTS v",
	// Flink's documentation, "Over Aggregation".
	"SELECT order_id, order_time, amount,\n  SUM(amount) OVER (\n    PARTITION BY product\n    ORDER BY order_time\n" +
		"    RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW\n  ) AS one_hour_prod_amount_sum\nFROM Orders",
	"SELECT order_id, order_time, amount,\n  SUM(amount) OVER w AS sum_amount,\n  AVG(amount) OVER w AS avg_amount\nFROM Orders\n" +
		"WINDOW w AS (\n  PARTITION BY product\n  ORDER BY order_time\n  ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)",
}

func TestParseFlinkStatements(t *testing.T) {
	for _, s := range flinkStatements {
		if _, err := ParseScript(s); err != nil {
			t.Errorf("%v\n%s", err, s)
		}
	}
}

func TestParseTree(t *testing.T) {
	st, err := Parse("SELECT a + 2 * b AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))")
	if err != nil {
		t.Fatal(err)
	}
	sel := st.(*QueryStatement).Query.(*Select)
	add := sel.Items[0].Expr.(*Binary)
	if add.Op != "+" || add.R.(*Binary).Op != "*" || sel.Items[0].Alias != "c" {
		t.Fatalf("precedence: %#v", add)
	}
	if add.Pos != (Pos{1, 10}) {
		t.Errorf("position of +: %v", add.Pos)
	}
	tvf := sel.From.(*WindowTVF)
	if tvf.Func != "TUMBLE" || tvf.Args[0].Table.String() != "t" || tvf.Args[1].Descriptor[0] != "ts" {
		t.Fatalf("tvf: %#v", tvf)
	}
	iv := tvf.Args[2].Expr.(*Interval)
	if iv.Value != "5" || iv.Unit != "SECOND" || iv.Pos != (Pos{1, 66}) {
		t.Fatalf("interval: %#v", iv)
	}
	ct, err := Parse("CREATE TABLE t (\n  a INT NOT NULL,\n  ts TIMESTAMP(3),\n  b AS a * 2,\n  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n) WITH ('connector'='datagen', 'rows-per-second' = '5')")
	if err != nil {
		t.Fatal(err)
	}
	c := ct.(*CreateTable)
	if len(c.Columns) != 3 || !c.Columns[0].Type.NotNull || c.Columns[1].Type.Params[0] != 3 || c.Columns[2].Expr == nil {
		t.Fatalf("columns: %#v", c.Columns)
	}
	if c.Watermark.Column != "ts" || c.Watermark.Pos != (Pos{5, 3}) || len(c.Options) != 2 || c.Options[1].Value != "5" {
		t.Fatalf("watermark/options: %#v %#v", c.Watermark, c.Options)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT a FROM", "line 1, column 14: encountered <EOF>: expected an identifier"},
		{"SELECT a,\n  FROM t", "line 2, column 3: encountered \"FROM\": expected an expression"},
		{"SELECT 'abc", "line 1, column 8: unterminated string literal"},
		{"CREATE TABLE t (a INT, PRIMARY KEY (a))", "line 1, column 39: encountered \")\": Flink supports only PRIMARY KEY ... NOT ENFORCED"},
		{"SELECT INTERVAL '5' FORTNIGHT", "line 1, column 21"},
		{"CREATE TABLE t (a WIBBLE)", "line 1, column 19: encountered \"WIBBLE\": unknown data type"},
	} {
		_, err := ParseScript(tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.sql, err, tc.want)
		}
	}
}

// FuzzParse checks that no input makes the parser panic or loop: it returns a statement list or an error.
func FuzzParse(f *testing.F) {
	for _, s := range flinkStatements {
		f.Add(s)
	}
	f.Add("SELECT ((((((a))))))")
	f.Add("SELECT * FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime MEASURES FIRST(DOWN.tstamp) AS s AFTER MATCH SKIP TO LAST UP " +
		"PATTERN (DOWN{2,}? UP*? X{,3}) WITHIN INTERVAL '1' HOUR DEFINE DOWN AS price < LAST(DOWN.price, 1)) AS T LIMIT 2 OFFSET 1")
	f.Add("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN ((A | B C)+ PERMUTE(D, E) {- F -} (G)?) DEFINE A AS true)")
	f.Add("SELECT -'x' || `a``b` FROM t /* c */ -- d")
	f.Fuzz(func(t *testing.T, s string) {
		stmts, err := ParseScript(s)
		if err == nil && len(stmts) == 0 && strings.TrimSpace(s) != "" && !strings.ContainsAny(s, ";-/") {
			t.Fatalf("no statement and no error for %q", s)
		}
	})
}

func TestParseOverFrame(t *testing.T) {
	st, err := Parse("SELECT COUNT(a) OVER (PARTITION BY c ORDER BY ts ROWS 2 PRECEDING), SUM(a) OVER w FROM t " +
		"WINDOW w AS (ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
	if err != nil {
		t.Fatal(err)
	}
	sel := st.(*QueryStatement).Query.(*Select)
	f := sel.Items[0].Expr.(*Call).Over.Frame
	if !f.Rows || f.Lower.Kind != "PRECEDING" || f.Lower.Offset.(*Literal).Text != "2" || f.Upper.Kind != "CURRENT ROW" {
		t.Errorf("ROWS 2 PRECEDING: %+v", f)
	}
	if ref := sel.Items[1].Expr.(*Call).Over.Ref; ref != "w" || len(sel.Windows) != 1 || sel.Windows[0].Name != "w" {
		t.Errorf("named window: %q, %+v", ref, sel.Windows)
	}
	if w := sel.Windows[0].Over.Frame; w.Rows || w.Lower.Kind != "UNBOUNDED PRECEDING" {
		t.Errorf("RANGE UNBOUNDED PRECEDING: %+v", w)
	}
	if _, err := Parse("SELECT SUM(a) OVER (ORDER BY ts ROWS BETWEEN 2 AND CURRENT ROW) FROM t"); err == nil || !strings.Contains(err.Error(), "PRECEDING or FOLLOWING") {
		t.Errorf("a bound without PRECEDING: %v", err)
	}
}
