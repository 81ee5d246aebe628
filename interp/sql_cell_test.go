package interp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/notebook"
)

// sqlNotebook is a notebook mixing SQL and Go cells over one catalog.
const sqlNotebook = "# SQL\n\n" +
	"```sql\n" +
	"CREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',\n" +
	"  'fields.x.start' = '1', 'fields.x.end' = '5');\n" +
	"```\n\n" +
	"<!-- weir:{\"id\":\"counts\"} -->\n" +
	"```sql\n" +
	"SET 'sql-client.execution.result-mode' = 'changelog';\n" +
	"SELECT x % 2 AS k, COUNT(*) AS c FROM s GROUP BY x % 2;\n" +
	"```\n\n" +
	"```go\n" +
	"import \"weir/sqlcells\"\n" +
	"tenv := sqlcells.TableEnvironment()\n" +
	"if err := tenv.CreateTemporaryView(\"evens\", tenv.From(\"s\").Where(\"x % 2 = 0\")); err != nil { panic(err) }\n" +
	"```\n\n" +
	"<!-- weir:{\"id\":\"evens\",\"mode\":\"table\"} -->\n" +
	"```sql\n" +
	"SELECT x FROM evens;\n" +
	"```\n"

func runNotebook(t *testing.T, src string) (*Session, *Report, string) {
	t.Helper()
	nb, err := notebook.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(nb, Options{Config: engineConfig()})
	var out strings.Builder
	rep := s.RunAll(context.Background(), RunOptions{Out: &out, CellTimeout: time.Minute})
	return s, rep, out.String()
}

// SQL cells share one table environment: a table created by one cell is read by the next, a Go cell reaches
// the same catalog through weir/sqlcells, and a query's result is shown in the mode SET before it
// (changelog: Flink's GroupAggFunction emits -U/+U pairs, here at parallelism 2 with one collecting task) or
// the cell's mode (table).
func TestSQLCellsShareACatalogAndShowResultModes(t *testing.T) {
	_, rep, out := runNotebook(t, sqlNotebook)
	if cells, _ := rep.Failed(); cells != 0 {
		t.Fatalf("a cell failed:\n%s", out)
	}
	for _, want := range []string{
		"── In [1] cell-1",
		"[INFO] Execute statement succeeded.\n",
		"[line 2: SELECT x % 2 AS k, COUNT(*) AS c FROM s… · changelog]\n",
		"[line 1: SELECT x FROM evens · table]\n+---+\n| x |\n+---+\n| 2 |\n| 4 |\n+---+\n2 rows in set\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	// The changelog of each key, in order (the two keys' changes may interleave at parallelism 2).
	counts := rep.Cells[1].Results()[0]
	byKey := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(counts.Render("", "")), "\n")[1:] {
		f := strings.Fields(line)
		byKey[f[1]] = append(byKey[f[1]], f[0]+f[2])
	}
	if got, want := strings.Join(byKey["1"], " "), "+I1 -U1 +U2 -U2 +U3"; got != want {
		t.Errorf("changelog of k = 1: %s, want %s", got, want)
	}
	if got, want := strings.Join(byKey["0"], " "), "+I1 -U1 +U2"; got != want {
		t.Errorf("changelog of k = 0: %s, want %s", got, want)
	}
	// The same result in the other modes: the cell's mode wins over the one SET.
	if got := counts.Render(ModeTable, ""); !strings.Contains(got, "| 1 | 3 |") || !strings.Contains(got, "| 0 | 2 |") || !strings.HasSuffix(got, "2 rows in set\n") {
		t.Errorf("table mode:\n%s", got)
	}
	if got := counts.Render(ModeTableau, ""); !strings.Contains(got, "| op | k | c |") || !strings.HasSuffix(got, "Received a total of 8 rows\n") {
		t.Errorf("tableau mode:\n%s", got)
	}
	if counts.Mode("") != ModeChangelog || counts.Mode(ModeTable) != ModeTable || counts.Mode(ModeAppend) != ModeChangelog {
		t.Errorf("modes: %s %s %s", counts.Mode(""), counts.Mode(ModeTable), counts.Mode(ModeAppend))
	}
}

