package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/notebook"
)

var updateSQLExport = flag.Bool("update-sql-export", false, "rewrite testdata/sqlexport/*.flink.sql from weir sql export")

// weir sql export writes a notebook's SQL cells as a Flink SQL client script: Weir's connector becomes a
// Kafka table ('upsert-kafka' with the primary key, since Flink's 'kafka' connector refuses one), Flink's
// connectors, comments and the other statements stay as written, and the header lists what was replaced.
// The golden file is checked by hand against Flink's Kafka and Upsert Kafka SQL connector pages (option
// names, no PRIMARY KEY on 'kafka', key.format and value.format on 'upsert-kafka').
func TestSQLExportGolden(t *testing.T) {
	var out, errs bytes.Buffer
	if err := runSQL([]string{"export", filepath.Join("testdata", "sqlexport", "nexmark.md")}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	requireGolden(t, out.String(), filepath.Join("testdata", "sqlexport", "nexmark.flink.sql"))
	// The script is Flink SQL Weir's parser reads, with no connector of Weir's left.
	stmts, err := sqlparse.ParseScript(out.String())
	if err != nil {
		t.Fatalf("the exported script does not parse: %v", err)
	}
	if len(stmts) != 7 {
		t.Errorf("%d statements, want the SET of tableau mode and the notebook's 6 (its SET of table mode commented out)", len(stmts))
	}
	if strings.Contains(strings.SplitN(out.String(), "\n-- cell", 2)[1], "weir-") {
		t.Error("a connector of Weir's is left in the statements")
	}
	// -o writes a file.
	path := filepath.Join(t.TempDir(), "out.sql")
	if err := runSQL([]string{"export", "-o", path, "--bootstrap-servers", "kafka:29092", filepath.Join("testdata", "sqlexport", "nexmark.md")}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "'properties.bootstrap.servers' = 'kafka:29092'") {
		t.Errorf("-o with --bootstrap-servers wrote\n%s", b)
	}
}

// requireGolden compares what weir sql export wrote with a golden file (rewritten with -update-sql-export).
func requireGolden(t *testing.T, got, golden string) {
	t.Helper()
	if *updateSQLExport {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("weir sql export wrote\n%s\nwant (%s)\n%s", got, golden, want)
	}
}

// The notebook the golden file is made from runs in Weir: its statements are Weir's SQL, not only Flink's.
func TestSQLExportNotebookRuns(t *testing.T) {
	var out, errs bytes.Buffer
	if err := runNotebook([]string{filepath.Join("testdata", "sqlexport", "nexmark.md")}, &out, &errs); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "| bucket | bids |") {
		t.Errorf("the query's result is missing:\n%s", out.String())
	}
}

// A SQL cell that does not parse stops the export with the cell, line and column.
func TestSQLExportNamesTheBadCell(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(path, []byte("# Bad\n\n<!-- weir:{\"id\":\"q\"} -->\n```sql\nSHOW TABLES;\nSELECT FROM;\n```\n"), 0o644)
	var out, errs bytes.Buffer
	err := runSQL([]string{"export", path}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "cell q: SQL parse failed at line 2, column 8") {
		t.Errorf("error %v, want cell q, line 2, column 8", err)
	}
}

// Lesson 19 registers its recording in SQL DDL, so its export is a whole Flink SQL client script: the
// clicks table on Kafka (bounded, since the recording is), and the lesson's queries as written. The script
// runs in Weir too, over an in-process Kafka cluster (franz-go's kfake) whose topic Weir fills as the header
// says (INSERT INTO a Kafka table SELECT * FROM the recording's table): the windowed count is the lesson's.
func TestSQLExportOfLesson19(t *testing.T) {
	lesson := filepath.Join("tutorials", "en", "19-sql-and-dynamic-tables.md")
	var out, errs bytes.Buffer
	if err := runSQL([]string{"export", lesson}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	requireGolden(t, out.String(), filepath.Join("testdata", "sqlexport", "lesson19.flink.sql"))
	if strings.Contains(out.String(), "Go cells are not exported") {
		t.Error("the lesson's Go cells register no table, but the header says they do")
	}

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "clicks"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	servers := strings.Join(cluster.ListenAddrs(), ",")
	out.Reset()
	if err := runSQL([]string{"export", "--bootstrap-servers", servers, lesson}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	script := out.String()
	tenv := table.NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: 2}))
	nb, err := notebook.Load(lesson)
	if err != nil {
		t.Fatal(err)
	}
	setup := "" // the lesson's own CREATE TABLE, on the weir-recording connector
	for _, c := range nb.Cells() {
		if c.Meta.ID == "setup" {
			setup = c.Text
		}
	}
	kafkaDDL := script[strings.Index(script, "CREATE TABLE clicks"):strings.Index(script, "DESCRIBE clicks;")]
	fill := strings.Replace(kafkaDDL, "CREATE TABLE clicks", "CREATE TABLE clicks_topic", 1) +
		"INSERT INTO clicks_topic SELECT * FROM clicks;"
	if _, err := tenv.ExecuteScript(setup + "\n" + fill); err != nil {
		t.Fatalf("filling the topic: %v", err)
	}
	run := table.NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: 2}))
	results, err := run.ExecuteScript(script)
	if err != nil {
		t.Fatalf("the exported script: %v", err)
	}
	var tumble []string
	for _, r := range results {
		if r.IsQuery() && len(r.Columns()) == 4 {
			tumble = r.Strings()
		}
	}
	sort.Strings(tumble)
	if len(tumble) != 12 || tumble[0] != "+I[/about, 1970-01-01 00:00:00.000, 1970-01-01 00:00:15.000, 1000]" {
		t.Errorf("the exported script's windowed count over Kafka: %v", tumble)
	}
}

// A table replaced by 'upsert-kafka' (it has a primary key) over a bounded recording is bounded too, as a
// 'kafka' table is: Flink's upsert-kafka connector takes 'scan.bounded.mode' since FLINK-31740, and without
// it lesson 20's temporal join would never end on Flink and hold up the rest of the script.
func TestSQLExportBoundsUpsertKafkaTables(t *testing.T) {
	var out, errs bytes.Buffer
	if err := runSQL([]string{"export", filepath.Join("tutorials", "en", "20-joins-in-sql.md")}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	script := out.String()
	i := strings.Index(script, "'connector' = 'upsert-kafka'")
	if i < 0 {
		t.Fatalf("no upsert-kafka table in\n%s", script)
	}
	with := script[i : i+strings.Index(script[i:], ")")]
	if !strings.Contains(with, "'scan.bounded.mode' = 'latest-offset'") {
		t.Errorf("the upsert-kafka table is unbounded:\n%s", with)
	}
	if _, err := sqlparse.ParseScript(script); err != nil {
		t.Errorf("the exported script does not parse: %v", err)
	}
}
