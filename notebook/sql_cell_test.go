package notebook

import (
	"path/filepath"
	"strings"
	"testing"
)

// A ```sql fence is a cell of Flink SQL: it is read with its language and annotation, rendered back byte for
// byte, and a ```sqlite or ```sql-like fence stays prose.
func TestSQLCellsParseAndRenderUnchanged(t *testing.T) {
	src := "# T\n\n```go\nx := 1\n```\n\n<!-- weir:{\"id\":\"q\",\"mode\":\"changelog\"} -->\n```sql\nSELECT 1;\n```\n\n" +
		"````sql title\nSHOW TABLES;\n````\n\n```sqlite\nnot a cell\n```\n"
	nb, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cells := nb.Cells()
	if len(cells) != 3 {
		t.Fatalf("%d cells, want 3 (go, sql, sql)", len(cells))
	}
	for i, want := range []string{LangGo, LangSQL, LangSQL} {
		if cells[i].Lang != want {
			t.Errorf("cell %d has language %q, want %q", i+1, cells[i].Lang, want)
		}
	}
	if cells[0].IsSQL() || !cells[1].IsSQL() {
		t.Errorf("IsSQL: go cell %v, sql cell %v", cells[0].IsSQL(), cells[1].IsSQL())
	}
	if cells[1].Meta.ID != "q" || cells[1].Meta.Mode != "changelog" || cells[1].Text != "SELECT 1;\n" {
		t.Errorf("sql cell read as %+v %q", cells[1].Meta, cells[1].Text)
	}
	if got := string(nb.Render()); got != src {
		t.Errorf("render changed an unedited notebook:\n%s", got)
	}
}

// A new SQL cell and a cell whose language changed are written with their language's fence, and a saved
// notebook with SQL cells reopens with the same cells (save, reopen).
func TestSQLCellsSaveAndReopen(t *testing.T) {
	nb, err := Parse("t.md", []byte("# T\n```go\na\n```\n````go\nb\n````\n"))
	if err != nil {
		t.Fatal(err)
	}
	nb.Cells()[1].Lang = LangSQL // the learner switched the cell to SQL
	c := nb.NewCell()
	c.Lang, c.Text, c.Meta.Mode = LangSQL, "SELECT 'a' AS s;\n", "tableau"
	nb.Blocks = append(nb.Blocks, c)
	path := filepath.Join(t.TempDir(), "nb.md")
	if err := nb.Save(path); err != nil {
		t.Fatal(err)
	}
	want := "# T\n```go\na\n```\n````sql\nb\n````\n<!-- weir:{\"id\":\"cell-3\",\"mode\":\"tableau\"} -->\n```sql\nSELECT 'a' AS s;\n```\n"
	if got := string(nb.Render()); got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range again.Cells() {
		got = append(got, c.Meta.ID+":"+c.Lang+":"+c.Meta.Mode+":"+strings.TrimSpace(c.Text))
	}
	if g, w := strings.Join(got, " | "), "cell-1:go::a | cell-2:sql::b | cell-3:sql:tableau:SELECT 'a' AS s;"; g != w {
		t.Errorf("reopened %s, want %s", g, w)
	}
}
