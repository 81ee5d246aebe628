package engine

import (
	"fmt"

	"github.com/de4e/weir/engine/internal/emitbridge"
)

// engine/cep stamps each match it emits with the match's time through internal/emitbridge, so that
// package engine exports nothing for it (Flink's CepOperator sets its TimestampedCollector's timestamp).
func init() {
	emitbridge.SetTimestamp = func(ctx, out any, ts int64) {
		c, ok := ctx.(*Context)
		col, ok2 := out.(*timestampedCollector)
		if !ok || !ok2 {
			panic(fmt.Sprintf("engine: emitbridge.SetTimestamp needs the *Context and Collector the engine passed, got %T and %T", ctx, out))
		}
		c.ts, c.noTs = ts, false
		col.ts, col.noTs = ts, false
	}
}
