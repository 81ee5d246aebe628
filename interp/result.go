package interp

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	sqltable "github.com/de4e/weir/engine/table"
)

// Result is a stream a cell collects (DataStream.Collect), or the result of a statement of a SQL cell; it
// fills while the job runs, so rendering it again shows the job's progress.
type Result struct {
	Name      string                // the operator that produces the stream, or the SQL statement ("line 3: SELECT ...")
	Collected *engine.Collected     // a Go cell's collected stream; nil for a SQL result
	Table     *sqltable.TableResult // a SQL cell's statement result; nil for a collected stream
	Drawn     *Drawn                // a result drawn by a kernel in another process; nil for the two above
}

// Drawn is a result as a kernel process sends it (package kernel): drawn in every mode of its cell's
// language, with the cell's key, since the values themselves may be of types declared in cells.
type Drawn struct {
	SQL     bool   // a SQL cell's result
	Query   bool   // a SQL query's result (not SHOW, DESCRIBE or EXPLAIN)
	SetMode string // the mode SET in the SQL cell (TableResult.Mode), "" if none
	Len     int
	Rows    int // a SQL result's rows in table mode (the current content); Len in the other modes
	// Text holds the renderings, by DrawnKey(mode, rows): with MaxRows rows, and with SQLCellRows rows for a
	// SQL result.
	Text map[string]string
}

// DrawnKey is the key of Drawn.Text of the rendering in mode with at most rows rows.
func DrawnKey(mode string, rows int) string { return fmt.Sprintf("%s/%d", mode, rows) }

// Draw returns the result drawn in every mode of its language with key, as Drawn.
func (r *Result) Draw(key string) *Drawn {
	if r.Drawn != nil {
		return r.Drawn
	}
	d := &Drawn{SQL: r.Table != nil, Len: r.Len(), Text: map[string]string{}}
	modes, rows := Modes, []int{MaxRows}
	if d.SQL {
		d.Query, d.SetMode = r.Table.IsQuery(), string(r.Table.Mode())
		d.Rows = len(r.Table.Rows())
		modes, rows = SQLModes, []int{MaxRows, SQLCellRows}
	}
	for _, m := range modes {
		for _, n := range rows {
			d.Text[DrawnKey(m, n)] = r.RenderLast(m, key, n)
		}
	}
	return d
}

// The result modes of a cell (notebook.Meta.Mode).
const (
	ModeAppend    = "append"    // every record, in arrival order (the default)
	ModeTable     = "table"     // the latest row per key, updated in place
	ModeChangelog = "changelog" // the table's changes: +I for a new key, -U and +U for an update
	ModeValue     = "value"     // the latest record only
)

// Modes lists the result modes of Go cells.
var Modes = []string{ModeAppend, ModeTable, ModeChangelog, ModeValue}

// ModeTableau is the SQL client's tableau mode: a query's changes in an ASCII table with an op column.
const ModeTableau = "tableau"

// SQLModes lists the result modes of SQL cells, those of Flink's SQL client
// ('sql-client.execution.result-mode'): table (ModeTable), changelog (ModeChangelog) and tableau.
var SQLModes = []string{ModeTableau, ModeTable, ModeChangelog}

// Len returns how many records the result holds: collected values, or the changes of a SQL result.
func (r *Result) Len() int {
	if r.Drawn != nil {
		return r.Drawn.Len
	}
	if r.Table != nil {
		return len(r.Table.Changes())
	}
	return r.Collected.Len()
}

// Total returns how many rows a SQL result has in the mode it is shown in for a cell's mode (Mode): the
// current content's rows in table mode, the changes in the changelog and tableau modes. It returns Len for a
// Go result.
func (r *Result) Total(cellMode string) int {
	if !r.IsSQL() || r.Mode(cellMode) != ModeTable {
		return r.Len()
	}
	if r.Drawn != nil {
		return r.Drawn.Rows
	}
	return len(r.Table.Rows())
}

