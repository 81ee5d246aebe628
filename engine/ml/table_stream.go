package ml

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// ToDataStream returns t as a DataStream of Rows, t.DataStream() as a function: Flink's
// StreamTableEnvironment.toDataStream. Notebook cells use it on an element of a Transform's or GetModelData's
// result (ml.ToDataStream(outputs[0])), because the interpreter (yaegi v0.16.1) cannot type outputs[0] in
// every position at the top of a cell; an online model's output and model data are unbounded, so they are
// read from a stream (with a sink) rather than with Collect. It panics if t is nil.
func ToDataStream(t *Table) *engine.DataStream {
	if t == nil {
		panic(fmt.Errorf("%w: ToDataStream: the table is nil", ErrParam))
	}
	return t.DataStream()
}
