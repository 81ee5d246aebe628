package tui

import (
	"strings"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
)

// resultLines draws one result of a cell: a dim header (name, mode, count) and the rows in the cell's mode
// (a SQL result's newest interp.SQLCellRows rows).
func resultLines(r *interp.Result, meta notebook.Meta) []string {
	body := ""
	if r.IsSQL() {
		body = r.RenderLast(meta.Mode, meta.Key, interp.SQLCellRows)
	} else {
		body = r.Render(meta.Mode, meta.Key)
	}
	return []string{dimStyle.Render(r.Header(meta.Mode)), strings.TrimRight(body, "\n")}
}

// cellModes returns the result modes the m key cycles through for a cell, and the cell's mode now: a Go
// cell's (append by default) or a SQL cell's, the SQL client's tableau, table and changelog ("" is the mode
// SET in the cell, tableau by default).
func cellModes(c *notebook.Block) (modes []string, cur string) {
	if c.IsSQL() {
		cur = c.Meta.Mode
		if cur == "" {
			cur = interp.ModeTableau
		}
		return interp.SQLModes, cur
	}
	cur = c.Meta.Mode
	if cur == "" {
		cur = interp.ModeAppend
	}
	return interp.Modes, cur
}

// toggleLang switches the selected cell between Go and Flink SQL and returns its language; a result mode
// of the other language is dropped.
func (p *notebookPane) toggleLang() string {
	c := p.selected()
	if c == nil || c.Meta.ReadOnly {
		return ""
	}
	if c.IsSQL() {
		c.Lang = notebook.LangGo
	} else {
		c.Lang = notebook.LangSQL
	}
	modes, _ := cellModes(c)
	keep := false
	for _, m := range modes {
		keep = keep || m == c.Meta.Mode
	}
	if !keep {
		c.Meta.Mode = ""
	}
	p.dirty = true
	return c.Lang
}

// cellLexer names the highlighter of a cell's language.
func cellLexer(c *notebook.Block) string {
	if c.IsSQL() {
		return "sql"
	}
	return "go"
}
