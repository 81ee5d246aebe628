package engine

import (
	"context"
	"fmt"
)

// ExecuteContext runs the job and waits for it to end, as Execute does, but under ctx: cancelling ctx
// cancels the job, and Wait (and ExecuteContext) then return an error that matches both ErrCanceled and
// ctx's cause (context.Canceled, context.DeadlineExceeded, or what context.WithCancelCause was given).
// Sources see the job's context in SourceContext.Context and Async I/O requests get one derived from it, so
// a reader or a request blocked on I/O returns as soon as the job stops.
func (e *Environment) ExecuteContext(ctx context.Context, name string) (*Job, error) {
	j, err := e.ExecuteAsyncContext(ctx, name)
	if err != nil {
		return nil, err
	}
	return j, j.Wait()
}

// watchContext cancels the job when ctx is done, with ctx's cause. The watch is released when the job ends
// (releaseContext), so that a long-lived ctx does not keep finished jobs alive.
func (j *Job) watchContext(ctx context.Context) {
	if ctx.Done() == nil {
		return // context.Background and the like are never cancelled
	}
	stop := context.AfterFunc(ctx, func() { j.cancelWith(context.Cause(ctx)) })
	j.mu.Lock()
	j.releaseCtx = stop
	j.mu.Unlock()
}

// releaseContext stops watching the job's context.
func (j *Job) releaseContext() {
	j.mu.Lock()
	stop := j.releaseCtx
	j.releaseCtx = nil
	j.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// cancelWith cancels the job because of cause (nil for Job.Cancel).
func (j *Job) cancelWith(cause error) {
	j.mu.Lock()
	if j.cancelErr == nil {
		if cause == nil {
			j.cancelErr = ErrCanceled
		} else {
			j.cancelErr = fmt.Errorf("%w: %w", ErrCanceled, cause)
		}
	}
	j.mu.Unlock()
	j.stopOnce.Do(func() { close(j.cancel) })
	if ex := j.cur.Load(); ex != nil {
		ex.stop(JobCanceled, j.canceledErr())
	}
}

// canceledErr returns the error of a canceled job: ErrCanceled, wrapping the cause of a cancelled context.
func (j *Job) canceledErr() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cancelErr == nil {
		return ErrCanceled
	}
	return j.cancelErr
}

// initContext gives the attempt its context, which carries the values of the job's: it is cancelled when the
// attempt stops (finished, failed or canceled), which stops source reads and Async I/O requests still
// blocked. It is not cancelled by the job's context directly: that cancels the job first (watchContext), so
// that what the cancellation makes readers and requests return is not taken for their failure.
func (ex *execution) initContext() {
	parent := context.Background()
	if ex.job.ctx != nil {
		parent = context.WithoutCancel(ex.job.ctx)
	}
	ex.ctx, ex.cancelCtx = context.WithCancelCause(parent)
}

// context returns the context of the subtask's attempt (context.Background outside a job, in the operator
// test harness).
func (t *subtask) context() context.Context {
	if t.exec == nil || t.exec.ctx == nil {
		return context.Background()
	}
	return t.exec.ctx
}
