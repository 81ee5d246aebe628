package interp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	sqltable "github.com/de4e/weir/engine/table"
	"github.com/de4e/weir/notebook"
)

// sqlCellsPath is the import path of the package through which Go cells reach the table environment the
// notebook's SQL cells run in; it exists only inside the kernel:
//
//	import "weir/sqlcells"
//	tenv := sqlcells.TableEnvironment() // *sqltable.Environment: the catalog the ```sql cells see
//	env := sqlcells.StreamEnvironment() // *engine.Environment under it, for tenv.FromDataStream
//	r := sqlcells.Result("counts")      // *table.TableResult of the last query of SQL cell "counts", for checks
const sqlCellsPath = "weir/sqlcells"

// sqlCellsSymbols is the sqlcells package as cells see it.
func (k *Kernel) sqlCellsSymbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		"TableEnvironment": reflect.ValueOf(func() *sqltable.Environment {
			t, _ := k.tableEnv()
			return t
		}),
		"StreamEnvironment": reflect.ValueOf(func() *engine.Environment {
			_, e := k.tableEnv()
			return e
		}),
		"Result": reflect.ValueOf(k.sqlResult),
	}
}

// sqlResult returns the result of the last query (or SHOW, DESCRIBE) of the latest run of the SQL cell with
// the given id, nil if it has none; its rows are those that have arrived so far.
func (k *Kernel) sqlResult(id string) *sqltable.TableResult {
	k.mu.Lock()
	ex := k.sqlRuns[id]
	k.mu.Unlock()
	if ex == nil {
		return nil
	}
	rs := ex.Results()
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Table != nil {
			return rs[i].Table
		}
	}
	return nil
}

// tableEnv returns the kernel's table environment (Flink's TableEnvironment of the SQL client's session),
// made on first use and forgotten by Restart, and the engine Environment under it. Its Print sinks write
// into the running cell, and the jobs and collected streams of that Environment are reported to the cell
// running when they start. Its statements' jobs start from the kernel's Config of the moment (SetConfig
// passes it on), below the options the cells SET.
func (k *Kernel) tableEnv() (*sqltable.Environment, *engine.Environment) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tenv == nil {
		cfg := k.opts.Config
		cfg.Stdout = &cellWriter{k: k, gen: k.gen}
		env := engine.NewEnvironment(cfg)
		gen := k.gen
		env.Observe(engine.Observer{
			JobStarted: func(j *engine.Job) {
				if ex := k.running(gen); ex != nil {
					k.addJob(ex, j)
				}
			},
			Collecting: func(name string, c *engine.Collected) {
				if ex := k.running(gen); ex != nil {
					ex.addResult(name, c)
				}
			},
		})
		k.tenv, k.tenvEngine = sqltable.NewEnvironment(env), env
		if k.opts.Replays != nil {
			k.tenv.SetReplayControl(k.opts.Replays.NewController) // the workbench's pause, step and speed keys
		}
	}
	return k.tenv, k.tenvEngine
}

// running returns the running cell if the kernel is still of generation gen.
func (k *Kernel) running(gen int) *Execution {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen {
		return nil
	}
	return k.cur
}

// runSQL runs a SQL cell: its statements in order through the kernel's table environment, as Flink's SQL
// client runs a script. DDL and SET say that they succeeded, an INSERT INTO reports its job, EXPLAIN prints
// its plan, and a query, SHOW and DESCRIBE each become a Result that fills while its job runs; the cell
// waits for each query's or INSERT's job, so a query over an unbounded source runs until the cell is
// interrupted. An error names the cell, and the line and column
// within it.
func (ex *Execution) runSQL(ctx context.Context) {
	ex.labelRun()
	k := ex.kernel
	defer func() {
		if r := recover(); r != nil { // a bug of the planner: report it, keep the host alive
			ex.fail(&CellError{Cell: ex.Cell.ID, Kind: "panic", Msg: fmt.Sprintf("the SQL planner failed: %v", r)})
		}
		ex.mu.Lock()
		ex.ended = time.Now()
		ex.mu.Unlock()
		k.finish(ex)
		ex.cancel()
		close(ex.done)
	}()
	tenv, _ := k.tableEnv()
	lines := strings.Split(ex.Cell.Source, "\n")
	// The cell waits for an INSERT's job as the SQL client does with SET 'table.dml-sync' = 'true', and
	// says so in the client's words; the job has ended without error when the next statement starts.
	const dmlDone = "[INFO] Complete execution of the SQL update statement.\n"
	inserting := false
	_, err := tenv.ExecuteScriptContext(ctx, ex.Cell.Source, func(line int, r *sqltable.TableResult) {
		if inserting {
			ex.write(dmlDone)
			inserting = false
		}
		if j := r.Job(); j != nil {
			k.addJobOnce(ex, j)
		}
		switch {
		case r.ResultKind() == sqltable.ResultKindSuccess:
			ex.write("[INFO] Execute statement succeeded.\n")
		case isPlan(r):
			ex.write(r.Rows()[0][0].(string))
		case r.Job() != nil && !r.IsQuery():
			ex.write(fmt.Sprintf("[INFO] Submitting SQL update statement to the cluster...\n[INFO] Execute statement in sync mode. Please wait for the execution finish...\nJob ID: %s\n", r.Job().Name()))
			inserting = true
		default:
			ex.mu.Lock()
			ex.results = append(ex.results, &Result{Name: statementName(lines, line), Table: r})
			ex.mu.Unlock()
		}
	})
	if err != nil {
		ex.fail(sqlCellError(ex, ctx, err))
	} else if inserting {
		ex.write(dmlDone)
	}
}

