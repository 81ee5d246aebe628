package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// A SQL cell in the workbench: s makes a new cell SQL, it runs in the session's table environment (a table
// one cell creates is read by the next), its result is drawn in the SQL client's modes and m switches them,
// and the notebook saves it as a ```sql fence that reopens as SQL.
func TestSQLCellRunsAndSwitchesResultModes(t *testing.T) {
	m := newTestModel(t, 120, 60, i18n.EN)
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# SQL\n```sql\nCREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',\n"+
		"  'fields.x.start' = '1', 'fields.x.end' = '5');\n```\n"), 0o644)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "[INFO] Execute statement succeeded.") {
		t.Fatalf("the CREATE TABLE cell:\n%s", s)
	}
	press(m, "b", "s") // a new cell below, made SQL
	if c := m.nb.selected(); !c.IsSQL() || !strings.Contains(m.status, "sql") {
		t.Fatalf("s did not make the cell SQL: %q, status %q", c.Lang, m.status)
	}
	m.nb.selected().Text = "SELECT x % 2 AS k, COUNT(*) AS c FROM s GROUP BY x % 2;\n"
	press(m, "ctrl+r")
	waitIdle(t, m)
	s := screenText(m)
	if !strings.Contains(s, "· tableau · 8]") || !strings.Contains(s, "| op | k | c |") || !strings.Contains(s, "Received a total of 8 rows") {
		t.Fatalf("the query in tableau mode (the default):\n%s", s)
	}
	press(m, "m")
	if s := screenText(m); m.nb.selected().Meta.Mode != interp.ModeTable || !strings.Contains(s, "| k | c |") || !strings.Contains(s, "2 rows in set") {
		t.Errorf("m: table mode:\n%s", s)
	}
	press(m, "m")
	if s := screenText(m); m.nb.selected().Meta.Mode != interp.ModeChangelog || !strings.Contains(s, "op k c") || !strings.Contains(s, "-U") {
		t.Errorf("m: changelog mode:\n%s", s)
	}
	pressRun(m, "ctrl+s") // the write is a command
	nb, err := notebook.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cells := nb.Cells(); len(cells) != 2 || !cells[1].IsSQL() || cells[1].Meta.Mode != interp.ModeChangelog {
		t.Fatalf("the saved notebook does not reopen with the SQL cell:\n%s", nb.Render())
	}
	press(m, "s") // back to Go: the changelog mode exists in Go too and is kept
	if c := m.nb.selected(); c.IsSQL() || c.Meta.Mode != interp.ModeChangelog {
		t.Errorf("s back to Go: lang %q mode %q", c.Lang, c.Meta.Mode)
	}
}

// A bad SQL cell shows its error with cell, line and column, ctrl+c stops an unbounded query, and the
// workbench goes on.
func TestSQLCellErrorsAndInterrupt(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.EN)
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# Bad\n<!-- weir:{\"id\":\"bad\"} -->\n```sql\nSHOW TABLES;\nSELECT FROM;\n```\n"+
		"```sql\nCREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');\nSELECT x FROM g;\n```\n"+
		"```sql\nSHOW TABLES;\n```\n"), 0o644)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "cell bad, line 2:8: sql: SQL parse failed") {
		t.Errorf("the syntax error is not shown with its place:\n%s", s)
	}
	press(m, "down", "ctrl+r")
	id := m.nb.selected().Meta.ID
	waitFor(t, m, func() bool {
		ex := m.nb.session.State(id).Exec
		return ex != nil && len(ex.Results()) > 0 && ex.Results()[0].Len() > 0
	})
	press(m, "ctrl+c")
	waitIdle(t, m)
	if st := m.nb.session.State(id); st.Status != interp.Interrupted {
		t.Errorf("ctrl+c left the query %v", st.Status)
	}
	if s := screenText(m); !strings.Contains(s, "interrupted") {
		t.Errorf("the interrupt is not shown:\n%s", s)
	}
	press(m, "down", "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "| table name |") || !strings.Contains(s, " g |") {
		t.Errorf("the kernel did not go on after the interrupt:\n%s", s)
	}
}
