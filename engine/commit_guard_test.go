package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// limitSource emits the numbers 1..total, but only up to limit, which the test raises.
type limitSource struct {
	total int64
	limit atomic.Int64
}

func (s *limitSource) MaxParallelism() int { return 1 }
func (s *limitSource) Reader(SourceContext) (SourceReader, error) {
	return &limitReader{s: s}, nil
}

type limitReader struct {
	s    *limitSource
	next int64
}

func (r *limitReader) Read() (SourceElement, error) {
	if r.next >= r.s.total {
		return SourceElement{}, ErrEndOfInput
	}
	if r.next >= r.s.limit.Load() {
		return SourceElement{}, ErrNoData
	}
	r.next++
	return SourceElement{Value: r.next, Timestamp: r.next}, nil
}
func (r *limitReader) Close() error            { return nil }
func (r *limitReader) Offset() ([]byte, error) { return []byte(fmt.Sprint(r.next)), nil }
func (r *limitReader) Seek(b []byte) error     { _, err := fmt.Sscan(string(b), &r.next); return err }

// commitTwoCheckpoints runs numbers into a transactional file sink, commits 100 of them with each of two
// checkpoints, then damages the second checkpoint and fails the job, which must recover from the first.
func commitTwoCheckpoints(t *testing.T, cfg CheckpointConfig) (*Job, *limitSource, string, []int64) {
	t.Helper()
	src := &limitSource{total: 300}
	out := t.TempDir()
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: cfg,
		Restart: RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	env.FromSource(src, nil, "numbers").Map(func(v any) any { return fmt.Sprint(v) }).SinkToFiles(out)
	job, err := env.ExecuteAsync("commits")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, limit := range []int64{100, 200} {
		src.limit.Store(limit)
		for job.Snapshot().Vertices[0].Operators[len(job.Snapshot().Vertices[0].Operators)-1].RecordsIn < limit {
			time.Sleep(time.Millisecond)
		}
		id, err := job.TriggerCheckpoint()
		if err != nil {
			t.Fatal(err)
		}
		for !savepointDone(job, id) {
			time.Sleep(time.Millisecond)
		}
		ids = append(ids, id)
	}
	for {
		if lines, _ := ReadCommitted(out); len(lines) == 200 {
			break // the second checkpoint's output is committed
		}
		time.Sleep(time.Millisecond)
	}
	meta := filepath.Join(cfg.Dir, fmt.Sprintf("chk-%d", ids[1]), metadataFile)
	b, _ := os.ReadFile(meta)
	if err := os.WriteFile(meta, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := job.KillTaskManager(1); err != nil {
		t.Fatal(err)
	}
	for job.Restarts() == 0 {
		time.Sleep(time.Millisecond)
	}
	src.limit.Store(300)
	return job, src, out, ids
}

// Falling back from a corrupt newest checkpoint to an older one used to repeat output a two-phase-commit
// sink had committed, while the job reported success. The recovery now fails, naming both checkpoints.
func TestRecoveryRefusesToGoBackPastACommit(t *testing.T) {
	dir := t.TempDir()
	job, _, out, ids := commitTwoCheckpoints(t, CheckpointConfig{Dir: dir, Retained: 3})
	err := job.Wait()
	if !errors.Is(err, ErrRecoveryBehindCommit) || !strings.Contains(err.Error(), fmt.Sprintf("output of checkpoint %d", ids[1])) ||
		!strings.Contains(err.Error(), fmt.Sprintf("restored is checkpoint %d", ids[0])) {
		t.Fatalf("job ended with %v; want ErrRecoveryBehindCommit naming checkpoints %d and %d", err, ids[1], ids[0])
	}
	if lines, _ := ReadCommitted(out); len(lines) != 200 {
		t.Errorf("%d committed lines, want the 200 committed before the failure and nothing repeated", len(lines))
	}
	// A new process restoring the old checkpoint from the same directory is refused too.
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: dir,
		RestoreFrom: filepath.Join(dir, fmt.Sprintf("chk-%d", ids[0]))}})
	env.FromSource(&limitSource{total: 1}, nil, "numbers").SinkToFiles(out)
	if _, err := env.ExecuteAsync("restart in a new process"); !errors.Is(err, ErrRecoveryBehindCommit) {
		t.Errorf("restoring checkpoint %d in a new process: %v, want ErrRecoveryBehindCommit", ids[0], err)
	}
}

// With AtLeastOnceRecovery the same recovery goes on, says so, and repeats exactly the output committed
// after the restored checkpoint.
func TestAtLeastOnceRecoveryRepeatsAndSaysSo(t *testing.T) {
	job, _, out, ids := commitTwoCheckpoints(t, CheckpointConfig{Dir: t.TempDir(), Retained: 3, AtLeastOnceRecovery: true})
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	said := false
	for _, e := range job.Events(0) {
		said = said || (e.Kind == EventRecoveryBehindCommit && e.Count == ids[0] && strings.Contains(e.Detail, fmt.Sprintf("checkpoint %d", ids[1])))
	}
	if !said {
		t.Errorf("no %s event naming checkpoints %d and %d: %v", EventRecoveryBehindCommit, ids[0], ids[1], job.Events(0))
	}
	lines, _ := ReadCommitted(out)
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	for n := 1; n <= 300; n++ {
		want := 1
		if n > 100 && n <= 200 {
			want = 2 // committed with the damaged checkpoint, replayed from the older one
		}
		if seen[fmt.Sprint(n)] != want {
			t.Fatalf("record %d written %d times, want %d", n, seen[fmt.Sprint(n)], want)
		}
	}
}
