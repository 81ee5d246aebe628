package engine

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

var errSinkDown = errors.New("the sink's system is down")

type failingReader struct{ n int }

func (r *failingReader) Read() (SourceElement, error) {
	r.n++
	if r.n > 2 {
		return SourceElement{}, errSinkDown
	}
	return SourceElement{Value: r.n, Timestamp: NoTimestamp}, nil
}
func (r *failingReader) Close() error { return nil }

type failingSource struct{}

func (failingSource) MaxParallelism() int                        { return 1 }
func (failingSource) Reader(SourceContext) (SourceReader, error) { return &failingReader{}, nil }

// Failures reach the attempt as errors, not as panics through the runtime: each is a TaskError naming the
// operator, the subtask and the record (Flink reports a task failure with the task's name and subtask
// index, ExecutionGraph's failure cause), and only a panic of user code carries a stack.
func TestRuntimeFailuresAreReturnedAsTaskErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		build     func(env *Environment)
		wantMsg   string
		wantErr   error // wrapped by the failure, if set
		wantStack bool  // a panic was recovered
	}{
		{"sink error", func(env *Environment) {
			env.FromElements(1, 2, 3).SinkTo("Out", func(v any, _ int64) error {
				if v == 2 {
					return errSinkDown
				}
				return nil
			})
		}, `operator "Out" (subtask 1/1) failed on record 2: sink: the sink's system is down`, errSinkDown, false},
		{"source read error", func(env *Environment) {
			env.FromSource(failingSource{}, nil, "flaky").SinkTo("Out", func(any, int64) error { return nil })
		}, `operator "Source: flaky" (subtask 1/1) failed while reading the source: source read: the sink's system is down`, errSinkDown, false},
		{"open error", func(env *Environment) {
			env.FromElements(1).WriteAsText(filepath.Join(t.TempDir(), "missing", "dir", "out.txt"))
		}, `operator "WriteAsText" (subtask 1/1) failed while opening: open: `, nil, false},
		{"scripted crash", func(env *Environment) {
			env.FromSource(SliceSource{{Value: 1, Timestamp: NoTimestamp}, {Value: Crash{Reason: "demo"}}}, nil, "script").
				SinkTo("Out", func(any, int64) error { return nil })
		}, `operator "Source: script" (subtask 1/1) failed while reading the source: scripted crash: demo`, nil, false},
		{"user panic", func(env *Environment) {
			env.FromElements(1, 2, 3).Map(func(v any) any {
				if v == 3 {
					panic("no price for record 3")
				}
				return v
			}).SinkTo("Out", func(any, int64) error { return nil })
		}, `operator "Map" (subtask 1/1) failed on record 3: no price for record 3`, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := NewEnvironment(Config{Parallelism: 1})
			c.build(env)
			_, err := env.Execute(c.name)
			var te *TaskError
			if !errors.As(err, &te) {
				t.Fatalf("got %v (%T), want a *TaskError", err, err)
			}
			if !strings.HasPrefix(err.Error(), c.wantMsg) {
				t.Errorf("message %q, want it to start with %q", err, c.wantMsg)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("%v does not wrap %v", err, c.wantErr)
			}
			if (te.Stack != "") != c.wantStack {
				t.Errorf("stack %q: a stack is only for panics", te.Stack)
			}
		})
	}
}

// An injected fault is an error too: with no restarts the job fails with it.
func TestInjectedFaultFailsTheJobWithAnError(t *testing.T) {
	f := &Faults{}
	f.Arm(FailProcess, 2)
	env := withFaults(NewEnvironment(Config{Parallelism: 1}), f)
	env.FromElements(1, 2, 3).Rebalance().SinkTo("Out", func(any, int64) error { return nil })
	_, err := env.Execute("faulty")
	var te *TaskError
	if !errors.Is(err, ErrInjected) || !errors.As(err, &te) || te.Stack != "" ||
		err.Error() != `operator "Out" (subtask 1/1) failed on record 2: engine: injected fault at process` {
		t.Fatalf("got %v", err)
	}
}