// A bad statement fails its cell with the cell's id and the line and column within it, names the nearest
// column, and leaves the kernel usable.
func TestSQLCellErrorsNameCellLineAndColumn(t *testing.T) {
	src := "```sql\nCREATE TABLE s (user_name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3');\n```\n" +
		"<!-- weir:{\"id\":\"bad\"} -->\n```sql\nSHOW TABLES;\nSELECT usr_name\n  FROM s;\n```\n"
	s, rep, out := runNotebook(t, src)
	var ce *CellError
	if len(rep.Cells) != 2 || !errors.As(rep.Cells[1].Err(), &ce) {
		t.Fatalf("want the second cell to fail:\n%s", out)
	}
	if ce.Cell != "bad" || ce.Line != 2 || ce.Col != 8 || ce.Kind != "sql" || !strings.Contains(ce.Msg, "user_name") {
		t.Errorf("error %+v, want cell bad, line 2:8, sql, naming user_name", ce)
	}
	if st := s.State("bad"); st.Status != Failed {
		t.Errorf("status %v, want failed", st.Status)
	}
	if len(rep.Cells[1].Results()) != 1 {
		t.Errorf("SHOW TABLES before the error should have its result; got %d results", len(rep.Cells[1].Results()))
	}
	ex := s.Kernel.Run(context.Background(), Cell{ID: "again", Source: "SELECT COUNT(*) AS n FROM s", Lang: notebook.LangSQL})
	if ex.Err() != nil || !strings.Contains(ex.Results()[0].Render("", ""), "| +U | 3 |") {
		t.Errorf("the kernel is not usable after the error: %v\n%s", ex.Err(), ex.Results()[0].Render("", ""))
	}
	ex = s.Kernel.Run(context.Background(), Cell{ID: "syntax", Source: "SELECT FROM;", Lang: notebook.LangSQL})
	if !errors.As(ex.Err(), &ce) || ce.Line != 1 || ce.Col != 8 || ce.Kind != "sql" || !strings.HasPrefix(ce.Msg, "SQL parse failed") {
		t.Errorf("syntax error %+v", ex.Err())
	}
}

