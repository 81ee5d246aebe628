package tui

import (
	"strings"

	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// Markdown cells, as Jupyter's: the notebook's prose between code cells is a run of Markdown cells that ↑/↓
// select like code cells. Enter edits the selected one's Markdown source in the editor; esc, or running it,
// shows it rendered again. The pane's sel stays the index of a code cell (the one the Markdown cell is
// above, when one is selected), so every command on code cells keeps its meaning; prose says that the
// Markdown cell is selected instead.

// isMarkdownCell reports whether b is a Markdown cell a learner can select: prose with something to show
// (a block holding only the notebook's annotation, or blank lines, is not).
func isMarkdownCell(b *notebook.Block) bool {
	if b.Kind != notebook.Prose {
		return false
	}
	if !strings.Contains(b.Text, "<!--") { // most prose has no annotation: no need for the regular expression
		return strings.TrimSpace(b.Text) != ""
	}
	return strings.TrimSpace(annotationRE.ReplaceAllString(b.Text, "")) != ""
}

// items returns what ↑ and ↓ move through, in order: the Markdown cells and the code cells a learner sees.
func (p *notebookPane) items() []*notebook.Block {
	var out []*notebook.Block
	for _, b := range p.nb.Blocks {
		if isMarkdownCell(b) || visibleCell(b) {
			out = append(out, b)
		}
	}
	return out
}

// cursor returns the selected item: the Markdown cell when one is selected, else the selected code cell.
func (p *notebookPane) cursor() *notebook.Block {
	if p.prose != nil {
		for _, b := range p.nb.Blocks {
			if b == p.prose {
				return b
			}
		}
		p.prose = nil // gone (its cell was moved or deleted around it)
	}
	return p.selected()
}

// moveCursor selects the item dir (-1 or +1) away from the selected one, Markdown or code.
func (p *notebookPane) moveCursor(dir int) {
	items := p.items()
	cur := p.cursor()
	at := 0
	for i, b := range items {
		if b == cur {
			at = i
		}
	}
	j := at + dir
	if j < 0 || j >= len(items) {
		return
	}
	p.selectItem(items[j])
}

// selectItem selects b: a code cell by its index, a Markdown cell as prose with sel at the code cell
// below it (or the last one).
func (p *notebookPane) selectItem(b *notebook.Block) {
	cells := p.cells()
	if b.Kind == notebook.Code {
		p.prose = nil
		for i, c := range cells {
			if c == b {
				p.sel = i
			}
		}
		return
	}
	p.prose = b
	p.sel = max(0, len(cells)-1)
	below := false
	n := 0
	for _, c := range p.nb.Blocks {
		if c == b {
			below = true
		}
		if visibleCell(c) {
			if below {
				p.sel = n
				return
			}
			n++
		}
	}
}

// proseView draws a Markdown cell: rendered, and marked with a bar down its left side when selected; its
// source in the editor while it is edited.
func (p *notebookPane) proseView(b *notebook.Block, selected bool, lang i18n.Lang) []string {
	if selected && p.editing {
		box := editBoxStyle(p.width).Render(p.editor.View())
		return append([]string{selStyle.Render("▌") + dimStyle.Render(lang.T("tag.markdown"))}, strings.Split(box, "\n")...)
	}
	if !selected {
		return strings.Split(p.md.render(b.Text, p.width), "\n")
	}
	lines := strings.Split(p.md.render(b.Text, p.width-1), "\n")
	for i, l := range lines {
		lines[i] = selStyle.Render("▌") + l
	}
	return lines
}

// proseSource splits a Markdown cell's text into what the editor shows and the blank lines that end it,
// which the edited text gets back, so that the file keeps its layout.
func proseSource(text string) (shown, trail string) {
	shown = strings.TrimRight(text, "\n")
	return shown, text[len(shown):]
}
