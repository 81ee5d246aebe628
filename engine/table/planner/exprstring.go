package planner

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// ExprString prints an expression in SQL, without positions: two expressions that print the same are the
// same expression (GROUP BY matching uses this), and computed columns and plans show it.
func ExprString(e sqlparse.Expr) string {
	switch x := e.(type) {
	case *sqlparse.Ident:
		parts := make([]string, len(x.Parts))
		for i, p := range x.Parts {
			parts[i] = "`" + p + "`"
		}
		return strings.Join(parts, ".")
	case *sqlparse.Literal:
		switch x.Kind {
		case sqlparse.LitString:
			return "'" + strings.ReplaceAll(x.Text, "'", "''") + "'"
		case sqlparse.LitTimestamp:
			return "TIMESTAMP '" + x.Text + "'"
		case sqlparse.LitDate:
			return "DATE '" + x.Text + "'"
		case sqlparse.LitTime:
			return "TIME '" + x.Text + "'"
		}
		return x.Text
	case *sqlparse.Interval:
		s := fmt.Sprintf("INTERVAL '%s' %s", x.Value, x.Unit)
		if x.ToUnit != "" {
			s += " TO " + x.ToUnit
		}
		return s
	case *sqlparse.Unary:
		if x.Op == "NOT" {
			return "NOT " + ExprString(x.X)
		}
		return x.Op + ExprString(x.X)
	case *sqlparse.Binary:
		return "(" + ExprString(x.L) + " " + x.Op + " " + ExprString(x.R) + ")"
	case *sqlparse.Call:
		var args []string
		if x.Star {
			args = []string{"*"}
		}
		for _, a := range x.Args {
			args = append(args, ExprString(a))
		}
		d := ""
		if x.Distinct {
			d = "DISTINCT "
		}
		s := x.Name + "(" + d + strings.Join(args, ", ") + ")"
		if o := x.Over; o != nil {
			var parts []string
			if len(o.PartitionBy) > 0 {
				var ps []string
				for _, e := range o.PartitionBy {
					ps = append(ps, ExprString(e))
				}
				parts = append(parts, "PARTITION BY "+strings.Join(ps, ", "))
			}
			if len(o.OrderBy) > 0 {
				var os []string
				for _, it := range o.OrderBy {
					os = append(os, ExprString(it.Expr)+map[bool]string{true: " DESC", false: ""}[it.Desc])
				}
				parts = append(parts, "ORDER BY "+strings.Join(os, ", "))
			}
			if f := o.Frame; f != nil {
				bound := func(b sqlparse.FrameBound) string {
					if b.Offset != nil {
						return ExprString(b.Offset) + " " + b.Kind
					}
					return b.Kind
				}
				parts = append(parts, map[bool]string{true: "ROWS", false: "RANGE"}[f.Rows]+" BETWEEN "+bound(f.Lower)+" AND "+bound(f.Upper))
			}
			if o.Ref != "" {
				s += " OVER " + o.Ref
			} else {
				s += " OVER (" + strings.Join(parts, " ") + ")"
			}
		}
		return s
	case *sqlparse.Case:
		var sb strings.Builder
		sb.WriteString("CASE")
		if x.Operand != nil {
			sb.WriteString(" " + ExprString(x.Operand))
		}
		for _, w := range x.Whens {
			sb.WriteString(" WHEN " + ExprString(w.Cond) + " THEN " + ExprString(w.Result))
		}
		if x.Else != nil {
			sb.WriteString(" ELSE " + ExprString(x.Else))
		}
		sb.WriteString(" END")
		return sb.String()
	case *sqlparse.Cast:
		name := "CAST"
		if x.Try {
			name = "TRY_CAST"
		}
		t, err := typeFromAST(x.Type)
		ts := x.Type.Name
		if err == nil {
			ts = t.String()
		}
		return name + "(" + ExprString(x.X) + " AS " + ts + ")"
	case *sqlparse.IsNull:
		if x.Not {
			return ExprString(x.X) + " IS NOT NULL"
		}
		return ExprString(x.X) + " IS NULL"
	case *sqlparse.IsBool:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return fmt.Sprintf("%s IS %s%v", ExprString(x.X), not, strings.ToUpper(fmt.Sprint(x.Value)))
	case *sqlparse.Between:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return ExprString(x.X) + " " + not + "BETWEEN " + ExprString(x.Lo) + " AND " + ExprString(x.Hi)
	case *sqlparse.In:
		not := ""
		if x.Not {
			not = "NOT "
		}
		var items []string
		for _, a := range x.List {
			items = append(items, ExprString(a))
		}
		if x.Subquery != nil {
			items = []string{"subquery"}
		}
		return ExprString(x.X) + " " + not + "IN (" + strings.Join(items, ", ") + ")"
	case *sqlparse.Exists:
		return "EXISTS (subquery)"
	case *sqlparse.Like:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return ExprString(x.X) + " " + not + "LIKE " + ExprString(x.Pattern)
	case *sqlparse.Star:
		if x.Qualifier != "" {
			return x.Qualifier + ".*"
		}
		return "*"
	case *sqlparse.Descriptor:
		return "DESCRIPTOR(" + strings.Join(x.Columns, ", ") + ")"
	}
	return fmt.Sprintf("%T", e)
}