// isPlan reports whether r is the plan EXPLAIN returns, which the SQL client prints as text, not as a table.
func isPlan(r *sqltable.TableResult) bool {
	if r.IsQuery() || r.Job() != nil || len(r.Columns()) != 1 || r.Columns()[0].Name != "result" {
		return false
	}
	rows := r.Rows()
	if len(rows) != 1 || len(rows[0]) != 1 {
		return false
	}
	_, ok := rows[0][0].(string)
	return ok
}

// write appends s to the cell's output.
func (ex *Execution) write(s string) {
	ex.mu.Lock()
	ex.out.WriteString(s)
	ex.mu.Unlock()
}

// addJobOnce is addJob for a job the cell may already have (a query over a DataStream runs on the observed
// Environment).
func (k *Kernel) addJobOnce(ex *Execution, j *engine.Job) {
	for _, have := range ex.Jobs() {
		if have == j {
			return
		}
	}
	k.addJob(ex, j)
}

// statementName names a statement's result by its line and first words: "line 3: SELECT user, COUNT(*) ...".
func statementName(lines []string, line int) string {
	text := ""
	if line >= 1 && line <= len(lines) {
		text = strings.TrimSpace(lines[line-1])
	}
	text = strings.TrimSuffix(text, ";")
	if len([]rune(text)) > 40 {
		text = string([]rune(text)[:39]) + "…"
	}
	return fmt.Sprintf("line %d: %s", line, text)
}

// sqlPosRE matches the position the SQL parser and planner put in their errors.
var sqlPosRE = regexp.MustCompile(` ?at line (\d+), column (\d+)`)

// sqlCellError explains an error of a SQL cell: interrupted, a failed job, or a statement the parser or
// planner refused, at the line and column of the cell it names.
func sqlCellError(ex *Execution, ctx context.Context, err error) *CellError {
	ce := &CellError{Cell: ex.Cell.ID, Kind: "sql", Msg: err.Error()}
	if m := sqlPosRE.FindStringSubmatchIndex(ce.Msg); m != nil {
		ce.Line, _ = strconv.Atoi(ce.Msg[m[2]:m[3]])
		ce.Col, _ = strconv.Atoi(ce.Msg[m[4]:m[5]])
		ce.Msg = ce.Msg[:m[0]] + ce.Msg[m[1]:]
	}
	ce.Msg = strings.TrimPrefix(ce.Msg, sqltable.ErrStatement.Error()+": ")
	ex.mu.Lock()
	interrupted := ex.interrupted
	ex.mu.Unlock()
	switch {
	case interrupted:
		ce.Kind, ce.Msg = "interrupted", "the cell was interrupted"
	case ctx.Err() != nil:
		ce.Kind, ce.Msg = "interrupted", "the cell was stopped: "+context.Cause(ctx).Error()
	case strings.Contains(ce.Msg, "failed: "):
		var te *engine.TaskError
		if errors.As(err, &te) || strings.Contains(ce.Msg, "the job of the statement") {
			ce.Kind = "job"
		}
	}
	return ce
}

// isSQL reports whether a cell's language is SQL.
func isSQL(c Cell) bool { return c.Lang == notebook.LangSQL }
