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
// GroupBy("window_start", "window_end", ...) then aggregates per window.
func (t *Table) WindowTumble(timeCol, size string) *Table {
	return t.derive(fmt.Sprintf("WindowTumble(%q, %q)", timeCol, size),
		fmt.Sprintf("SELECT * FROM TABLE(TUMBLE(TABLE %s, DESCRIPTOR(`%s`), %s))", inputName, strings.ReplaceAll(timeCol, "`", "``"), size))
}

// WindowHop is WindowTumble for hopping (sliding) windows of size every slide: the HOP function.
func (t *Table) WindowHop(timeCol, slide, size string) *Table {
	return t.derive(fmt.Sprintf("WindowHop(%q, %q, %q)", timeCol, slide, size),
		fmt.Sprintf("SELECT * FROM TABLE(HOP(TABLE %s, DESCRIPTOR(`%s`), %s, %s))", inputName, strings.ReplaceAll(timeCol, "`", "``"), slide, size))
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
