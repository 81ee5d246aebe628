package table

import (
	"context"
	"fmt"
	"io"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// ExecuteScriptContext is ExecuteScript bounded by ctx, for a notebook cell: started is called with each
// statement's line (from 1, in the script) and its result as soon as the statement has started, before
// ExecuteScriptContext waits for the result's job, so that a caller can show a query's rows while they
// arrive. When ctx is done while a job runs, the job is canceled and waited for, and the error wraps
// ctx's cause; the statements after it do not run. started may be nil.
func (t *Environment) ExecuteScriptContext(ctx context.Context, script string, started func(line int, r *TableResult)) ([]*TableResult, error) {
	stmts, err := sqlparse.ParseScript(script)
	if err != nil {
		return nil, err
	}
	var out []*TableResult
	for _, st := range stmts {
		if err := context.Cause(ctx); err != nil {
			return out, fmt.Errorf("%w: the statement at %s did not run: %w", ErrStatement, st.StmtPos(), err)
		}
		r, err := t.execute(st, "")
		if err != nil {
			return out, err
		}
		out = append(out, r)
		if started != nil {
			started(st.StmtPos().Line, r)
		}
		if r.job == nil {
			continue
		}
		done := make(chan error, 1)
		go func() { done <- r.Await() }()
		select {
		case err := <-done:
			if err != nil {
				return out, fmt.Errorf("%w: the job of the statement at %s failed: %v", ErrStatement, st.StmtPos(), err)
			}
		case <-ctx.Done():
			r.job.Cancel()
			<-done
			return out, fmt.Errorf("%w: the job of the statement at %s was canceled: %w", ErrStatement, st.StmtPos(), context.Cause(ctx))
		}
	}
	return out, nil
}

// The kinds of a result, Flink's ResultKind.
const (
	// ResultKindSuccess is a statement that only succeeded (CREATE, DROP, SET a key, ...): the SQL client
	// says "[INFO] Execute statement succeeded."
	ResultKindSuccess = "SUCCESS"
	// ResultKindSuccessWithContent is a result with rows to show: a query, SHOW, DESCRIBE, EXPLAIN, the
	// job of an INSERT INTO.
	ResultKindSuccessWithContent = "SUCCESS_WITH_CONTENT"
)

// ResultKind returns ResultKindSuccess for a statement whose result is only "OK" and
// ResultKindSuccessWithContent for the others, as Flink's TableResult.getResultKind does.
func (r *TableResult) ResultKind() string {
	if r.job == nil && !r.isQuery && len(r.cols) == 1 && r.cols[0].Name == "result" && len(r.static) == 1 &&
		len(r.static[0]) == 1 && r.static[0][0] == "OK" {
		return ResultKindSuccess
	}
	return ResultKindSuccessWithContent
}

// IsQuery reports whether the result is a query's changelog (which grows while its job runs), not a static
// table or the job of an INSERT INTO.
func (r *TableResult) IsQuery() bool { return r.isQuery }

// Mode returns the result mode SET as 'sql-client.execution.result-mode' when the statement ran ("" if none
// was), the mode Print uses by default.
func (r *TableResult) Mode() ResultMode { return r.mode }

// PrintLast is Print showing at most n rows (n < 1: all) for a view of bounded height, such as a notebook
// cell: the last n changes in the changelog and tableau modes, the first n rows of the current content in
// table mode, with a line counting the rows left out; the totals are those of the whole result.
func (r *TableResult) PrintLast(w io.Writer, mode ResultMode, n int) error {
	return r.print(w, mode, max(0, n))
}
