package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

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

// A long SQL result: its cell shows the newest interp.SQLCellRows rows and says how many there are; o (the
// expanded output) shows every row in each of the SQL client's modes, and O opens them in a pager that
// scrolls from the first to the last. A result longer than interp.MaxRows says which of its rows are shown.
func TestLongSQLResultsExpandAndPage(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		t.Run(lang.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nb.md")
			os.WriteFile(path, []byte("# SQL\n```sql\nSET 'parallelism.default' = '1';\nCREATE TABLE s (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',\n"+
				"  'fields.x.start' = '1', 'fields.x.end' = '50');\nSELECT x FROM s;\n```\n"+
				"```sql\nCREATE TABLE l (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',\n"+
				"  'fields.x.start' = '1', 'fields.x.end' = '250');\nSELECT x FROM l;\n```\n"), 0o644)
			m := newTestModel(t, 80, 24, lang)
			if err := m.open(path); err != nil {
				t.Fatal(err)
			}
			press(m, "ctrl+r")
			waitIdle(t, m)
			press(m, "down", "ctrl+r")
			waitIdle(t, m)
			press(m, "up")
			out := func(i int) string {
				c := m.nb.cells()[i]
				return ansi.Strip(strings.Join(m.nb.outputLines(c, m.nb.session.State(c.Meta.ID), m.lang), "\n"))
			}
			more := fmt.Sprintf(lang.T("sql.more"), 50)
			if s := out(0); strings.Contains(s, "|  1 |") || !strings.Contains(s, "| 41 |") || !strings.Contains(s, more) {
				t.Fatalf("the collapsed cell shows other than the newest rows and %q:\n%s", more, s)
			}
			press(m, "o")
			// Row 1 and row 50 of the result in tableau, table and changelog mode (m cycles them).
			for _, rows := range [][2]string{{"| +I |  1 |", "| +I | 50 |"}, {"|  1 |", "| 50 |"}, {"+I  1", "+I 50"}} {
				s := out(0)
				if !strings.Contains(s, rows[0]) || !strings.Contains(s, rows[1]) || strings.Contains(s, more) {
					t.Fatalf("o in %s mode does not show rows 1 and 50:\n%s", m.nb.selected().Meta.Mode, s)
				}
				press(m, "m")
			}
			press(m, "O")
			if s := screenText(m); !strings.Contains(s, "| +I |  1 |") || strings.Contains(s, "| +I | 50 |") {
				t.Fatalf("the pager's top:\n%s", s)
			}
			press(m, "G")
			if s := screenText(m); strings.Contains(s, "| +I |  1 |") || !strings.Contains(s, "| +I | 50 |") {
				t.Fatalf("the pager's end:\n%s", s)
			}
			checkFits(t, m, 80, 24)
			press(m, "esc", "down", "o")
			newest := fmt.Sprintf(lang.T("sql.newestchanges"), interp.MaxRows, 250)
			if s := out(1); !strings.Contains(s, newest) || !strings.Contains(s, "|  51 |") || strings.Contains(s, "|  50 |") || !strings.Contains(s, "| 250 |") {
				t.Fatalf("a result of 250 changes expanded does not say it shows the newest %d:\n%s", interp.MaxRows, s)
			}
			press(m, "m") // table mode: the first rows
			first := fmt.Sprintf(lang.T("sql.firstrows"), interp.MaxRows, 250)
			if s := out(1); !strings.Contains(s, first) || !strings.Contains(s, "|   1 |") || !strings.Contains(s, "| 200 |") || strings.Contains(s, "| 201 |") {
				t.Fatalf("a table of 250 rows expanded does not say it shows the first %d:\n%s", interp.MaxRows, s)
			}
		})
	}
}
