package engine

import (
	"errors"
	"testing"
)

// ExecuteDataflow runs what build makes on a fresh Environment with the caller's Config, reports the job to the
// caller's Observer, leaves the caller's graph empty, and turns a panic of build into an ErrDataflow error.
func TestExecuteDataflow(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2, RuntimeMode: Batch})
	var started []string
	env.Observe(Observer{JobStarted: func(j *Job) { started = append(started, j.Name()) }})
	var out *Collected
	job, err := env.ExecuteDataflow("doubled", func(e *Environment) {
		if e == env || e.Config().Parallelism != 2 || e.Config().RuntimeMode != Batch {
			t.Errorf("build got %p with %+v, want a fresh Environment with the caller's Config", e, e.Config())
		}
		out = e.FromElements(1, 2, 3).Map(func(v any) any { return v.(int) * 2 }).Collect()
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.Name() != "doubled" || len(started) != 1 || started[0] != "doubled" {
		t.Errorf("job %q, observer saw %q", job.Name(), started)
	}
	if got := sortedCopy(out.Values()); len(got) != 3 || got[0] != 2 || got[2] != 6 {
		t.Errorf("result %v", got)
	}
	if len(env.nodes) != 0 {
		t.Errorf("the caller's Environment got %d nodes", len(env.nodes))
	}
	_, err = env.ExecuteDataflow("broken", func(*Environment) { panic("no source") })
	if !errors.Is(err, ErrDataflow) || len(started) != 1 {
		t.Errorf("a panicking build: %v (jobs started %d)", err, len(started))
	}
}
