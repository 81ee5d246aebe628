package notebook

import (
	"fmt"
	"strings"
)

// writesID reports whether Render writes an annotation naming bl's id: a new cell's, a changed cell's that
// is not a bare default id, or an unchanged cell's whose annotation named it.
func writesID(bl *Block) bool {
	if bl.rawOpen != "" && bl.Meta.String() == bl.parsedMeta {
		return strings.Contains(bl.rawAnnot, `"id"`)
	}
	return bl.rawOpen == "" || !isDefaultID(bl)
}

// pinnedIDs returns the cells whose default id Render must write although the file did not name it: read
// back, Parse would number them otherwise (a cell inserted or moved before them shifts the numbers), and a
// cell's id is how its outputs, checks and the learner's progress find it.
func (nb *Notebook) pinnedIDs() map[*Block]bool {
	pinned := map[*Block]bool{}
	for {
		cells := nb.Cells()
		used := map[string]bool{}
		for _, c := range cells {
			if pinned[c] || writesID(c) {
				used[c.Meta.ID] = true
			}
		}
		changed := false
		for i, c := range cells { // as assignIDs numbers the cells without an id
			if pinned[c] || writesID(c) {
				continue
			}
			n := i + 1
			for used[fmt.Sprintf("cell-%d", n)] {
				n++
			}
			id := fmt.Sprintf("cell-%d", n)
			used[id] = true
			if id != c.Meta.ID {
				pinned[c], changed = true, true
			}
		}
		if !changed {
			return pinned
		}
	}
}
