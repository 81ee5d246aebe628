package table

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// inputName is the name a Table API operation gives the table it is called on, in the query it plans.
const inputName = "`__weir_input`"

// Err returns the first error of the operations that made the table (a column that does not exist, an
// expression that does not parse, ...), nil if there is none. Execute, ToDataStream, ToChangelogStream
// and CreateTemporaryView return it too.
func (t *Table) Err() error { return t.err }

// derive plans a query over t, written in SQL with t named inputName; op names the operation for errors.
func (t *Table) derive(op, query string) *Table {
	if t.err != nil {
		return &Table{tenv: t.tenv, err: t.err}
	}
	st, err := sqlparse.Parse(query)
	if err == nil {
		q, ok := st.(*sqlparse.QueryStatement)
		if !ok {
			err = fmt.Errorf("%w: not a query", ErrStatement)
		} else {
			var n planner.Node
			p := &planner.Planner{Catalog: t.tenv.catalog, Bound: map[string]planner.Node{"__weir_input": t.node}}
			if n, err = p.PlanQuery(q.Query); err == nil {
				return &Table{tenv: t.tenv, node: n}
			}
		}
	}
	return &Table{tenv: t.tenv, err: fmt.Errorf("%s: %w", op, err)}
}

// deriveArgs is derive of a query written around the table's SQL arguments (strings or Expressions).
func (t *Table) deriveArgs(op string, args []any, query func(sql string) string) *Table {
	if t.err != nil {
		return &Table{tenv: t.tenv, err: t.err}
	}
	sql, err := sqlArgs(op, args)
	if err != nil {
		return &Table{tenv: t.tenv, err: err}
	}
	return t.derive(op, query(sql))
}

// Select projects the table to expressions, each a SQL string (optionally with AS name) or an Expression:
// Flink's Table.select. Select("a", "b * 2 AS c", Call("UPPER", Col("s")).As("s")).
func (t *Table) Select(fields ...any) *Table {
	return t.deriveArgs(fmt.Sprintf("Select(%v)", fields), fields, func(f string) string { return "SELECT " + f + " FROM " + inputName })
}

// Where keeps the rows for which a condition, a SQL string or an Expression, is TRUE: Flink's Table.where.
// Where("price > 10") and Where(Col("price").IsGreater(10)) are the same.
func (t *Table) Where(condition any) *Table {
	return t.deriveArgs(fmt.Sprintf("Where(%v)", condition), []any{condition}, func(c string) string {
		return "SELECT * FROM " + inputName + " WHERE " + c
	})
}

// Filter is Where, Flink's Table.filter.
func (t *Table) Filter(condition any) *Table { return t.Where(condition) }

// UnionAll is the rows of both tables (Flink's Table.unionAll); their columns must match in number and
// type.
func (t *Table) UnionAll(other *Table) *Table {
	if t.err != nil || other == nil || other.err != nil || other.tenv != t.tenv {
		err := t.err
		if err == nil && (other == nil || other.tenv != t.tenv) {
			err = fmt.Errorf("%w: UnionAll needs a table of the same Environment", ErrStatement)
		} else if err == nil {
			err = other.err
		}
		return &Table{tenv: t.tenv, err: err}
	}
	p := &planner.Planner{Catalog: t.tenv.catalog, Bound: map[string]planner.Node{"__weir_l": t.node, "__weir_r": other.node}}
	st, _ := sqlparse.Parse("SELECT * FROM `__weir_l` UNION ALL SELECT * FROM `__weir_r`")
	n, err := p.PlanQuery(st.(*sqlparse.QueryStatement).Query)
	if err != nil {
		return &Table{tenv: t.tenv, err: fmt.Errorf("UnionAll: %w", err)}
	}
	return &Table{tenv: t.tenv, node: n}
}

// GroupedTable is a table grouped by keys, waiting for Select with aggregates: Flink's GroupedTable.
type GroupedTable struct {
	t    *Table
	keys []any
}

// GroupBy groups the table by expressions, SQL strings or Expressions (Flink's Table.groupBy); the result
// of its Select is an updating table, as a GROUP BY in SQL.
func (t *Table) GroupBy(keys ...any) *GroupedTable { return &GroupedTable{t: t, keys: keys} }

// Select computes the grouping keys and aggregates of each group: GroupBy("user").Select("user",
// "COUNT(url) AS cnt"), or GroupBy(Col("user")).Select(Col("user"), Col("url").Count().As("cnt")).
func (g *GroupedTable) Select(fields ...any) *Table {
	op := fmt.Sprintf("GroupBy(%v).Select(%v)", g.keys, fields)
	keys, err := sqlArgs(op, g.keys)
	if err != nil {
		return &Table{tenv: g.t.tenv, err: err}
	}
	return g.t.deriveArgs(op, fields, func(f string) string { return "SELECT " + f + " FROM " + inputName + " GROUP BY " + keys })
}

