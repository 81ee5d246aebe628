package tui

import (
	"fmt"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aymanbagabas/go-udiff"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// conflictOffer is the choice the workbench offers when a save found the notebook's file changed on disk by
// another writer (a second workbench, an editor). Both versions are already safe: the pane's was kept beside
// the file as copy. The learner overwrites the file with the pane's version (o), loads the file's version
// into the pane (l; the pane's stays in the copy, and the kernel keeps running), or first sees how they
// differ (d); esc decides later, and ctrl+s then overwrites.
type conflictOffer struct {
	path string             // the notebook's file
	copy string             // where the pane's version was kept
	disk *notebook.Notebook // the file's version as the conflict found it, or nil when it could not be read
}

// conflictCopyMsg is the outcome of keeping a conflicting version beside the file, with the file's version
// read again for the offer.
type conflictCopyMsg struct {
	path, copy string
	disk       *notebook.Notebook
	err        error
}

// keepConflictCopy returns the command that keeps ps's version beside its file and reads the file's.
func keepConflictCopy(ps *notebook.PendingSave, at func() (string, error)) tea.Cmd {
	return func() tea.Msg {
		cp, err := at()
		if err != nil {
			return conflictCopyMsg{path: ps.Path, err: err}
		}
		disk, _ := notebook.Load(ps.Path) // unreadable: the offer has no l or d, o still overwrites
		return conflictCopyMsg{path: ps.Path, copy: cp, disk: disk}
	}
}

// conflictFound takes the outcome of keeping the pane's version and shows the offer.
func (m *Model) conflictFound(msg conflictCopyMsg) {
	if msg.err != nil {
		m.setStatus(msg.err.Error())
		return
	}
	if m.nb == nil || m.nb.path != msg.path {
		return // another notebook was opened meanwhile; its copy stays on disk
	}
	m.nb.conflict = true
	m.conflict = &conflictOffer{path: msg.path, copy: msg.copy, disk: msg.disk}
	m.setStatus(fmt.Sprintf(m.lang.T("save.conflict"), filepath.Base(msg.path), msg.copy))
}

// conflictKey handles a key while the offer is shown.
func (m *Model) conflictKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	off, p := m.conflict, m.nb
	switch msg.String() {
	case "o":
		m.conflict = nil
		return m, p.save() // p.conflict is set: the save overwrites
	case "l":
		if off.disk == nil {
			return m, nil
		}
		m.conflict = nil
		p.nb.Reload(off.disk)
		p.conflict, p.dirty, p.prose = false, false, nil
		p.selected() // keeps the selection within the file's cells
		m.setStatus(fmt.Sprintf(m.lang.T("conflict.loaded"), off.copy))
	case "d":
		if off.disk == nil {
			return m, nil
		}
		diff := udiff.Unified(off.path, off.copy, string(off.disk.Render()), string(p.nb.Render()))
		if diff == "" {
			diff = m.lang.T("conflict.same")
		}
		m.pager.show(m.lang.T("conflict.diff"), colourDiff(diff))
	case "esc":
		m.conflict = nil
		m.setStatus(m.lang.T("conflict.later"))
	}
	return m, nil
}

// conflictView draws the offer as a box as wide as the pane, its text wrapped to fit any width.
func conflictView(off *conflictOffer, lang i18n.Lang, width int) string {
	choice := lang.T("conflict.choice")
	if off.disk == nil {
		choice = lang.T("conflict.choice.unreadable")
	}
	text := fmt.Sprintf(lang.T("conflict.found"), filepath.Base(off.path), off.copy) + "\n" + selStyle.Render(choice)
	return lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("3")).
		Padding(0, 1).Width(max(10, width)).Render(text)
}
