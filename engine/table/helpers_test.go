package table

import "github.com/de4e/weir/engine/table/planner"

func planner_FormatRow(fields []any, cols []Column) string {
	return planner.FormatRow(planner.Row{Fields: fields}, cols)
}
