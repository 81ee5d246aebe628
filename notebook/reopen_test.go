package notebook

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A cell without an id gets a generated one that never collides with an id written in the file: an edited
// notebook writes the ids it generated, and used to refuse to reopen ("two cells have the id").
func TestGeneratedIDsNeverCollideWithExplicitOnes(t *testing.T) {
	src := "```go\na\n```\n<!-- weir:{\"id\":\"cell-1\"} -->\n```go\nb\n```\n```go\nc\n```\n"
	nb, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range nb.Cells() {
		ids = append(ids, c.Meta.ID)
	}
	if got := strings.Join(ids, " "); got != "cell-2 cell-1 cell-3" {
		t.Errorf("ids %s, want cell-2 cell-1 cell-3", got)
	}
	if got := string(nb.Render()); got != src {
		t.Errorf("render changed an unedited notebook: %q", got)
	}
}

// The sequence the issue reports: delete a cell, change a mode, insert a cell, save; the file must reopen.
func TestDeleteModeInsertSaveReopens(t *testing.T) {
	nb, err := Parse("t.md", []byte("# T\n```go\na\n```\n```go\nb\n```\n```go\nc\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	nb.Blocks = append(nb.Blocks[:1], nb.Blocks[2:]...) // delete cell-1
	nb.Cells()[1].Meta.Mode = "table"                   // cell-3 now writes its id
	c := nb.NewCell()
	c.Text = "d\n"
	nb.Blocks = append(nb.Blocks, c)
	again, err := Parse("t.md", nb.Render())
	if err != nil {
		t.Fatalf("the saved notebook does not reopen: %v\n%s", err, nb.Render())
	}
	if got, want := textsOnly(again), textsOnly(nb); got != want {
		t.Errorf("reopened cells %s, want %s", got, want)
	}
	if again.Cell("cell-3") == nil || again.Cell("cell-3").Meta.Mode != "table" {
		t.Errorf("the cell whose mode changed lost its id:\n%s", nb.Render())
	}
	if again.Cell(c.Meta.ID) == nil || again.Cell(c.Meta.ID).Text != "d\n" {
		t.Errorf("the new cell lost its id %q on reopening:\n%s", c.Meta.ID, nb.Render())
	}
}

// A cell whose text holds a line of backticks gets a longer fence (CommonMark's rule), instead of being split
// in two on reopening.
func TestCellHoldingAFenceGetsALongerOne(t *testing.T) {
	nb, _ := Parse("t.md", []byte("```go\nx\n```\n"))
	texts := []string{"s := `\n```\n`\n", "a\n````\nb\n```\n", "```go\n"}
	for _, text := range texts {
		nb.Cells()[0].Text = text
		c := nb.NewCell()
		c.Text = text
		nb.Blocks = append(nb.Blocks, c)
		again, err := Parse("t.md", nb.Render())
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got, want := cellTexts(again), cellTexts(nb); got != want {
			t.Errorf("%q: reopened as %s, want %s\n%s", text, got, want, nb.Render())
		}
		nb = again
	}
}

// A leading byte-order mark is neither prose nor lost.
func TestByteOrderMark(t *testing.T) {
	src := "\ufeff```go\nx := 1\n```\n"
	nb, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Blocks) != 1 || nb.Blocks[0].Kind != Code || nb.Blocks[0].Text != "x := 1\n" {
		t.Fatalf("blocks %+v, want one code cell", nb.Blocks)
	}
	if string(nb.Render()) != src {
		t.Errorf("render %q, want %q", nb.Render(), src)
	}
}

// An unreadable recovery file is kept aside (and the error says where) instead of being ignored and then
// overwritten by the next autosave.
func TestUnreadableRecoveryIsKeptAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.md")
	if err := os.WriteFile(path, []byte("```go\nx\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(RecoveryPath(path), []byte("```go\nnever closed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second) // the recovery file must not be older than the notebook
	if err := os.Chtimes(RecoveryPath(path), later, later); err != nil {
		t.Fatal(err)
	}
	nb, _, err := LoadRecovery(path)
	if nb != nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "kept as") {
		t.Fatalf("LoadRecovery = %v, %v; want an error saying where the file was kept", nb, err)
	}
	if _, err := os.Stat(RecoveryPath(path)); !os.IsNotExist(err) {
		t.Errorf("the unreadable recovery file is still where the next autosave writes")
	}
	kept, _ := filepath.Glob(RecoveryPath(path) + ".unreadable-*")
	if len(kept) != 1 {
		t.Fatalf("kept copies %v", kept)
	}
	if b, _ := os.ReadFile(kept[0]); string(b) != "```go\nnever closed\n" {
		t.Errorf("the kept copy holds %q", b)
	}
}

// Two workbenches with the same notebook: the second save notices the first and writes nothing.
func TestSaveNoticesAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.md")
	if err := os.WriteFile(path, []byte("```go\nx\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _ := Load(path)
	b, _ := Load(path)
	a.Cells()[0].Text = "from a\n"
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b.Cells()[0].Text = "from b\n"
	if err := b.Save(path); !errors.Is(err, ErrChangedOnDisk) {
		t.Fatalf("the second save: %v, want ErrChangedOnDisk", err)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "from a") {
		t.Errorf("the file lost the first save: %q", got)
	}
	cp, err := b.SaveConflictCopy(path, time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC))
	if err != nil || filepath.Base(cp) != "nb.conflict-20261202-030405.md" {
		t.Fatalf("conflict copy %s, %v", cp, err)
	}
	if got, _ := os.ReadFile(cp); !strings.Contains(string(got), "from b") {
		t.Errorf("the conflict copy holds %q", got)
	}
	if err := a.Save(path); err != nil {
		t.Errorf("a save after one's own save: %v", err)
	}
	if err := b.Overwrite(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "from b") {
		t.Errorf("Overwrite did not write: %q", got)
	}
	if err := b.Save(path); err != nil {
		t.Errorf("a save after Overwrite: %v", err)
	}
}

func cellTexts(nb *Notebook) string {
	var out []string
	for _, c := range nb.Cells() {
		out = append(out, fmt.Sprintf("%s=%q", c.Meta.ID, c.Text))
	}
	return strings.Join(out, " ")
}

// FuzzEditSequencesReopen performs random edit sequences (insert, delete, move, edit text including fences,
// change mode) on a notebook and requires every save to reopen to the same cells with the same ids.
func FuzzEditSequencesReopen(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(99))
	f.Add(uint64(42), uint64(0))
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64) {
		checkEditSequence(t, rand.New(rand.NewPCG(seed1, seed2)))
	})
}

