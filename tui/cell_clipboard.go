package tui

import (
	"maps"

	"github.com/de4e/weir/notebook"
)

// deletedCell is a deleted cell and where it was in the notebook's blocks, for undoing the delete.
type deletedCell struct {
	block *notebook.Block
	at    int
}

// copyCell copies the selected cell (its text and annotations, not its id) for pasting; it reports whether
// there was a cell to copy.
func (p *notebookPane) copyCell() bool {
	c := p.selected()
	if c == nil {
		return false
	}
	meta := c.Meta
	meta.ID, meta.ReadOnly = "", false
	meta.Extra = maps.Clone(c.Meta.Extra)
	p.clip = &notebook.Block{Kind: notebook.Code, Text: c.Text, Meta: meta}
	return true
}

// cutCell copies the selected cell and deletes it (z brings it back); a read-only cell is copied, not cut.
func (p *notebookPane) cutCell() bool {
	if !p.copyCell() {
		return false
	}
	if p.selected().Meta.ReadOnly {
		return false
	}
	p.deleteCell()
	return true
}

// paste puts a new cell with the copied cell's text and annotations below (or above) the selected one, with
// an id of its own; it reports whether there was a cell to paste.
func (p *notebookPane) paste(below bool) bool {
	if p.clip == nil {
		return false
	}
	c := p.nb.NewCell()
	id := c.Meta.ID
	c.Meta = p.clip.Meta
	c.Meta.ID = id
	c.Meta.Extra = maps.Clone(p.clip.Meta.Extra)
	c.Text = p.clip.Text
	p.insertBlock(c, below)
	return true
}

// undoDelete puts the last deleted cell back where it was and selects it; it reports whether there was one.
func (p *notebookPane) undoDelete() bool {
	if len(p.deleted) == 0 {
		return false
	}
	d := p.deleted[len(p.deleted)-1]
	p.deleted = p.deleted[:len(p.deleted)-1]
	if p.nb.Cell(d.block.Meta.ID) != nil { // a new cell took its id meanwhile
		d.block.Meta.ID = p.nb.NewCell().Meta.ID
	}
	at := min(d.at, len(p.nb.Blocks))
	p.nb.Blocks = append(p.nb.Blocks[:at], append([]*notebook.Block{d.block}, p.nb.Blocks[at:]...)...)
	p.selectItem(d.block)
	p.dirty = true
	return true
}
