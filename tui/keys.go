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
	Up, Down, Edit, Run, RunNext, RunAll, InsertAbove, InsertBelow, Delete, MoveUp, MoveDown, Mode,
	Interrupt, Restart, Save, Check, PageUp, PageDown, Back, Output, OutputPager key.Binding
}

type editKeys struct {
	Run, RunNext, Leave, Save key.Binding
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
			Help:  kb([]string{"?"}, "?", "help"),
			Quit:  kb([]string{"ctrl+q"}, "ctrl+q", "quit"),
			Focus: kb([]string{"tab"}, "tab", "notebook / engine"),
			Lang:  kb([]string{"ctrl+l"}, "ctrl+l", "한국어 / English"),
		},
		Start: startKeys{
			Up:       kb([]string{"up", "k"}, "↑/k", "up"),
			Down:     kb([]string{"down", "j"}, "↓/j", "down"),
			Open:     kb([]string{"enter"}, "enter", "open"),
			OpenPath: kb([]string{"o"}, "o", "open a file"),
		},
		Command: commandKeys{
			Up:          kb([]string{"up", "k"}, "↑/k", "previous cell"),
			Down:        kb([]string{"down", "j"}, "↓/j", "next cell"),
			Edit:        kb([]string{"enter"}, "enter", "edit the cell"),
			Run:         kb([]string{"ctrl+r", "alt+enter", "ctrl+enter"}, "ctrl+r, alt+enter", "run the cell"),
			RunNext:     kb([]string{"shift+enter"}, "shift+enter", "run, then next cell"),
			RunAll:      kb([]string{"R"}, "R", "run all cells"),
			InsertAbove: kb([]string{"a"}, "a", "insert a cell above"),
			InsertBelow: kb([]string{"b"}, "b", "insert a cell below"),
			Delete:      kb([]string{"d"}, "d d", "delete the cell"),
			MoveUp:      kb([]string{"ctrl+up", "K"}, "K", "move the cell up"),
			MoveDown:    kb([]string{"ctrl+down", "J"}, "J", "move the cell down"),
			Mode:        kb([]string{"m"}, "m", "result mode"),
			Interrupt:   kb([]string{"i"}, "i i", "interrupt"),
			Restart:     kb([]string{"0"}, "0 0", "restart the kernel"),
			Save:        kb([]string{"ctrl+s"}, "ctrl+s", "save"),
			Check:       kb([]string{"C"}, "C", "check the exercises"),
			PageUp:      kb([]string{"pgup", "ctrl+u"}, "pgup", "scroll up"),
			PageDown:    kb([]string{"pgdown", "ctrl+d"}, "pgdn", "scroll down"),
			Back:        kb([]string{"q", "esc"}, "q", "back to the tutorials"),
			Output:      kb([]string{"o"}, "o", "show the whole output / collapse it"),
			OutputPager: kb([]string{"O"}, "O", "open the output in a pager (scrolls sideways)"),
		},
		Edit: editKeys{
			Run:     kb([]string{"ctrl+r", "alt+enter", "ctrl+enter"}, "ctrl+r, alt+enter", "run the cell"),
			RunNext: kb([]string{"shift+enter"}, "shift+enter", "run, then next cell"),
			Leave:   kb([]string{"esc"}, "esc", "command mode"),
			Save:    kb([]string{"ctrl+s"}, "ctrl+s", "save"),
		},
		Live: liveKeys{
			Checkpoint: kb([]string{"c"}, "c", "trigger a checkpoint"),
			Savepoint:  kb([]string{"S"}, "S", "take a savepoint"),
			Kill:       kb([]string{"X"}, "X", "kill a TaskManager"),
			Pause:      kb([]string{"p"}, "p", "pause / resume the replay"),
			Step:       kb([]string{"."}, ".", "step the replay"),
			Faster:     kb([]string{"+", "="}, "+", "replay faster"),
			Slower:     kb([]string{"-"}, "-", "replay slower"),
			Guarantee:  kb([]string{"g"}, "g", "delivery guarantee of the next run"),
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
			c.Delete, c.MoveUp, c.MoveDown, c.Mode, c.Interrupt, c.Restart, c.Save, c.Check, c.Output, c.OutputPager, c.PageUp, c.PageDown, c.Back}},
		{"help.edit", []key.Binding{e.Run, e.RunNext, e.Leave, e.Save}},
		{"help.live", []key.Binding{l.Checkpoint, l.Savepoint, l.Kill, l.Pause, l.Step, l.Faster, l.Slower, l.Guarantee}},
	}
}

type helpGroup struct {
	title string
	keys  []key.Binding
}
