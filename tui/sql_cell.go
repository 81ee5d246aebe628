package tui

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// resultLines draws one result of a cell: a dim header (name, mode, count) and the rows in the cell's mode.
// A SQL result shows its newest interp.SQLCellRows rows (the first ones of a table), and says how to see
// the rest, unless full: then (the expanded output and the pager) it shows up to interp.MaxRows rows, the
// rows a result keeps for the workbench, and a line says how many of how many are shown when there are more.
func resultLines(r *interp.Result, meta notebook.Meta, full bool, lang i18n.Lang) []string {
	lines := []string{dimStyle.Render(r.Header(meta.Mode))}
	if !r.IsSQL() {
		return append(lines, strings.TrimRight(r.Render(meta.Mode, meta.Key), "\n"))
	}
	limit := interp.SQLCellRows
	if full {
		limit = interp.MaxRows
	}
	body := strings.TrimRight(r.RenderLast(meta.Mode, meta.Key, limit), "\n")
	total := 0
	if r.Len() > limit { // a table has at most as many rows as changes: count them only when it may matter
		total = r.Total(meta.Mode)
	}
	switch { // the note goes under the header, where a collapsed output does not cut it off
	case total <= limit:
	case !full:
		lines = append(lines, dimStyle.Render(fmt.Sprintf(lang.T("sql.more"), total)))
	case r.Mode(meta.Mode) == interp.ModeTable:
		lines = append(lines, dimStyle.Render(fmt.Sprintf(lang.T("sql.firstrows"), limit, total)))
	default:
		lines = append(lines, dimStyle.Render(fmt.Sprintf(lang.T("sql.newestchanges"), limit, total)))
	}
	return append(lines, body)
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
