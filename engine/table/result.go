package table

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
)

// ResultMode is how a result is shown, the SQL client's sql-client.execution.result-mode.
type ResultMode string

// The SQL client's result modes.
const (
	// ResultTable shows the current content of the result: the changelog so far applied, updates in place.
	ResultTable ResultMode = "table"
	// ResultChangelog shows every change as it came: its op (+I, -U, +U, -D) and its row.
	ResultChangelog ResultMode = "changelog"
	// ResultTableau prints the changes in an ASCII table with an op column, as the client's tableau mode does.
	ResultTableau ResultMode = "tableau"
)

// TableResult is the result of a statement: a static table for DDL, SHOW, DESCRIBE, SET and EXPLAIN, the
// job of an INSERT INTO, or the changelog of a query, which grows while its job runs.
type TableResult struct {
	cols    []Column
	static  [][]any
	isQuery bool
	mode    ResultMode // the result mode SET when the statement ran, Print's default
	job     *engine.Job

	mu   sync.Mutex
	rows []Row
}

func okResult() *TableResult {
	return staticResult([]Column{{Name: "result", Type: planner.TypeString}}, [][]any{{"OK"}})
}

func staticResult(cols []Column, rows [][]any) *TableResult {
	return &TableResult{cols: cols, static: rows}
}

func (r *TableResult) add(row Row) {
	r.mu.Lock()
	r.rows = append(r.rows, row)
	r.mu.Unlock()
}

// Columns returns the result's columns.
func (r *TableResult) Columns() []Column { return r.cols }

// Job returns the job of a query or an INSERT INTO, nil for other statements.
func (r *TableResult) Job() *engine.Job { return r.job }

// Await waits until the job of a query or INSERT INTO has ended, and returns its error; it returns nil
// at once for other statements. A query over an unbounded source never ends: cancel its Job.
func (r *TableResult) Await() error {
	if r.job == nil {
		return nil
	}
	return r.job.Wait()
}

// Changes returns the changelog received so far: every row with its kind, in arrival order. For a static
// result it is the rows as +I.
func (r *TableResult) Changes() []Row {
	if !r.isQuery {
		out := make([]Row, len(r.static))
		for i, s := range r.static {
			out[i] = Row{Kind: Insert, Fields: s}
		}
		return out
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Row(nil), r.rows...)
}

// Rows returns the current content of the result: the changelog so far applied in order (+I and +U add a
// row, -U and -D remove an equal one), in the order rows were added, as the client's table mode shows it.
func (r *TableResult) Rows() [][]any {
	var out [][]any
	for _, c := range r.Changes() {
		if c.Kind.IsAccumulate() {
			out = append(out, c.Fields)
			continue
		}
		for i := range out {
			if sameRow(out[i], c.Fields, r.cols) {
				out = append(out[:i], out[i+1:]...)
				break
			}
		}
	}
	return out
}

func sameRow(a, b []any, cols []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		var t planner.DataType
		if i < len(cols) {
			t = cols[i].Type
		}
		if planner.FormatValue(a[i], t) != planner.FormatValue(b[i], t) {
			return false
		}
	}
	return true
}

// Strings returns the changelog as lines "+I[a, 1]", values formatted by their column types.
func (r *TableResult) Strings() []string {
	var out []string
	for _, c := range r.Changes() {
		out = append(out, planner.FormatRow(c, r.cols))
	}
	return out
}

// String returns the result in tableau mode.
func (r *TableResult) String() string {
	var sb strings.Builder
	_ = r.Print(&sb, ResultTableau)
	return sb.String()
}

// Print writes the result in a result mode; the empty mode is the one SET as
// 'sql-client.execution.result-mode' when the statement ran, else ResultTableau. It shows what has
// arrived so far; call Await first for a bounded query's final result.
func (r *TableResult) Print(w io.Writer, mode ResultMode) error { return r.print(w, mode, 0) }

// print is Print showing at most limit rows (0: all): the last changes in the changelog and tableau modes,
// the first rows of the current content in table mode, with a line counting the rows left out.
func (r *TableResult) print(w io.Writer, mode ResultMode, limit int) error {
	if mode == "" {
		mode = r.mode
	}
	var header []string
	var body [][]string
	op := r.isQuery && mode != ResultTable
	if op {
		header = append(header, "op")
	}
	for _, c := range r.cols {
		header = append(header, c.Name)
	}
	format := func(fields []any) []string {
		var cells []string
		for i, f := range fields {
			var t planner.DataType
			if i < len(r.cols) {
				t = r.cols[i].Type
			}
			cells = append(cells, planner.FormatValue(f, t))
		}
		return cells
	}
	if mode == ResultTable || !r.isQuery {
		for _, f := range r.Rows() {
			body = append(body, format(f))
		}
	} else {
		for _, c := range r.Changes() {
			body = append(body, append([]string{c.Kind.String()}, format(c.Fields)...))
		}
	}
	total, omitted := len(body), ""
	if limit > 0 && len(body) > limit {
		if mode == ResultTable || !r.isQuery {
			omitted = fmt.Sprintf("… %d more rows\n", len(body)-limit)
			body = body[:limit]
		} else {
			omitted = fmt.Sprintf("… %d earlier rows\n", len(body)-limit)
			body = body[len(body)-limit:]
		}
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range body {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	pad := func(s string, w int) string { return strings.Repeat(" ", w-utf8.RuneCountInString(s)) + s }
	var sb strings.Builder
	switch mode {
	case ResultChangelog:
		// The client's changelog view: one change a line, no borders.
		for i, h := range header {
			if i > 0 {
				sb.WriteString(" ")
			}
			sb.WriteString(pad(h, widths[i]))
		}
		sb.WriteString("\n")
		if omitted != "" {
			sb.WriteString(omitted)
		}
		for _, row := range body {
			for i, c := range row {
				if i > 0 {
					sb.WriteString(" ")
				}
				sb.WriteString(pad(c, widths[i]))
			}
			sb.WriteString("\n")
		}
	default:
		line := func() {
			sb.WriteString("+")
			for _, w := range widths {
				sb.WriteString(strings.Repeat("-", w+2) + "+")
			}
			sb.WriteString("\n")
		}
		cells := func(row []string) {
			sb.WriteString("|")
			for i, c := range row {
				sb.WriteString(" " + pad(c, widths[i]) + " |")
			}
			sb.WriteString("\n")
		}
		line()
		cells(header)
		line()
		if omitted != "" && mode != ResultTable && r.isQuery {
			sb.WriteString(omitted)
		}
		for _, row := range body {
			cells(row)
		}
		line()
		if omitted != "" && (mode == ResultTable || !r.isQuery) {
			sb.WriteString(omitted)
		}
		if total == 1 {
			sb.WriteString("1 row in set\n")
		} else if r.isQuery && mode == ResultTableau {
			fmt.Fprintf(&sb, "Received a total of %d rows\n", total)
		} else {
			fmt.Fprintf(&sb, "%d rows in set\n", total)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
