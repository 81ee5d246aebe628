package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Starting over (no checkpoint left to restore) in the directory of a job that committed output and never
// finished would write that output twice; it fails with ErrRecoveryBehindCommit instead, unless
// AtLeastOnceRecovery. The chaos test found it: a kill, then a damaged only checkpoint, then a new process
// starting from the beginning silently repeated the first windows.
func TestFreshStartAfterACommittedCrashIsRefused(t *testing.T) {
	ckpt, out := t.TempDir(), t.TempDir()
	l := startLingeringJob(t, ckpt, out, 0, "", nil)
	l.feed(100)
	l.checkpoint(100)
	l.feed(150)
	if err := l.job.KillTaskManager(1); err != nil {
		t.Fatal(err)
	}
	if err := l.job.Wait(); err == nil {
		t.Fatal("the first process did not fail")
	}
	dirs, _ := filepath.Glob(filepath.Join(ckpt, "chk-*"))
	for _, d := range dirs {
		os.RemoveAll(d) // every checkpoint lost
	}
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: ckpt}})
	one := &limitSource{total: 1}
	one.limit.Store(1)
	env.FromSource(one, nil, "numbers").SinkToFiles(out)
	_, err := env.Execute("start over")
	if !errors.Is(err, ErrRecoveryBehindCommit) || !strings.Contains(err.Error(), "the beginning of the input") {
		t.Fatalf("starting over after a committed crash: %v, want ErrRecoveryBehindCommit", err)
	}
	// Chosen at-least-once recovery starts over, saying what it repeats.
	env = NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: ckpt, AtLeastOnceRecovery: true}})
	src := &limitSource{total: 300}
	src.limit.Store(300)
	env.FromSource(src, nil, "numbers").SinkToFiles(t.TempDir())
	job, err := env.Execute("at least once")
	if err != nil {
		t.Fatal(err)
	}
	var said bool
	for _, e := range job.Events(0) {
		said = said || e.Kind == EventRecoveryBehindCommit
	}
	if !said {
		t.Error("no recovery-behind-commit event")
	}
	// That job finished: running it again in the same directory is a new job, not a recovery.
	env = NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: ckpt}})
	env.FromSource(&limitSource{total: 0}, nil, "numbers").SinkToFiles(t.TempDir())
	if _, err := env.Execute("again"); err != nil {
		t.Fatalf("running a finished job again: %v", err)
	}
}