// Mode returns the mode the result is shown in for a cell's mode: a Go result's is the cell's (append by
// default); a SQL result's is the cell's when it is one of SQLModes, else the one SET as
// 'sql-client.execution.result-mode' when the statement ran, else tableau.
func (r *Result) Mode(cellMode string) string {
	setMode := ""
	switch {
	case r.Drawn != nil:
		setMode = r.Drawn.SetMode
	case r.Table != nil:
		setMode = string(r.Table.Mode())
	}
	if !r.IsSQL() {
		if cellMode == "" {
			return ModeAppend
		}
		return cellMode
	}
	for _, m := range SQLModes {
		if m == cellMode {
			return m
		}
	}
	if setMode != "" {
		return setMode
	}
	return ModeTableau
}

// Header returns the line shown above a result: its name, its mode and how many records it holds.
func (r *Result) Header(cellMode string) string {
	if !r.IsQuery() { // SHOW, DESCRIBE, EXPLAIN: a static table, the same in every mode
		return fmt.Sprintf("[%s · %d]", r.Name, r.Len())
	}
	return fmt.Sprintf("[%s · %s · %d]", r.Name, r.Mode(cellMode), r.Len())
}

// IsSQL reports whether the result is a SQL statement's.
func (r *Result) IsSQL() bool { return r.Table != nil || r.Drawn != nil && r.Drawn.SQL }

// IsQuery reports whether the result changes with its job: a collected stream or a SQL query's result; false
// for SHOW, DESCRIBE and EXPLAIN, which are static tables, the same in every mode.
func (r *Result) IsQuery() bool {
	switch {
	case r.Drawn != nil:
		return !r.Drawn.SQL || r.Drawn.Query
	case r.Table != nil:
		return r.Table.IsQuery()
	}
	return true
}

// MaxRows bounds how many rows Render shows; the rest is counted.
const MaxRows = 200

// SQLCellRows is how many rows a SQL result shows in its cell in the workbench: the newest changes of a
// changelog or tableau, the first rows of a table, so that a running query's latest rows stay in view.
const SQLCellRows = 10

// Render formats the result in a mode. key names the struct field that identifies a table row; "" uses
// Key, Start and End for window results and the first field of other structs, and the whole value for
// anything else.
func (r *Result) Render(mode, key string) string { return r.RenderLast(mode, key, MaxRows) }

// RenderLast is Render showing at most n rows (the last records in the append and changelog modes, the
// first rows of a table); a SQL result is shown as Flink's SQL client shows it (TableResult.PrintLast) in
// the mode Mode picks.
func (r *Result) RenderLast(mode, key string, n int) string {
	if d := r.Drawn; d != nil { // drawn with the cell's key; a Go result's mode as Render reads it
		m := r.Mode(mode)
		if !d.SQL && !slices.Contains(Modes, m) {
			m = ModeAppend
		}
		if t, ok := d.Text[DrawnKey(m, n)]; ok {
			return t
		}
		return d.Text[DrawnKey(m, MaxRows)]
	}
	if r.Table != nil {
		var b strings.Builder
		_ = r.Table.PrintLast(&b, sqltable.ResultMode(r.Mode(mode)), n)
		return b.String()
	}
	maxRows := max(1, n)
	recs := r.Collected.Records()
	var b strings.Builder
	tw := &columns{}
	more := 0
	switch mode {
	case ModeValue:
		if len(recs) == 0 {
			return "(no value yet)\n"
		}
		return formatRow(recs[len(recs)-1].Value) + "\n"
	case ModeTable:
		order, rows := table(recs, key)
		sort.Slice(order, func(i, j int) bool { return keyLess(order[i], order[j]) }) // the same on every run
		header(tw, recs, "")
		if len(order) > maxRows {
			more, order = len(order)-maxRows, order[:maxRows]
		}
		for _, k := range order {
			fmt.Fprintln(tw, cells(rows[k]))
		}
	case ModeChangelog:
		changes := changelog(recs, key)
		header(tw, recs, "op\t")
		if len(changes) > maxRows {
			more, changes = len(changes)-maxRows, changes[len(changes)-maxRows:]
		}
		for _, c := range changes {
			fmt.Fprintf(tw, "%s\t%s\n", c.Op, cells(c.Value))
		}
	default:
		if len(recs) > maxRows {
			more, recs = len(recs)-maxRows, recs[len(recs)-maxRows:]
		}
		for _, rec := range recs {
			fmt.Fprintln(tw, formatRow(rec.Value))
		}
	}
	tw.flush(&b)
	if more > 0 {
		fmt.Fprintf(&b, "… %d more rows\n", more)
	}
	if len(recs) == 0 {
		b.WriteString("(no rows yet)\n")
	}
	return b.String()
}

