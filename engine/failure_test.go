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
			te, err := failingRun(t, Config{Parallelism: 1}, c.build, c.wantMsg)
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

// commitFailingSink's transactions take every record and fail to commit.
type commitFailingSink struct{}

type commitFailingTxn struct{}

func (commitFailingSink) Begin(int, string) (Transaction, error) { return commitFailingTxn{}, nil }
func (commitFailingSink) Recover(string) (Transaction, error)    { return commitFailingTxn{}, nil }
func (commitFailingTxn) Write(any, int64) error                  { return nil }
func (commitFailingTxn) PreCommit() error                        { return nil }
func (commitFailingTxn) Commit() error                           { return errSinkDown }
func (commitFailingTxn) Abort() error                            { return nil }

// The source loop keeps its record on the stack (no write barrier per record), so a failure while it holds
// a record must still name that record: a panic in the source's own timestamp assigner, a panic in a chained
// operator (named with its own input), and an error of a chained operator that names no record itself (a
// plain transactional sink commits every 64 records, and its failed commit names the record in hand).
func TestFailuresDuringASourceRecordNameTheRecord(t *testing.T) {
	for _, c := range []struct {
		name    string
		build   func(env *Environment)
		wantMsg string
		cfg     Config
	}{
		{"assigner panic", func(env *Environment) {
			s := ForMonotonousTimestamps().WithTimestampAssigner(func(v any, _ int64) int64 {
				if v == 7 {
					panic("no time for 7")
				}
				return int64(v.(int))
			})
			env.FromSource(SliceSource{{Value: 5}, {Value: 6}, {Value: 7}, {Value: 8}}, &s, "timed").
				SinkTo("Out", func(any, int64) error { return nil })
		}, `operator "Source: timed" (subtask 1/1) failed on record 7: no time for 7`, Config{}},
		{"chained panic after the source", func(env *Environment) {
			env.FromSource(SliceSource{{Value: 1, Timestamp: NoTimestamp}, {Value: 2, Timestamp: NoTimestamp}}, nil, "s").
				Map(func(v any) any { return v.(int) * 10 }).
				Map(func(v any) any {
					if v == 20 {
						panic("twenty")
					}
					return v
				}).SinkTo("Out", func(any, int64) error { return nil })
		}, `operator "Map" (subtask 1/1) failed on record 20: twenty`, Config{}},
		{"commit error", func(env *Environment) {
			elems := make(SliceSource, 100)
			for i := range elems {
				elems[i] = SourceElement{Value: i + 1, Timestamp: NoTimestamp}
			}
			env.FromSource(elems, nil, "s").SinkToTransactional("Txn", commitFailingSink{})
		}, `operator "Txn" (subtask 1/1) failed on record 64: sink commit`, Config{Checkpointing: CheckpointConfig{Guarantee: AtLeastOnce}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Parallelism = 1
			failingRun(t, c.cfg, c.build, c.wantMsg)
		})
	}
}

// failingRun runs the job build makes with cfg and checks that it fails with a *TaskError whose message
// starts with wantMsg; it returns the failure.
func failingRun(t *testing.T, cfg Config, build func(env *Environment), wantMsg string) (*TaskError, error) {
	t.Helper()
	env := NewEnvironment(cfg)
	build(env)
	_, err := env.Execute(t.Name())
	var te *TaskError
	if !errors.As(err, &te) {
		t.Fatalf("got %v (%T), want a *TaskError", err, err)
	}
	if !strings.HasPrefix(err.Error(), wantMsg) {
		t.Errorf("message %q, want it to start with %q", err, wantMsg)
	}
	return te, err
}
