package tui

import (
	"strings"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
)

// indentUnit is one level of indentation in the editor. The textarea shows a tab as this many spaces (it
// replaces tabs on input); a cell that indents with tabs gets them back from Value.
const indentUnit = "    "

// maxUndo bounds the editor's undo history.
const maxUndo = 200

// cellEditor is the notebook's code editor: bubbles' textarea with what a code editor does besides. Tab
// indents and shift+tab dedents the line; Enter keeps the line's indentation and indents once more after an
// opening {, ( or [; a } typed on a blank indented line dedents it; ctrl+z undoes and ctrl+y (or ctrl+shift+z)
// redoes, a run of typed characters being one step. A cell that indents with tabs (Go's own style, and the
// default of a cell without indentation) is given back with tabs, so saving keeps the file's tabs.
type cellEditor struct {
	ta textarea.Model
	// tabs is set when Value turns leading indentUnits back into tabs.
	tabs       bool
	undo, redo []editorState
	// typing is set while characters are typed one after the other: they are one undo step.
	typing bool
}

// editorState is a snapshot for undo: the text and the cursor.
type editorState struct {
	text     string
	row, col int
}

func newCellEditor() cellEditor {
	ta := textarea.New()
	ta.ShowLineNumbers = true
	ta.CharLimit = 0
	ta.MaxHeight = 0
	return cellEditor{ta: ta}
}

// SetValue puts text into the editor, forgetting the undo history. Its tabs show as indentUnit.
func (e *cellEditor) SetValue(text string) {
	e.tabs = indentsWithTabs(text)
	e.ta.SetValue(text)
	e.undo, e.redo, e.typing = nil, nil, false
}

// Value returns the editor's text, with leading indentUnits as tabs when the cell indents with tabs.
func (e cellEditor) Value() string {
	v := e.ta.Value()
	if !e.tabs {
		return v
	}
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		n := 0
		for strings.HasPrefix(l[n*len(indentUnit):], indentUnit) {
			n++
		}
		lines[i] = strings.Repeat("\t", n) + l[n*len(indentUnit):]
	}
	return strings.Join(lines, "\n")
}

// indentsWithTabs reports whether text indents with tabs, or has no indentation at all (then the editor
// writes Go's tabs).
func indentsWithTabs(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "\t"):
			return true
		case strings.HasPrefix(l, " "):
			return false
		}
	}
	return true
}

// SetSize gives the editor its width and a height for text of its line count, between 3 and maxH lines.
func (e *cellEditor) SetSize(w, maxH int) {
	e.ta.SetWidth(max(10, w))
	e.ta.SetHeight(max(3, min(e.ta.LineCount()+1, max(3, maxH))))
}

// LineCount returns the number of lines of text.
func (e cellEditor) LineCount() int { return e.ta.LineCount() }

// Focus focuses the editor.
func (e *cellEditor) Focus() tea.Cmd { return e.ta.Focus() }

// Blur blurs the editor.
func (e *cellEditor) Blur() { e.ta.Blur() }

// View draws the editor.
func (e cellEditor) View() string { return e.ta.View() }

func (e cellEditor) state() editorState {
	return editorState{e.ta.Value(), e.ta.Line(), e.ta.Column()}
}

// restore puts a snapshot back, cursor included.
func (e *cellEditor) restore(s editorState) {
	e.ta.SetValue(s.text)
	e.ta.MoveToBegin()
	for i := 0; e.ta.Line() < s.row && i < 100000; i++ {
		e.ta.CursorDown()
	}
	e.ta.SetCursorColumn(s.col)
}

// line returns the cursor's line and the cursor's column in it (in runes).
func (e cellEditor) line() ([]rune, int) {
	lines := strings.Split(e.ta.Value(), "\n")
	row := min(e.ta.Line(), len(lines)-1)
	return []rune(lines[row]), e.ta.Column()
}

// leading returns the indentation (spaces) line starts with.
func leading(line []rune) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// Update handles a key (or a paste): the editor's own keys first, then the textarea's, recording undo steps.
func (e cellEditor) Update(msg tea.Msg) (cellEditor, tea.Cmd) {
	k, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch k.String() {
		case "ctrl+z":
			e.step(&e.undo, &e.redo)
			return e, nil
		case "ctrl+y", "ctrl+shift+z":
			e.step(&e.redo, &e.undo)
			return e, nil
		}
	}
	before := e.state()
	typed := isKey && len([]rune(k.Text)) == 1 && k.Text != " " && k.Mod&^tea.ModShift == 0
	var cmd tea.Cmd
	switch {
	case isKey && k.String() == "tab":
		e.ta.InsertString(indentUnit)
	case isKey && k.String() == "shift+tab":
		e.dedent()
	case isKey && k.String() == "enter":
		line, col := e.line()
		indent := strings.Repeat(" ", leading(line))
		if before := strings.TrimSpace(string(line[:min(col, len(line))])); before != "" && strings.ContainsAny(before[len(before)-1:], "{([") {
			indent += indentUnit
		}
		e.ta, cmd = e.ta.Update(msg)
		e.ta.InsertString(indent)
	case isKey && k.Text == "}":
		if line, col := e.line(); col == len(line) && leading(line) == len(line) && len(line) >= len(indentUnit) {
			e.dedent()
		}
		e.ta, cmd = e.ta.Update(msg)
	default:
		e.ta, cmd = e.ta.Update(msg)
	}
	if e.ta.Value() != before.text {
		if !(typed && e.typing) {
			e.undo = append(e.undo, before)
			if len(e.undo) > maxUndo {
				e.undo = e.undo[len(e.undo)-maxUndo:]
			}
		}
		e.redo = nil
	}
	e.typing = typed
	return e, cmd
}

// step moves one state from one history to the other: from undo to redo (undo), or back (redo).
func (e *cellEditor) step(from, to *[]editorState) {
	e.typing = false
	if len(*from) == 0 {
		return
	}
	s := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	*to = append(*to, e.state())
	e.restore(s)
}

// dedent removes one indentUnit (or what there is of it) from the start of the cursor's line.
func (e *cellEditor) dedent() {
	line, col := e.line()
	n := min(len(indentUnit), leading(line))
	if n == 0 {
		return
	}
	e.ta.SetCursorColumn(n)
	for range n {
		e.ta, _ = e.ta.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	e.ta.SetCursorColumn(max(0, col-n))
}
