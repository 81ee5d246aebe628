package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// weir sql runs a script's statements in order: DDL reports success, an INSERT INTO waits for its job, a
// query prints its changelog in tableau mode, and an error names the file, line and column.
func TestSQLScript(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "counts.sql")
	os.WriteFile(script, []byte(`-- counts of a sequence by parity
CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '5');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '`+filepath.Join(dir, "out.json")+`', 'format' = 'json');
INSERT INTO out SELECT id FROM seq WHERE id > 3;
SELECT id FROM out;
`), 0o644)
	var out, errs bytes.Buffer
	if err := runSQL([]string{script}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	want := `[INFO] Execute statement succeeded.

[INFO] Execute statement succeeded.

[INFO] Job "insert-into_default_catalog.default_database.out" finished.

+----+----+
| op | id |
+----+----+
| +I |  4 |
| +I |  5 |
+----+----+
Received a total of 2 rows
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	os.WriteFile(script, []byte("SHOW TABLES;\nSELECT nope\n  FROM seq;\n"), 0o644)
	out.Reset()
	err := runSQL([]string{"--mode", "changelog", script}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "counts.sql: SQL validation failed at line 3, column 8: Object 'seq' not found") {
		t.Errorf("error: %v", err)
	}
	if !strings.Contains(out.String(), "table name") {
		t.Errorf("SHOW TABLES before the error:\n%s", out.String())
	}
}
