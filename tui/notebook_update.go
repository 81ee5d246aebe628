package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// checkedMsg carries the report of C's run once its queue has drained; the root model says how it went and
// saves the lesson's progress.
type checkedMsg struct{ rep *interp.Report }

// SetLang sets the language the pane draws and reports in.
func (p *notebookPane) SetLang(lang i18n.Lang) { p.lang = lang }

// SetSize gives the pane w × h cells; the editor gets the room inside a cell's box.
func (p *notebookPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.editor.SetSize(w-4, h-6)
}

// takeNote returns what the last Update has to say on the status bar, and forgets it.
func (p *notebookPane) takeNote() string {
	n := p.note
	p.note = ""
	return n
}

func (p *notebookPane) notef(key string, args ...any) { p.note = fmt.Sprintf(p.lang.T(key), args...) }

// Update handles the notebook pane's messages: the tick (the spinner, the run queue, the end of C's run and
// the autosave), a paste into the editor, and the keys of command and edit mode that act on the notebook
// (the root model keeps those that act on the workbench: back, find, the pager, writing an output). A
// line for the status bar is left for takeNote.
func (p *notebookPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		return p.tick(time.Time(msg))
	case tea.PasteMsg:
		if p.editing {
			var cmd tea.Cmd
			p.editor, cmd = p.editor.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		if p.editing {
			return p.editKey(msg)
		}
		return p.commandKey(msg)
	}
	return nil
}

// tick advances the spinner, starts the next queued cell, reports C's run when its queue has drained and
// returns the autosave's command.
func (p *notebookPane) tick(now time.Time) tea.Cmd {
	p.frame++
	// Laid out again while something runs, and whenever the activity differs from the last tick's (a cell
	// that started and ended between two ticks, a job's end).
	a := p.activity()
	p.relayout, p.lastActivity = a.changing() || a != p.lastActivity, a
	defer p.takeReplayStatus(now)
	if _, dropped, err := p.runQueued(); err != nil {
		p.note = err.Error()
	} else if len(dropped) > 0 {
		p.notef("run.dropped", p.lastRan, strings.Join(dropped, ", "))
	}
	var checked tea.Cmd
	if p.checking {
		if rep, ok := p.runReport(); ok {
			p.checking = false
			checked = func() tea.Msg { return checkedMsg{rep} }
		}
	}
	return tea.Batch(checked, p.autosave())
}

func (p *notebookPane) editKey(msg tea.KeyPressMsg) tea.Cmd {
	e := p.keys.Edit
	switch {
	case key.Matches(msg, e.Leave):
		p.leaveEdit()
		return nil
	case key.Matches(msg, e.Save):
		return p.save()
	case key.Matches(msg, e.Run), key.Matches(msg, e.RunNext):
		next := key.Matches(msg, e.RunNext)
		if p.prose != nil { // running a Markdown cell renders it
			p.leaveEdit()
			if next {
				p.moveCursor(+1)
			}
			return nil
		}
		if next {
			p.leaveEdit()
		}
		p.runSelected(next)
		return nil
	}
	var cmd tea.Cmd
	p.editor, cmd = p.editor.Update(msg)
	p.editor.SetSize(p.width-4, p.height-6)
	return cmd
}

// runSelected runs the selected cell (or queues it) and, when next is set, selects the one below.
func (p *notebookPane) runSelected(next bool) {
	queued, err := p.run()
	if err != nil {
		p.note = err.Error()
		return
	}
	if queued {
		p.notef("run.queued", len(p.queue))
	}
	if next {
		p.sel = min(p.sel+1, len(p.cells())-1)
	}
}

func (p *notebookPane) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	c := p.keys.Command
	pending := p.pending
	p.pending = ""
	if p.cursor() != nil && p.prose != nil {
		switch {
		case key.Matches(msg, c.Run):
			return nil // a Markdown cell shows rendered already
		case key.Matches(msg, c.RunNext):
			p.moveCursor(+1)
			return nil
		case key.Matches(msg, c.Delete), key.Matches(msg, c.Copy), key.Matches(msg, c.Cut), key.Matches(msg, c.MoveUp),
			key.Matches(msg, c.MoveDown), key.Matches(msg, c.Mode), key.Matches(msg, c.CellLang), key.Matches(msg, c.Output):
			p.notef("md.codeonly")
			return nil
		}
	}
	switch {
	case key.Matches(msg, c.Up):
		p.moveCursor(-1)
	case key.Matches(msg, c.Down):
		p.moveCursor(+1)
	case key.Matches(msg, c.Edit):
		return p.startEdit()
	case key.Matches(msg, c.Run):
		p.runSelected(false)
	case key.Matches(msg, c.RunNext):
		p.runSelected(true)
	case key.Matches(msg, c.RunAll):
		p.runAll(false)
	case key.Matches(msg, c.InsertAbove):
		p.insert(false)
	case key.Matches(msg, c.InsertBelow):
		p.insert(true)
	case key.Matches(msg, c.Delete):
		if pending == "d" {
			p.deleteCell()
		} else {
			p.pending = "d"
		}
	case key.Matches(msg, c.Interrupt):
		if pending == "i" {
			p.session.Runner().Interrupt()
			p.notef("act.interrupted")
		} else {
			p.pending = "i"
		}
	case key.Matches(msg, c.Restart):
		if pending == "0" {
			p.session.Restart()
			p.notef("act.restarted")
		} else {
			p.pending = "0"
		}
	case key.Matches(msg, c.MoveUp):
		p.move(-1)
	case key.Matches(msg, c.MoveDown):
		p.move(+1)
	case key.Matches(msg, c.Mode):
		p.note = p.lang.T("act.mode") + " " + p.cycleMode()
	case key.Matches(msg, c.CellLang):
		p.note = p.lang.T("act.celllang") + " " + p.toggleLang()
	case key.Matches(msg, c.Save):
		return p.save()
	case key.Matches(msg, c.Check):
		n := p.runAll(true)
		p.checking = true
		p.notef("check.running", n)
	case key.Matches(msg, c.PageUp):
		p.scroll(-max(1, p.height/2))
	case key.Matches(msg, c.PageDown):
		p.scroll(max(1, p.height/2))
	case key.Matches(msg, c.Copy):
		if p.copyCell() {
			p.notef("cell.copied")
		}
	case key.Matches(msg, c.Cut):
		if p.cutCell() {
			p.notef("cell.cut")
		} else if p.clip != nil {
			p.notef("cell.copied")
		}
	case key.Matches(msg, c.Paste), key.Matches(msg, c.PasteAbove):
		if !p.paste(key.Matches(msg, c.Paste)) {
			p.notef("cell.noclip")
		}
	case key.Matches(msg, c.UndoDelete):
		if !p.undoDelete() {
			p.notef("cell.nodelete")
		}
	case key.Matches(msg, c.RunAbove):
		p.notef("run.above", p.runCells(0, p.sel, false))
	case key.Matches(msg, c.RunBelow):
		p.notef("run.below", p.runCells(p.sel, len(p.cells()), false))
	case key.Matches(msg, c.Output):
		p.toggleOutput()
	}
	return nil
}
