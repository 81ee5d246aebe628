package engine

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ExecuteAsyncOf runs only the given sink and what it reads: another sink of the Environment, over the same
// source, is neither run nor removed (Environment.Execute still runs both).
func TestExecuteAsyncOfRunsOnlyTheGivenStreams(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	src := env.FromElements(1, 2, 3)
	var a, b atomic.Int64
	sinkA := src.Map(func(v any) any { return v.(int) * 10 }).SinkTo("a", func(v any, _ int64) error { a.Add(int64(v.(int))); return nil })
	src.SinkTo("b", func(v any, _ int64) error { b.Add(int64(v.(int))); return nil })
	j, err := env.ExecuteAsyncOf("only a", sinkA)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	if a.Load() != 60 || b.Load() != 0 {
		t.Fatalf("a = %d, b = %d after ExecuteAsyncOf(a), want 60 and 0", a.Load(), b.Load())
	}
	if _, err := env.Execute("both"); err != nil {
		t.Fatal(err)
	}
	if a.Load() != 120 || b.Load() != 6 {
		t.Errorf("a = %d, b = %d after Execute, want 120 and 6", a.Load(), b.Load())
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not of this Environment") {
			t.Errorf("a stream of another Environment: recovered %v", r)
		}
	}()
	other := NewEnvironment(Config{}).FromElements(1)
	env.ExecuteAsyncOf("wrong", other)
}

// ExecuteAsyncOfConfig runs the job with the given configuration and leaves the Environment's as it was.
func TestExecuteAsyncOfConfigConfiguresOnlyThatJob(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	sink := env.FromElements(1, 2, 3).SinkTo("s", func(any, int64) error { return nil })
	cfg := env.Config()
	cfg.Checkpointing.Guarantee = AtLeastOnce
	cfg.Checkpointing.Interval = time.Minute
	cfg.Restart = RestartStrategy{}
	j, err := env.ExecuteAsyncOfConfig("at least once", cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := j.Config(); got.Checkpointing.Guarantee != AtLeastOnce || got.Checkpointing.Interval != time.Minute || got.Restart.Attempts != defaultRestartAttempts {
		t.Errorf("the job ran with %v, every %v, %d restarts; want at-least-once, every minute, the default %d restarts", got.Checkpointing.Guarantee, got.Checkpointing.Interval, got.Restart.Attempts, defaultRestartAttempts)
	}
	j, err = env.ExecuteAsyncOf("default", sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := j.Config().Checkpointing; got.Guarantee != ExactlyOnce || got.Interval != 0 {
		t.Errorf("a later ExecuteAsyncOf ran with %v every %v, want the Environment's exactly-once without checkpoints", got.Guarantee, got.Interval)
	}
}
