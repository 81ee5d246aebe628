package table

import (
	"io"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
)

func planner_FormatRow(fields []any, cols []Column) string {
	return planner.FormatRow(planner.Row{Fields: fields}, cols)
}

func newEngineEnv(p int, out io.Writer) *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: p, Stdout: out})
}
