package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/tui/i18n"
)

// pager shows a text longer or wider than the screen over the body, in a bubbles viewport: the help overlay,
// a cell's whole output and the difference of a recovered notebook. It scrolls with the viewport's pager keys
// (↑/↓ j/k, pgup/pgdn b/f space, u/d, and ←/→ h/l sideways, as less -S does for wide tables) and closes with
// esc or q. Its title line says which lines and columns are in view.
type pager struct {
	open  bool
	title string
	vp    viewport.Model
}

// pagerClosedMsg says a pager was closed; the root model forgets it.
type pagerClosedMsg struct{}

func newPager() pager {
	vp := viewport.New()
	vp.SetHorizontalStep(8)
	vp.FillHeight = true
	return pager{vp: vp}
}

// show opens the pager on content, at its top.
func (p *pager) show(title, content string) {
	p.open, p.title = true, title
	p.vp.SetContent(strings.TrimRight(content, "\n"))
	p.vp.GotoTop()
	p.vp.SetXOffset(0)
}

// SetSize gives the pager w × h cells: a title line, then the viewport.
func (p *pager) SetSize(w, h int) {
	p.vp.SetWidth(max(1, w))
	p.vp.SetHeight(max(1, h-1))
}

// Update scrolls on keys and the mouse wheel; esc and q close the pager.
func (p pager) Update(msg tea.Msg) (pager, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc", "q":
			p.open = false
			return p, func() tea.Msg { return pagerClosedMsg{} }
		case "home", "g":
			p.vp.GotoTop()
			return p, nil
		case "end", "G":
			p.vp.GotoBottom()
			return p, nil
		}
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return p, cmd
}

// View draws the title line (the title, the lines in view and the keys) and the viewport.
func (p pager) View(lang i18n.Lang) string {
	total := p.vp.TotalLineCount()
	first := min(total, p.vp.YOffset()+1)
	last := min(total, p.vp.YOffset()+p.vp.Height())
	where := fmt.Sprintf(lang.T("pager.lines"), first, last, total)
	if x := p.vp.XOffset(); x > 0 {
		where += fmt.Sprintf(lang.T("pager.column"), x+1)
	}
	head := titleStyle.Render(p.title) + "  " + dimStyle.Render(where+" · "+lang.T("pager.keys"))
	return ansi.Truncate(head, p.vp.Width(), "…") + "\n" + p.vp.View()
}
