package table

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
)

// SET 'execution.checkpointing.mode' and 'execution.checkpointing.interval' apply to the job of the next
// statement, as in Flink's SQL client, and so does a new base Config (SetConfig, the workbench's delivery
// guarantee switched after the table environment was made); an option SET wins over the base Config, and
// a statement over a table made from a DataStream takes the checkpointing too.
func TestCheckpointingOptionsApplyToTheNextStatement(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	tenv := NewEnvironment(env)
	mustExec(t, tenv, `CREATE TABLE nums (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '3')`)
	streamTable, err := tenv.FromDataStream(env.FromElements(map[string]any{"n": 1}, map[string]any{"n": 2}), Schema{Columns: []SchemaColumn{{Name: "n", Type: "BIGINT"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView("streamed", streamTable); err != nil {
		t.Fatal(err)
	}
	type want struct {
		guarantee engine.Guarantee
		interval  time.Duration
		restarts  int
	}
	for _, step := range []struct {
		name string
		sql  []string          // statements run before the query
		base *engine.Guarantee // SetConfig with this guarantee before them
		want want
	}{
		{name: "the Environment's Config", want: want{engine.ExactlyOnce, 0, -1}},
		{name: "SET at-least-once every minute", sql: []string{
			"SET 'execution.checkpointing.mode' = 'AT_LEAST_ONCE'",
			"SET 'execution.checkpointing.interval' = '1 min'",
		}, want: want{engine.AtLeastOnce, time.Minute, 10}},
		{name: "RESET, and a new base Config", sql: []string{"RESET"}, base: ptr(engine.AtMostOnce), want: want{engine.AtMostOnce, 0, -1}},
		{name: "SET wins over the base Config", sql: []string{"SET 'execution.checkpointing.mode' = 'exactly_once'"}, want: want{engine.ExactlyOnce, 0, -1}},
	} {
		if step.base != nil {
			cfg := env.Config()
			cfg.Checkpointing.Guarantee = *step.base
			tenv.SetConfig(cfg)
		}
		for _, s := range step.sql {
			mustExec(t, tenv, s)
		}
		for _, query := range []string{"SELECT n FROM nums", "SELECT n FROM streamed"} {
			r := mustExec(t, tenv, query)
			cfg := r.Job().Config()
			got := want{cfg.Checkpointing.Guarantee, cfg.Checkpointing.Interval, cfg.Restart.Attempts}
			if got != step.want {
				t.Errorf("%s: %s ran %v every %v with %d restarts, want %v every %v with %d", step.name, query,
					got.guarantee, got.interval, got.restarts, step.want.guarantee, step.want.interval, step.want.restarts)
			}
			if n := len(r.Rows()); n < 2 {
				t.Errorf("%s: %s returned %d rows", step.name, query, n)
			}
		}
	}
	for _, bad := range []struct{ sql, msg string }{
		{"SET 'execution.checkpointing.mode' = 'AT_MOST_ONCE'", "'execution.checkpointing.mode' must be 'EXACTLY_ONCE' or 'AT_LEAST_ONCE', not 'AT_MOST_ONCE'"},
		{"SET 'execution.checkpointing.interval' = 'often'", "'execution.checkpointing.interval': 'often' is not a duration"},
	} {
		_, err := tenv.ExecuteSQL(bad.sql)
		if !errors.Is(err, planner.ErrValidation) || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%s: error %v, want %q", bad.sql, err, bad.msg)
		}
	}
}

func ptr[T any](v T) *T { return &v }
