package tui

import (
	"charm.land/bubbles/v2/key"
)

// keyMap holds the workbench's keys, grouped by the context they work in; the help overlay lists them by
// group.
type keyMap struct {
	Global   globalKeys
	Start    startKeys
	Command  commandKeys
	Edit     editKeys
	Live     liveKeys
	Dialogue []key.Binding
}

type globalKeys struct {
	Help, Quit, Focus, Lang key.Binding
}

type startKeys struct {
	Up, Down, Open, OpenPath key.Binding
}

type commandKeys struct {
	Up, Down, Edit, Run, RunNext, RunAll, InsertAbove, InsertBelow, Delete, MoveUp, MoveDown, Mode, CellLang,
	Interrupt, Restart, Save, Check, PageUp, PageDown, Back, Output, OutputPager,
	Copy, Cut, Paste, PasteAbove, UndoDelete, RunAbove, RunBelow, WriteOutput, Find, FindNext key.Binding
}

type editKeys struct {
	Run, RunNext, Leave, Save key.Binding
	// Indent, Dedent, Undo and Redo are the cell editor's own (cellEditor handles them); they are here for
	// the help.
	Indent, Dedent, Undo, Redo key.Binding
}

type liveKeys struct {
	Checkpoint, Savepoint, Kill, Pause, Step, Faster, Slower, Guarantee key.Binding
}

func kb(keys []string, k, help string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
}

func defaultKeys() keyMap {
	return keyMap{
		Global: globalKeys{
			Help:  kb([]string{"?"}, "?", "key.global.help"),
			Quit:  kb([]string{"ctrl+q"}, "ctrl+q", "key.global.quit"),
			Focus: kb([]string{"tab"}, "tab", "key.global.focus"),
			Lang:  kb([]string{"ctrl+l"}, "ctrl+l", "key.global.lang"),
		},
		Start: startKeys{
			Up:       kb([]string{"up", "k"}, "↑/k", "key.start.up"),
			Down:     kb([]string{"down", "j"}, "↓/j", "key.start.down"),
			Open:     kb([]string{"enter"}, "enter", "key.start.open"),
			OpenPath: kb([]string{"o"}, "o", "key.start.openpath"),
		},
		Command: commandKeys{
			Up:          kb([]string{"up", "k"}, "↑/k", "key.command.up"),
			Down:        kb([]string{"down", "j"}, "↓/j", "key.command.down"),
			Edit:        kb([]string{"enter"}, "enter", "key.command.edit"),
			Run:         kb([]string{"ctrl+r", "alt+enter", "ctrl+enter"}, "ctrl+r, alt+enter", "key.command.run"),
			RunNext:     kb([]string{"shift+enter"}, "shift+enter", "key.command.runnext"),
			RunAll:      kb([]string{"R"}, "R", "key.command.runall"),
			InsertAbove: kb([]string{"a"}, "a", "key.command.insertabove"),
			InsertBelow: kb([]string{"b"}, "b", "key.command.insertbelow"),
			Delete:      kb([]string{"d"}, "d d", "key.command.delete"),
			MoveUp:      kb([]string{"ctrl+up", "K"}, "K", "key.command.moveup"),
			MoveDown:    kb([]string{"ctrl+down", "J"}, "J", "key.command.movedown"),
			Mode:        kb([]string{"m"}, "m", "key.command.mode"),
			CellLang:    kb([]string{"s"}, "s", "key.command.celllang"),
			Interrupt:   kb([]string{"i"}, "i i", "key.command.interrupt"),
			Restart:     kb([]string{"0"}, "0 0", "key.command.restart"),
			Save:        kb([]string{"ctrl+s"}, "ctrl+s", "key.command.save"),
			Check:       kb([]string{"C"}, "C", "key.command.check"),
			PageUp:      kb([]string{"pgup", "ctrl+u"}, "pgup", "key.command.pageup"),
			PageDown:    kb([]string{"pgdown", "ctrl+d"}, "pgdn", "key.command.pagedown"),
			Back:        kb([]string{"q", "esc"}, "q", "key.command.back"),
			Output:      kb([]string{"o"}, "o", "key.command.output"),
			OutputPager: kb([]string{"O"}, "O", "key.command.outputpager"),
			Copy:        kb([]string{"y"}, "y", "key.command.copy"),
			Cut:         kb([]string{"x"}, "x", "key.command.cut"),
			Paste:       kb([]string{"v"}, "v", "key.command.paste"),
			PasteAbove:  kb([]string{"V"}, "V", "key.command.pasteabove"),
			UndoDelete:  kb([]string{"z"}, "z", "key.command.undodelete"),
			RunAbove:    kb([]string{"["}, "[", "key.command.runabove"),
			RunBelow:    kb([]string{"]"}, "]", "key.command.runbelow"),
			WriteOutput: kb([]string{"w"}, "w", "key.command.writeoutput"),
			Find:        kb([]string{"/", "ctrl+f"}, "/, ctrl+f", "key.command.find"),
			FindNext:    kb([]string{"n"}, "n", "key.command.findnext"),
		},
		Edit: editKeys{
			Run:     kb([]string{"ctrl+r", "alt+enter", "ctrl+enter"}, "ctrl+r, alt+enter", "key.edit.run"),
			RunNext: kb([]string{"shift+enter"}, "shift+enter", "key.edit.runnext"),
			Leave:   kb([]string{"esc"}, "esc", "key.edit.leave"),
			Save:    kb([]string{"ctrl+s"}, "ctrl+s", "key.edit.save"),
			Indent:  kb([]string{"tab"}, "tab", "key.edit.indent"),
			Dedent:  kb([]string{"shift+tab"}, "shift+tab", "key.edit.dedent"),
			Undo:    kb([]string{"ctrl+z"}, "ctrl+z", "key.edit.undo"),
			Redo:    kb([]string{"ctrl+y", "ctrl+shift+z"}, "ctrl+y", "key.edit.redo"),
		},
		Live: liveKeys{
			Checkpoint: kb([]string{"c"}, "c", "key.live.checkpoint"),
			Savepoint:  kb([]string{"S"}, "S", "key.live.savepoint"),
			Kill:       kb([]string{"X"}, "X", "key.live.kill"),
			Pause:      kb([]string{"p"}, "p", "key.live.pause"),
			Step:       kb([]string{"."}, ".", "key.live.step"),
			Faster:     kb([]string{"+", "="}, "+", "key.live.faster"),
			Slower:     kb([]string{"-"}, "-", "key.live.slower"),
			Guarantee:  kb([]string{"g"}, "g", "key.live.guarantee"),
		},
	}
}