// TestRandomEditSequencesReopen runs the fuzz body over fixed seeds, so that plain go test covers it.
func TestRandomEditSequencesReopen(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		checkEditSequence(t, rand.New(rand.NewPCG(seed, seed*31+7)))
	}
}

func checkEditSequence(t *testing.T, r *rand.Rand) {
	t.Helper()
	src := "# T\n<!-- weir:{\"id\":\"cell-3\"} -->\n```go\na\n```\nprose\n```go\nb\n```\n<!-- weir:{\"id\":\"x\",\"mode\":\"table\"} -->\n````go\n```\n````\n"
	nb, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "x := 1\n", "```\n", "````\n", "s := `\n```go\n`\n", "no newline", "<!-- weir:{\"id\":\"cell-1\"} -->\n"}
	modes := []string{"", "table", "changelog", "append"}
	var ops []string
	for step := 0; step < 12; step++ {
		cells := nb.Cells()
		switch op := r.IntN(5); {
		case op == 0 || len(cells) == 0:
			c := nb.NewCell()
			c.Text = texts[r.IntN(len(texts))]
			at := r.IntN(len(nb.Blocks) + 1)
			nb.Blocks = append(nb.Blocks[:at], append([]*Block{c}, nb.Blocks[at:]...)...)
			ops = append(ops, "insert "+c.Meta.ID)
		case op == 1:
			i := indexOf(nb, cells[r.IntN(len(cells))])
			ops = append(ops, "delete "+nb.Blocks[i].Meta.ID)
			nb.Blocks = append(nb.Blocks[:i], nb.Blocks[i+1:]...)
		case op == 2:
			c := cells[r.IntN(len(cells))]
			c.Text = texts[r.IntN(len(texts))]
			ops = append(ops, "edit "+c.Meta.ID)
		case op == 3:
			c := cells[r.IntN(len(cells))]
			c.Meta.Mode = modes[r.IntN(len(modes))]
			ops = append(ops, "mode "+c.Meta.ID)
		default:
			i := indexOf(nb, cells[r.IntN(len(cells))])
			j := r.IntN(len(nb.Blocks))
			b := nb.Blocks[i]
			nb.Blocks = append(nb.Blocks[:i], nb.Blocks[i+1:]...)
			j = min(j, len(nb.Blocks))
			nb.Blocks = append(nb.Blocks[:j], append([]*Block{b}, nb.Blocks[j:]...)...)
			ops = append(ops, "move "+b.Meta.ID)
		}
		out := nb.Render()
		again, err := Parse("t.md", out)
		if err != nil {
			t.Fatalf("after %v the saved notebook does not reopen: %v\n%s", ops, err, out)
		}
		if got, want := textsOnly(again), textsOnly(nb); got != want {
			t.Fatalf("after %v reopened as\n%s\nwant\n%s\n%s", ops, got, want, out)
		}
		// Every id the file names survives; the others are positional (cell-N) by definition.
		for _, a := range again.Cells() {
			if a.rawAnnot == "" {
				continue
			}
			if c := nb.Cell(a.Meta.ID); c == nil || strings.TrimSuffix(a.Text, "\n") != strings.TrimSuffix(c.Text, "\n") {
				t.Fatalf("after %v the file's cell %q is not the edited notebook's\n%s", ops, a.Meta.ID, out)
			}
		}
		nb = again
	}
}

// textsOnly lists the cells' texts, each ending in a newline as a reopened cell's does.
func textsOnly(nb *Notebook) string {
	var out []string
	for _, c := range nb.Cells() {
		t := c.Text
		if t != "" && !strings.HasSuffix(t, "\n") {
			t += "\n"
		}
		out = append(out, fmt.Sprintf("%q", t))
	}
	return strings.Join(out, " ")
}

func indexOf(nb *Notebook, c *Block) int {
	for i, b := range nb.Blocks {
		if b == c {
			return i
		}
	}
	return -1
}

// The temporary files of saves interrupted by a crash are removed when the notebook is next opened, once
// they are old enough not to belong to a save in progress elsewhere.
func TestLoadRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb [1].md")
	os.WriteFile(path, []byte("```go\nx\n```\n"), 0o644)
	old := filepath.Join(dir, ".nb [1].md.tmp-123")
	oldBak := filepath.Join(dir, ".nb [1].md.bak.tmp-9")
	fresh := filepath.Join(dir, ".nb [1].md.tmp-456")
	other := filepath.Join(dir, ".other.md.tmp-1")
	for _, p := range []string{old, oldBak, fresh, other} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	long := time.Now().Add(-time.Hour)
	for _, p := range []string{old, oldBak, other} {
		os.Chtimes(p, long, long)
	}
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{old: false, oldBak: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