// An unbounded query runs until the cell is interrupted (ctrl+c in the workbench); its job is canceled.
func TestSQLCellUnboundedQueryIsInterrupted(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	ex, err := k.Start(context.Background(), Cell{ID: "q", Lang: notebook.LangSQL,
		Source: "CREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');\nSELECT x FROM g;"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(ex.Results()) == 0 || ex.Results()[0].Len() == 0 { // wait for rows to arrive
		if time.Now().After(deadline) || !ex.Running() {
			t.Fatalf("no rows arrived (running %v, err %v)", ex.Running(), ex.Err())
		}
		time.Sleep(5 * time.Millisecond)
	}
	k.Interrupt()
	<-ex.Done()
	var ce *CellError
	if !errors.As(ex.Err(), &ce) || ce.Kind != "interrupted" || ce.Cell != "q" {
		t.Fatalf("err %v, want the cell interrupted", ex.Err())
	}
	if j := ex.Jobs(); len(j) != 1 || !j[0].Status().Terminal() {
		t.Errorf("jobs %v, want the query's job ended", j)
	}
	if k.Running() {
		t.Error("the kernel still runs a cell")
	}
}

// An INSERT INTO a 'print' table writes its rows into the cell, as Flink's print connector writes to the
// TaskManager's stdout (subtask prefix "N> "), and EXPLAIN prints its plan as text, as the SQL client does.
func TestSQLCellPrintSinkAndExplain(t *testing.T) {
	src := "```sql\nCREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '3');\n" +
		"CREATE TABLE p (x BIGINT) WITH ('connector' = 'print');\nINSERT INTO p SELECT x FROM s WHERE x > 1;\nEXPLAIN SELECT x FROM s;\n```\n"
	_, rep, out := runNotebook(t, src)
	if cells, _ := rep.Failed(); cells != 0 {
		t.Fatalf("the cell failed:\n%s", out)
	}
	ex := rep.Cells[0]
	for _, want := range []string{"Job ID: insert-into_default_catalog.default_database.p\n", "> +I[2]\n", "> +I[3]\n", "[INFO] Complete execution of the SQL update statement.\n== Optimized Physical Plan ==\n"} {
		if !strings.Contains(ex.Output(), want) {
			t.Errorf("the output lacks %q:\n%s", want, ex.Output())
		}
	}
	if strings.Contains(ex.Output(), "+I[1]") || len(ex.Results()) != 0 {
		t.Errorf("output %q with %d results, want rows 2 and 3 and the plan as text", ex.Output(), len(ex.Results()))
	}
}

// A Go cell makes a table of a DataStream on sqlcells.StreamEnvironment and names it; SQL cells query it,
// each query a job of its own that does not run the earlier query again.
func TestSQLCellsQueryADataStreamOfAGoCell(t *testing.T) {
	src := "```go\nimport \"weir/sqlcells\"\nimport \"github.com/de4e/weir/engine/table\"\ntype Click struct { User string; N int64 }\n" +
		"env := sqlcells.StreamEnvironment()\n" +
		"s := env.FromSource(engine.SliceSource{{Value: Click{\"a\", 1}, Timestamp: 1}, {Value: Click{\"b\", 2}, Timestamp: 2}, {Value: Click{\"a\", 3}, Timestamp: 3}}, nil, \"clicks\")\n" +
		"tenv := sqlcells.TableEnvironment()\n" +
		"t, err := tenv.FromDataStream(s, table.Schema{Columns: []table.SchemaColumn{{Name: \"user_name\", Type: \"STRING\", Field: \"User\"}, {Name: \"n\", Type: \"BIGINT\", Field: \"N\"}}})\n" +
		"if err != nil { panic(err) }\nif err := tenv.CreateTemporaryView(\"clicks\", t); err != nil { panic(err) }\n```\n" +
		"```sql\nSELECT user_name, SUM(n) AS total FROM clicks GROUP BY user_name;\n```\n" +
		"```sql\nSELECT user_name FROM clicks WHERE n > 1;\n```\n"
	_, rep, out := runNotebook(t, src)
	if cells, _ := rep.Failed(); cells != 0 || len(rep.Cells) != 3 {
		t.Fatalf("a cell failed:\n%s", out)
	}
	sums := rep.Cells[1].Results()[0]
	if got := sums.Render(ModeTable, ""); !strings.Contains(got, "a |     4 |") || !strings.Contains(got, "b |     2 |") || sums.Len() != 4 {
		t.Errorf("the sums after the next query ran (%d changes, want 4):\n%s", sums.Len(), got)
	}
	if got := rep.Cells[2].Results()[0].Render(ModeTable, ""); !strings.Contains(got, "2 rows in set") {
		t.Errorf("the filter:\n%s", got)
	}
}

// A check cell reads a SQL cell's result through sqlcells.Result, as a lesson's checks read a Go cell's.
func TestCheckCellReadsASQLResult(t *testing.T) {
	src := "<!-- weir:{\"id\":\"n\"} -->\n```sql\nCREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '5');\n" +
		"SELECT COUNT(*) AS n FROM s;\n```\n" +
		"<!-- weir:{\"check\":\"count\"} -->\n```go\nimport \"weir/sqlcells\"\n" +
		"check.Equal(\"five rows\", sqlcells.Result(\"n\").Rows(), [][]any{{5}})\n" +
		"check.True(\"no result of an unknown cell\", sqlcells.Result(\"nope\") == nil, \"\")\n```\n"
	nb, err := notebook.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(nb, Options{Config: engineConfig()})
	var out strings.Builder
	rep := s.RunAll(context.Background(), RunOptions{Checks: true, Out: &out})
	if cells, checks := rep.Failed(); cells != 0 || checks != 0 || len(rep.Checks) != 2 {
		t.Fatalf("cells failed %d, checks failed %d of %d:\n%s%v", cells, checks, len(rep.Checks), out.String(), rep.Checks)
	}
}

// The workbench's delivery guarantee switched after the SQL cells' table environment was made applies to
// the next statement's job, and a SET of 'execution.checkpointing.mode' in a cell wins over it, as Flink's
// SQL client applies a SET to the next job. Before, the table environment kept the guarantee of the moment
// it was made.
func TestSQLCellsTakeTheWorkbenchGuaranteeOfTheMoment(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	mustRun := func(id, src string) *Execution {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ex := k.Run(ctx, Cell{ID: id, Lang: notebook.LangSQL, Source: src})
		if err := ex.Err(); err != nil {
			t.Fatalf("cell %s: %v", id, err)
		}
		return ex
	}
	guarantee := func(ex *Execution) engine.Guarantee {
		t.Helper()
		jobs := ex.Jobs()
		if len(jobs) != 1 {
			t.Fatalf("cell %s started %d jobs, want 1", ex.Cell.ID, len(jobs))
		}
		return jobs[0].Config().Checkpointing.Guarantee
	}
	mustRun("ddl", "CREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');")
	if g := guarantee(mustRun("first", "SELECT x FROM s;")); g != engine.ExactlyOnce {
		t.Errorf("before the switch: %v, want exactly-once", g)
	}
	cfg := k.Config()
	cfg.Checkpointing.Guarantee = engine.AtLeastOnce // what pressing g once does in the workbench
	k.SetConfig(cfg)
	if g := guarantee(mustRun("after-switch", "SELECT x FROM s;")); g != engine.AtLeastOnce {
		t.Errorf("after the switch: %v, want at-least-once", g)
	}
	if g := guarantee(mustRun("set", "SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';\nSELECT x FROM s;")); g != engine.ExactlyOnce {
		t.Errorf("after SET: %v, want exactly-once", g)
	}
}

// The Table API's joins and expression builders work from a Go cell (yaegi): a join on Col(...).IsEqual
// (Col(...)), a filter and a projection built from Expressions beside one written in SQL.
func TestTableAPIExpressionsInAGoCell(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sql := k.Run(ctx, Cell{ID: "views", Lang: notebook.LangSQL, Source: "CREATE VIEW orders AS SELECT * FROM (VALUES (1, 'apple', 3), (2, 'pear', 1), (3, 'apple', 5)) AS o(oid, product, amount);\n" +
		"CREATE VIEW prices AS SELECT * FROM (VALUES ('apple', 2), ('pear', 7)) AS p(name, price);"})
	if err := sql.Err(); err != nil {
		t.Fatal(err)
	}
	ex := mustRun(t, k, "join", `import (
	"github.com/de4e/weir/engine/table"
	"weir/sqlcells"
)

tenv := sqlcells.TableEnvironment()
orders, prices := tenv.From("orders"), tenv.From("prices")
joined := orders.Join(prices, table.Col("product").IsEqual(table.Col("name"))).
	Where(table.Col("amount").IsGreater(1)).
	Select(table.Col("oid"), table.Col("amount").Times(table.Col("price")).As("total"), "UPPER(product) AS p")
res, err := joined.Execute()
if err != nil {
	panic(err)
}
if err := res.Await(); err != nil {
	panic(err)
}
rows := res.Strings()
sort.Strings(rows)
fmt.Println(rows)`)
	if got, want := ex.Output(), "[+I[1, 6, APPLE] +I[3, 10, APPLE]]\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// A Go cell calls the Table API's WindowSession on a SQL cell's table with a watermark: each user's clicks
// form sessions that end after 30 seconds without a click; a time column misspelled is an error naming the
// nearest column.
func TestTableAPIWindowSessionInAGoCell(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clicks.json")
	lines := `{"user_name":"Mary","ts":"2020-10-10 12:00:00"}
{"user_name":"Bob","ts":"2020-10-10 12:00:05"}
{"user_name":"Mary","ts":"2020-10-10 12:00:20"}
{"user_name":"Bob","ts":"2020-10-10 12:00:50"}
{"user_name":"Mary","ts":"2020-10-10 12:00:55"}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	k := New(Options{Config: engineConfig()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sql := k.Run(ctx, Cell{ID: "clicks", Lang: notebook.LangSQL, Source: "CREATE TABLE clicks (user_name STRING, ts STRING, rowtime AS TO_TIMESTAMP(ts),\n" +
		"  WATERMARK FOR rowtime AS rowtime) WITH ('connector' = 'filesystem', 'path' = '" + path + "', 'format' = 'json');"})
	if err := sql.Err(); err != nil {
		t.Fatal(err)
	}
	ex := mustRun(t, k, "sessions", `import "weir/sqlcells"

tenv := sqlcells.TableEnvironment()
sessions := tenv.From("clicks").WindowSession("rowtime", "INTERVAL '30' SECOND").
	GroupBy("user_name", "window_start", "window_end").
	Select("user_name", "window_start", "window_end", "COUNT(*) AS clicks")
res, err := sessions.Execute()
if err != nil {
	panic(err)
}
if err := res.Await(); err != nil {
	panic(err)
}
rows := res.Strings()
sort.Strings(rows)
for _, r := range rows {
	fmt.Println(r)
}
fmt.Println(tenv.From("clicks").WindowSession("rowtim", "INTERVAL '30' SECOND").Err())`)
	want := "+I[Bob, 2020-10-10 12:00:05.000, 2020-10-10 12:00:35.000, 1]\n" +
		"+I[Bob, 2020-10-10 12:00:50.000, 2020-10-10 12:01:20.000, 1]\n" +
		"+I[Mary, 2020-10-10 12:00:00.000, 2020-10-10 12:00:50.000, 2]\n" +
		"+I[Mary, 2020-10-10 12:00:55.000, 2020-10-10 12:01:25.000, 1]\n"
	if got := ex.Output(); !strings.HasPrefix(got, want) || !strings.Contains(got, "Column 'rowtim' not found in any table, did you mean 'rowtime'?") {
		t.Errorf("output %q, want %q and the error of rowtim", got, want)
	}
}

// A SQL cell's recording table obeys the workbench's replay controls (Options.Replays) as a Go cell's
// replay of a bundled recording does: paused, its replay waits at the start and shows in Progress; resumed,
// the query ends with every click counted.
func TestSQLCellRecordingObeysReplayControls(t *testing.T) {
	src := "```sql\n" +
		"CREATE TABLE clicks (page STRING, ts TIMESTAMP(3)) WITH ('connector' = 'weir-recording', 'name' = 'clicks',\n" +
		"  'fields.page.field' = 'key', 'fields.ts.field' = 'time');\n" +
		"SELECT COUNT(*) AS n FROM clicks;\n" +
		"```\n"
	nb, err := notebook.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	replays := NewReplays(0)
	replays.SetPaused(true)
	s := NewSession(nb, Options{Config: engineConfig(), Replays: replays})
	var out strings.Builder
	done := make(chan *Report)
	go func() { done <- s.RunAll(context.Background(), RunOptions{Out: &out, CellTimeout: time.Minute}) }()
	for {
		if ps := replays.Progress(); len(ps) == 1 {
			if !ps[0].Paused || ps[0].Position != 0 {
				t.Errorf("the SQL table's replay is %+v, want paused at 0", ps[0])
			}
			break
		}
		select {
		case rep := <-done:
			t.Fatalf("the cell ended without a replay the controls steer (%d failed):\n%s", len(rep.Cells), out.String())
		case <-time.After(time.Millisecond):
		}
	}
	replays.SetPaused(false)
	rep := <-done
	if cells, _ := rep.Failed(); cells != 0 {
		t.Fatalf("a cell failed:\n%s", out.String())
	}
	if ps := replays.Progress(); ps[0].Position != ps[0].Total || ps[0].Total == 0 {
		t.Errorf("after resuming the replay is at %d of %d", ps[0].Position, ps[0].Total)
	}
	if !strings.Contains(out.String(), "12000") {
		t.Errorf("the count of the clicks is missing:\n%s", out.String())
	}
}

// Total counts a SQL result's rows in the mode it is shown in (the current table's rows in table mode, the
// changes in the others), and a result drawn for the workbench (Draw, as a kernel sends it) counts and
// renders the same.
func TestSQLResultTotalsPerModeSurviveDrawing(t *testing.T) {
	_, rep, out := runNotebook(t, "# T\n```sql\n"+
		"CREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',\n"+
		"  'fields.x.start' = '1', 'fields.x.end' = '30');\n"+
		"SELECT x % 3 AS k, COUNT(*) AS c FROM s GROUP BY x % 3;\n```\n")
	if cells, _ := rep.Failed(); cells != 0 {
		t.Fatalf("the cell failed:\n%s", out)
	}
	res := rep.Cells[0].Results()
	r := res[len(res)-1]
	drawn := &Result{Name: r.Name, Drawn: r.Draw("")}
	// Three keys: +I for each, then -U and +U for each of the other 27 rows.
	for _, tc := range []struct {
		mode string
		want int
	}{{ModeTable, 3}, {ModeChangelog, 57}, {ModeTableau, 57}, {"", 57}} {
		if got, gotDrawn := r.Total(tc.mode), drawn.Total(tc.mode); got != tc.want || gotDrawn != tc.want {
			t.Errorf("Total(%q) = %d, drawn %d; want %d", tc.mode, got, gotDrawn, tc.want)
		}
		for _, n := range []int{SQLCellRows, MaxRows} {
			if got, gotDrawn := r.RenderLast(tc.mode, "", n), drawn.RenderLast(tc.mode, "", n); got != gotDrawn {
				t.Errorf("RenderLast(%q, %d) drawn differs:\n%s\nwant\n%s", tc.mode, n, gotDrawn, got)
			}
		}
	}
}
