package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/tui/i18n"
)

// finder is find in the notebook (/ or ctrl+f): a query typed on the status line, enter selects the next cell
// whose code or output holds it (ignoring case, round past the end), n finds the next one, esc gives up.
type finder struct {
	open  bool
	in    textinput.Model
	query string
}

func newFinder() finder {
	in := textinput.New()
	in.Prompt = "/"
	return finder{in: in}
}

// start opens the query line.
func (f *finder) start() tea.Cmd {
	f.open = true
	f.in.SetValue("")
	return f.in.Focus()
}

// findMsg asks the notebook to select the next cell holding the query.
type findMsg struct{ query string }

// Update types into the query line; enter closes it and returns findMsg, esc closes it.
func (f finder) Update(msg tea.Msg) (finder, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			f.open = false
			f.in.Blur()
			return f, nil
		case "enter":
			f.open = false
			f.in.Blur()
			f.query = strings.TrimSpace(f.in.Value())
			q := f.query
			return f, func() tea.Msg { return findMsg{q} }
		}
	}
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(msg)
	return f, cmd
}

// View draws the query line.
func (f finder) View() string { return f.in.View() }

// findNext selects the first cell after the selected one (round past the end, the selected one last) whose
// code or output holds query, ignoring case, and says where it found it.
func (p *notebookPane) findNext(query string, lang i18n.Lang) string {
	if query == "" {
		return lang.T("find.empty")
	}
	q := strings.ToLower(query)
	cells := p.cells()
	for i := 1; i <= len(cells); i++ {
		j := (p.sel + i) % len(cells)
		c := cells[j]
		out := ansi.Strip(p.outputText(c, p.session.State(c.Meta.ID), true, lang))
		if strings.Contains(strings.ToLower(c.Text), q) || strings.Contains(strings.ToLower(out), q) {
			p.selectItem(c)
			return fmt.Sprintf(lang.T("find.found"), query, c.Meta.ID)
		}
	}
	return fmt.Sprintf(lang.T("find.none"), query)
}