// WindowTumble assigns every row to a tumbling window of size (a SQL interval, "INTERVAL '10' SECOND") on
// its time attribute timeCol, adding the columns window_start, window_end and window_time: the TUMBLE
// table-valued function, what Flink's Table.window(Tumble.over(...).on(...)) plans to.
// GroupBy("window_start", "window_end", ...) then aggregates per window. The returned table's Err is
// ErrStatement if size is not one INTERVAL literal, and planner.ErrValidation if timeCol is not a column
// (naming the nearest one) or not a time attribute, or size is not positive.
func (t *Table) WindowTumble(timeCol, size string) *Table {
	return t.window(fmt.Sprintf("WindowTumble(%q, %q)", timeCol, size), planner.Tumble, timeCol, "size", size)
}

// WindowHop is WindowTumble for hopping (sliding) windows of size every slide: the HOP function, what
// Flink's Table.window(Slide.over(...).every(...).on(...)) plans to; each row is in size/slide windows.
// Its errors are WindowTumble's, and planner.ErrValidation if size is not a multiple of slide.
func (t *Table) WindowHop(timeCol, slide, size string) *Table {
	return t.window(fmt.Sprintf("WindowHop(%q, %q, %q)", timeCol, slide, size), planner.Hop, timeCol, "slide", slide, "size", size)
}

// WindowCumulate is WindowTumble for cumulating windows: the CUMULATE function, which assigns a row to the
// windows that start where its tumbling window of size starts and end every step up to size (with step
// "INTERVAL '1' MINUTE" and size "INTERVAL '1' HOUR", [00:00, 00:01), [00:00, 00:02), ... [00:00, 01:00)),
// so that a GroupBy of window_start and window_end gives a window's running aggregate at every step.
// Its errors are WindowTumble's, and planner.ErrValidation if size is not a multiple of step.
func (t *Table) WindowCumulate(timeCol, step, size string) *Table {
	return t.window(fmt.Sprintf("WindowCumulate(%q, %q, %q)", timeCol, step, size), planner.Cumulate, timeCol, "step", step, "size", size)
}

// WindowSession assigns rows to session windows on the time attribute timeCol: the SESSION function
// (without PARTITION BY), what Flink's Table.window(Session.withGap(...).on(...)) plans to. A session ends
// after gap (a SQL interval, "INTERVAL '30' SECOND") without rows; its window_start is its first row's
// time and its window_end the last row's time plus gap. GroupBy("user", "window_start", "window_end")
// then keeps the sessions of each user apart, as a grouped session window does in Flink; without an
// aggregation the sessions span all rows, and each row is emitted when its session ends. Its errors are
// WindowTumble's, for gap.
func (t *Table) WindowSession(timeCol, gap string) *Table {
	return t.window(fmt.Sprintf("WindowSession(%q, %q)", timeCol, gap), planner.Session, timeCol, "gap", gap)
}

// window plans the window TVF kind over t on the time attribute timeCol; args are its interval arguments,
// each a name (for errors) followed by its SQL text, which must be one INTERVAL literal.
func (t *Table) window(op string, kind planner.WindowKind, timeCol string, args ...string) *Table {
	if t.err != nil {
		return &Table{tenv: t.tenv, err: t.err}
	}
	var sql strings.Builder
	fmt.Fprintf(&sql, "SELECT * FROM TABLE(%s(TABLE %s, DESCRIPTOR(`%s`)", kind, inputName, strings.ReplaceAll(timeCol, "`", "``"))
	for i := 0; i+1 < len(args); i += 2 {
		name, text := args[i], args[i+1]
		if e, err := sqlparse.ParseExpr(text); err != nil {
			return &Table{tenv: t.tenv, err: fmt.Errorf("%w: %s: %s %q is not an interval such as INTERVAL '5' SECOND: %v", ErrStatement, op, name, text, err)}
		} else if _, ok := e.(*sqlparse.Interval); !ok {
			return &Table{tenv: t.tenv, err: fmt.Errorf("%w: %s: %s %q is not an interval such as INTERVAL '5' SECOND", ErrStatement, op, name, text)}
		}
		sql.WriteString(", " + text)
	}
	sql.WriteString("))")
	return t.derive(op, sql.String())
}

// OrderBy sorts the table by expressions, SQL strings each optionally followed by ASC or DESC, or
// Expressions (Col("ts").Desc()): Flink's Table.orderBy, planned as ORDER BY. In streaming mode the first
// must be a time attribute, ascending, unless Limit follows; in batch mode any order is allowed (see
// package planner, ORDER BY and LIMIT).
func (t *Table) OrderBy(fields ...any) *Table {
	return t.deriveArgs(fmt.Sprintf("OrderBy(%v)", fields), fields, func(f string) string { return "SELECT * FROM " + inputName + " ORDER BY " + f })
}

// Limit keeps the first n rows (Flink's Table.fetch): of an OrderBy table the first n in its order, as
// ORDER BY ... LIMIT n; otherwise the first n to arrive. n must not be negative.
func (t *Table) Limit(n int) *Table {
	if n < 0 {
		return &Table{tenv: t.tenv, err: fmt.Errorf("%w: Limit(%d): the number of rows must not be negative", ErrStatement, n)}
	}
	if t.err == nil {
		if s, ok := t.node.(*planner.SortNode); ok && s.Limit < 0 {
			cp := *s
			cp.Limit = int64(n)
			return &Table{tenv: t.tenv, node: &cp}
		}
	}
	return t.derive(fmt.Sprintf("Limit(%d)", n), fmt.Sprintf("SELECT * FROM %s LIMIT %d", inputName, n))
}