// Change is one row of a changelog.
type Change struct {
	Op    string // "+I", "-U", "+U" or "-D"
	Value any
}

// changelog turns a stream of upserts into Flink's changelog rows: +I the first time a key is seen, then
// -U (the old row) and +U (the new one) for every update. A value that reports itself deleted (a
// Retraction) gives -D.
func changelog(recs []engine.TimestampedValue, key string) []Change {
	last := map[string]any{}
	var out []Change
	for _, r := range recs {
		k := rowKey(r.Value, key)
		old, seen := last[k]
		if d, ok := r.Value.(Retraction); ok && d.Retracted() {
			if seen {
				out = append(out, Change{"-D", old})
				delete(last, k)
			}
			continue
		}
		if seen {
			out = append(out, Change{"-U", old}, Change{"+U", r.Value})
		} else {
			out = append(out, Change{"+I", r.Value})
		}
		last[k] = r.Value
	}
	return out
}

// Retraction is implemented by values that can delete their row from a table result.
type Retraction interface {
	Retracted() bool
}

func table(recs []engine.TimestampedValue, key string) ([]string, map[string]any) {
	rows := map[string]any{}
	var order []string
	for _, ch := range changelog(recs, key) {
		k := rowKey(ch.Value, key)
		switch ch.Op {
		case "+I":
			order = append(order, k)
			rows[k] = ch.Value
		case "+U":
			rows[k] = ch.Value
		case "-D":
			delete(rows, k)
		}
	}
	live := order[:0]
	for _, k := range order {
		if _, ok := rows[k]; ok {
			live = append(live, k)
		}
	}
	return live, rows
}

// rowKey returns the identity of a table row.
func rowKey(v any, key string) string {
	if w, ok := v.(engine.WindowResult); ok && key == "" {
		return fmt.Sprintf("%v\x00%d\x00%d", w.Key, w.Start, w.End)
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct && rv.NumField() > 0 {
		if key != "" {
			if f := rv.FieldByName(key); f.IsValid() {
				return fmt.Sprint(f)
			}
		}
		return fmt.Sprint(rv.Field(0))
	}
	return fmt.Sprint(v)
}

// header writes the field names of the rows' struct type, if they are structs.
func header(tw *columns, recs []engine.TimestampedValue, prefix string) {
	if len(recs) == 0 {
		return
	}
	rv := reflect.ValueOf(recs[0].Value)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return
	}
	names := make([]string, rv.NumField())
	for i := range names {
		names[i] = rv.Type().Field(i).Name
	}
	fmt.Fprintln(tw, prefix+strings.Join(names, "\t"))
}

// cells formats a row's fields separated by tabs.
func cells(v any) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return formatRow(v)
	}
	parts := make([]string, rv.NumField())
	for i := range parts {
		parts[i] = fmt.Sprint(rv.Field(i))
	}
	return strings.Join(parts, "\t")
}

func formatRow(v any) string {
	if w, ok := v.(engine.WindowResult); ok {
		return fmt.Sprintf("%v [%d, %d) %v", w.Key, w.Start, w.End, w.Value)
	}
	return fmt.Sprintf("%v", v)
}

// columns lines up tab-separated rows by their display width, so that Korean text (two cells a syllable)
// stays aligned; text/tabwriter counts runes instead.
type columns struct {
	rows [][]string
}

func (c *columns) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		c.rows = append(c.rows, strings.Split(line, "\t"))
	}
	return len(p), nil
}

func (c *columns) flush(b *strings.Builder) {
	var widths []int
	for _, r := range c.rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	for _, r := range c.rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	c.rows = nil
}

// keyLess orders row keys part by part (a window result's key is key, start, end), numbers as numbers.
func keyLess(a, b string) bool {
	pa, pb := strings.Split(a, "\x00"), strings.Split(b, "\x00")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		x, errX := strconv.ParseFloat(pa[i], 64)
		y, errY := strconv.ParseFloat(pb[i], 64)
		if errX == nil && errY == nil {
			return x < y
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}
