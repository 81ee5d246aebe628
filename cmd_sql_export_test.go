package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/table/sqlparse"
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
	golden := filepath.Join("testdata", "sqlexport", "nexmark.flink.sql")
	if *updateSQLExport {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("weir sql export wrote\n%s\nwant (%s)\n%s", out.String(), golden, want)
	}
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
