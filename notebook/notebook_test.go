package notebook

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = "# Word count\n<!-- weir:{\"lang\":\"en\",\"section\":\"6.5\"} -->\n\nProse with `code`.\n\n## Run it\n" +
	"<!-- weir:{\"id\":\"count\",\"mode\":\"table\",\"future\":{\"x\":1}} -->\n```go\nfmt.Println(1)\n```\n" +
	"Between.\n```go\nx := 2\n```\n````go\n```go nested\n````\ntail without newline"

func TestParseRenderIsLossless(t *testing.T) {
	for _, src := range []string{sample, "", "just prose\n", "```go\n```\n", "```go\na\n```", "```python\nnot a cell\n```\n"} {
		nb, err := Parse("t.md", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := string(nb.Render()); got != src {
			t.Errorf("render changed the notebook:\n got %q\nwant %q", got, src)
		}
	}
}

func TestParseCellsAndMeta(t *testing.T) {
	nb, err := Parse("t.md", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	cells := nb.Cells()
	if len(cells) != 3 {
		t.Fatalf("got %d cells, want 3", len(cells))
	}
	if c := cells[0]; c.Meta.ID != "count" || c.Meta.Mode != "table" || c.Text != "fmt.Println(1)\n" {
		t.Errorf("first cell = %+v", c)
	}
	if id := cells[1].Meta.ID; id != "cell-2" {
		t.Errorf("second cell's default id = %q", id)
	}
	if cells[2].Text != "```go nested\n" {
		t.Errorf("a longer fence holds a shorter one: %q", cells[2].Text)
	}
	if nb.Title() != "Word count" || nb.Meta()["section"] != "6.5" {
		t.Errorf("title %q, meta %v", nb.Title(), nb.Meta())
	}
}

func TestUnknownKeysSurviveAnEdit(t *testing.T) {
	nb, _ := Parse("t.md", []byte(sample))
	c := nb.Cell("count")
	c.Text = "fmt.Println(2)\n"
	c.Meta.Mode = "changelog"
	out := string(nb.Render())
	if !strings.Contains(out, `<!-- weir:{"future":{"x":1},"id":"count","mode":"changelog"} -->`) {
		t.Errorf("annotation after an edit:\n%s", out)
	}
	again, err := Parse("t.md", []byte(out))
	if err != nil || string(again.Cell("count").Meta.Extra["future"]) != `{"x":1}` {
		t.Errorf("reparse: %v %v", err, again)
	}
}

func TestBadNotebooksNameTheLine(t *testing.T) {
	for src, want := range map[string]string{
		"a\n<!-- weir:{bad} -->\n```go\nx\n```\n": "t.md:2: annotation",
		"a\nb\n```go\nx := 1\n":                   "t.md:3: code fence is never closed",
		"<!-- weir:{\"id\":\"a\"} -->\n```go\n```\n<!-- weir:{\"id\":\"a\"} -->\n```go\n```\n": "t.md:4: two cells have the id \"a\" (the other is at line 1)",
	} {
		_, err := Parse("t.md", []byte(src))
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", src, err, want)
		}
	}
}

func TestSaveIsAtomicAndKeepsABackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.md")
	os.WriteFile(path, []byte(sample), 0o644)
	nb, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	nb.Cell("count").Text = "changed()\n"
	if err := nb.SaveRecovery(path); err != nil {
		t.Fatal(err)
	}
	if rec, _, err := LoadRecovery(path); err != nil || rec == nil || rec.Cell("count").Text != "changed()\n" {
		t.Fatalf("recovery: %v %v", rec, err)
	}
	if err := nb.Save(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path + ".bak"); string(b) != sample {
		t.Error("the backup does not hold the previous version")
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "changed()") {
		t.Error("the save did not land")
	}
	if _, err := os.Stat(RecoveryPath(path)); !os.IsNotExist(err) {
		t.Error("the recovery file outlived the save")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("leftover files: %v", entries)
	}
}

func TestSaveIntoAMissingDirectoryLeavesNothing(t *testing.T) {
	nb, _ := Parse("t.md", []byte(sample))
	err := nb.Save(filepath.Join(t.TempDir(), "no", "such", "nb.md"))
	if err == nil || !strings.Contains(err.Error(), "nb.md") {
		t.Errorf("got %v, want an error naming the file", err)
	}
}
