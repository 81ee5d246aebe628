package table

import (
	"fmt"
	"sort"
	"strings"

	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// Join is the inner join of the table with right on condition, a SQL string or an Expression (nil: every
// pair of rows, Flink's join(right) before a where): Flink's Table.join(right, joinPredicate). The result
// has the columns of both tables, which must have different names, as in Flink's Table API (rename one
// side's with Select(Col("id").As("order_id")) first). It is planned as SQL's JOIN ... ON, so the rules of
// package planner apply: a regular join keyed by the condition's equalities, an interval join when the
// condition bounds two time attributes, a window join of two tables on the same window.
//
//	orders.Join(products, Col("product").IsEqual(Col("id"))).Select("product", "price * amount AS total")
func (t *Table) Join(right *Table, condition any) *Table {
	return t.join("Join", "JOIN", right, condition)
}

// LeftOuterJoin is Join keeping every row of the table, padded with NULLs where right has no match:
// Flink's Table.leftOuterJoin.
func (t *Table) LeftOuterJoin(right *Table, condition any) *Table {
	return t.join("LeftOuterJoin", "LEFT OUTER JOIN", right, condition)
}

// RightOuterJoin is Join keeping every row of right, Flink's Table.rightOuterJoin.
func (t *Table) RightOuterJoin(right *Table, condition any) *Table {
	return t.join("RightOuterJoin", "RIGHT OUTER JOIN", right, condition)
}

// FullOuterJoin is Join keeping every row of both tables, Flink's Table.fullOuterJoin.
func (t *Table) FullOuterJoin(right *Table, condition any) *Table {
	return t.join("FullOuterJoin", "FULL OUTER JOIN", right, condition)
}

func (t *Table) join(op, kind string, right *Table, condition any) *Table {
	fail := func(err error) *Table { return &Table{tenv: t.tenv, err: err} }
	switch {
	case t.err != nil:
		return fail(t.err)
	case right == nil || right.tenv != t.tenv:
		return fail(fmt.Errorf("%w: %s needs a table of the same Environment", ErrStatement, op))
	case right.err != nil:
		return fail(right.err)
	}
	left := map[string]bool{}
	for _, c := range t.node.Columns() {
		left[strings.ToLower(c.Name)] = true
	}
	var both []string
	for _, c := range right.node.Columns() {
		if left[strings.ToLower(c.Name)] {
			both = append(both, c.Name)
		}
	}
	if len(both) > 0 {
		sort.Strings(both)
		return fail(fmt.Errorf("%w: %s: both tables have the column(s) %s; the Table API joins tables of distinct column names: rename them on one side with Select(Col(%q).As(...), ...)",
			planner.ErrValidation, op, strings.Join(both, ", "), both[0]))
	}
	on := "TRUE"
	if condition != nil {
		var err error
		if on, err = sqlArgs(op, []any{condition}); err != nil {
			return fail(err)
		}
	}
	query := "SELECT * FROM `__weir_l` " + kind + " `__weir_r` ON " + on
	st, err := sqlparse.Parse(query)
	if err != nil {
		return fail(fmt.Errorf("%s(%v): %w", op, condition, err))
	}
	p := &planner.Planner{Catalog: t.tenv.catalog, Bound: map[string]planner.Node{"__weir_l": t.node, "__weir_r": right.node}}
	n, err := p.PlanQuery(st.(*sqlparse.QueryStatement).Query)
	if err != nil {
		return fail(fmt.Errorf("%s(%v): %w", op, condition, err))
	}
	return &Table{tenv: t.tenv, node: n}
}
