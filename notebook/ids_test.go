package notebook

import (
	"strings"
	"testing"
)

// A cell inserted above cells whose ids the file did not name used to renumber them when the notebook was
// read back (the first cell, cell-1, became cell-2). Their ids are written when they would change, and only
// then: an unchanged notebook is written as it was read.
func TestIDsAreStableAcrossInsertAndMove(t *testing.T) {
	src := "# N\n```go\na := 1\n```\n\n```go\nb := 2\n```\n"
	nb, err := Parse("n.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(nb.Render()); got != src {
		t.Fatalf("an unchanged notebook renders as\n%s", got)
	}
	ids := func(nb *Notebook) map[string]string {
		out := map[string]string{}
		for _, c := range nb.Cells() {
			out[strings.TrimSpace(c.Text)] = c.Meta.ID
		}
		return out
	}
	c := nb.NewCell()
	c.Text = "c := 3\n"
	nb.Blocks = append([]*Block{nb.Blocks[0], c}, nb.Blocks[1:]...) // above the first cell
	back, err := Parse("n.md", nb.Render())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a := 1": "cell-1", "b := 2": "cell-2", "c := 3": "cell-3"}
	for text, id := range want {
		if got := ids(back)[text]; got != id {
			t.Errorf("after inserting a cell above, %q reads back as %s, want %s:\n%s", text, got, id, nb.Render())
		}
	}
	// Moving the cells round (the last first) keeps them too.
	cells := back.Cells()
	var idx []int
	for i, b := range back.Blocks {
		if b.Kind == Code {
			idx = append(idx, i)
		}
	}
	back.Blocks[idx[0]], back.Blocks[idx[2]] = cells[2], cells[0]
	again, err := Parse("n.md", back.Render())
	if err != nil {
		t.Fatal(err)
	}
	for text, id := range want {
		if got := ids(again)[text]; got != id {
			t.Errorf("after moving, %q reads back as %s, want %s:\n%s", text, got, id, back.Render())
		}
	}
}