// groups returns the help overlay's sections: a title key (translated) and its bindings.
func (k keyMap) groups() []helpGroup {
	c, e, l, g, s := k.Command, k.Edit, k.Live, k.Global, k.Start
	return []helpGroup{
		{"help.global", []key.Binding{g.Help, g.Focus, g.Lang, g.Quit}},
		{"help.start", []key.Binding{s.Up, s.Down, s.Open, s.OpenPath}},
		{"help.command", []key.Binding{c.Up, c.Down, c.Edit, c.Run, c.RunNext, c.RunAll, c.InsertAbove, c.InsertBelow,
			c.Delete, c.MoveUp, c.MoveDown, c.Mode, c.CellLang, c.Interrupt, c.Restart, c.Save, c.Check, c.Output, c.OutputPager, c.Copy, c.Cut, c.Paste, c.PasteAbove, c.UndoDelete, c.RunAbove, c.RunBelow, c.WriteOutput, c.Find, c.FindNext,
			c.PageUp, c.PageDown, c.Back}},
		{"help.edit", []key.Binding{e.Run, e.RunNext, e.Leave, e.Save, e.Indent, e.Dedent, e.Undo, e.Redo}},
		{"help.live", []key.Binding{l.Checkpoint, l.Savepoint, l.Kill, l.Pause, l.Step, l.Faster, l.Slower, l.Guarantee}},
	}
}

type helpGroup struct {
	title string
	keys  []key.Binding
}
