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

func quoteArgs(args []string) string { return strings.Join(args, ", ") }

// Select projects the table to expressions written in SQL, each optionally with AS name: Flink's
// Table.select. Select("a", "b * 2 AS c", "UPPER(s)").
func (t *Table) Select(fields ...string) *Table {
	return t.derive(fmt.Sprintf("Select(%q)", fields), "SELECT "+quoteArgs(fields)+" FROM "+inputName)
}

// Where keeps the rows for which a SQL condition is TRUE: Flink's Table.where (and filter).
func (t *Table) Where(condition string) *Table {
	return t.derive(fmt.Sprintf("Where(%q)", condition), "SELECT * FROM "+inputName+" WHERE "+condition)
}

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
	keys []string
}

// GroupBy groups the table by SQL expressions (Flink's Table.groupBy); the result of its Select is an
// updating table, as a GROUP BY in SQL.
func (t *Table) GroupBy(keys ...string) *GroupedTable { return &GroupedTable{t: t, keys: keys} }

// Select computes the grouping keys and aggregates of each group: GroupBy("user").Select("user",
// "COUNT(url) AS cnt").
func (g *GroupedTable) Select(fields ...string) *Table {
	return g.t.derive(fmt.Sprintf("GroupBy(%q).Select(%q)", g.keys, fields),
		"SELECT "+quoteArgs(fields)+" FROM "+inputName+" GROUP BY "+quoteArgs(g.keys))
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

// OrderBy sorts the table by SQL expressions, each optionally followed by ASC or DESC: Flink's
// Table.orderBy, planned as ORDER BY. In streaming mode the first must be a time attribute, ascending,
// unless Limit follows; in batch mode any order is allowed (see package planner, ORDER BY and LIMIT).
func (t *Table) OrderBy(fields ...string) *Table {
	return t.derive(fmt.Sprintf("OrderBy(%q)", fields), "SELECT * FROM "+inputName+" ORDER BY "+quoteArgs(fields))
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
