package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aymanbagabas/go-udiff"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// recoveryOffer is the choice the workbench offers when a notebook opens with a recovery file (unsaved
// edits autosaved when it last stopped): restore them (r), discard them (x) or first see how they differ
// from the file (d). The file's own version is shown meanwhile and nothing else is done until the learner
// chooses; left unchosen (ctrl+q) the recovery file stays for the next open.
type recoveryOffer struct {
	rec *notebook.Notebook
	at  time.Time
}

// recoveryDiscardedMsg reports the recovery file's removal (err nil) or its failure.
type recoveryDiscardedMsg struct{ err error }

// recoveryKey handles a key while the offer is shown.
func (m *Model) recoveryKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	off := m.recovery
	switch msg.String() {
	case "r":
		m.nb.nb.Restore(off.rec)
		m.nb.dirty = true
		m.recovery = nil
		m.setStatus(m.lang.T("recovery.restored"))
	case "x":
		m.recovery = nil
		path := m.nb.path
		return m, func() tea.Msg { return recoveryDiscardedMsg{notebook.DiscardRecovery(path)} }
	case "d":
		diff := udiff.Unified(m.nb.path, m.lang.T("recovery.label"), string(m.nb.nb.Render()), string(off.rec.Render()))
		if diff == "" {
			diff = m.lang.T("recovery.same")
		}
		m.pager.show(m.lang.T("recovery.diff"), colourDiff(diff))
	}
	return m, nil
}

// colourDiff colours a unified diff's added and removed lines.
func colourDiff(diff string) string {
	lines := strings.Split(diff, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
			lines[i] = okStyle.Render(l)
		case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
			lines[i] = errStyle.Render(l)
		case strings.HasPrefix(l, "@@"):
			lines[i] = dimStyle.Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

// recoveryView draws the offer as a box as wide as the pane, its text wrapped to fit any width.
func recoveryView(off *recoveryOffer, lang i18n.Lang, width int) string {
	text := fmt.Sprintf(lang.T("recovery.found"), off.at.Format("2006-01-02 15:04:05")) + "\n" +
		selStyle.Render(lang.T("recovery.choice"))
	return lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("3")).
		Padding(0, 1).Width(max(10, width)).Render(text)
}
