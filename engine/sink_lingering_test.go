package engine

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// lingeringJob runs the numbers 1..300 of a limitSource into a transactional FileSink with checkpoints only
// when the test triggers them, so that a test can crash it at a chosen point of the two-phase commit.
type lingeringJob struct {
	t    *testing.T
	src  *limitSource
	job  *Job
	out  string
	seen *atomic.Int64 // the highest number the map before the sink has passed on, in any attempt
}

func startLingeringJob(t *testing.T, ckpt, out string, restarts int, restoreFrom string, faults *Faults) *lingeringJob {
	t.Helper()
	src := &limitSource{total: 300}
	env := withFaults(NewEnvironment(Config{Parallelism: 1,
		Checkpointing: CheckpointConfig{Dir: ckpt, Retained: 3, RestoreFrom: restoreFrom},
		Restart:       RestartStrategy{Attempts: restarts, Delay: time.Millisecond}}), faults)
	seen := &atomic.Int64{}
	env.FromSource(src, nil, "numbers").Map(func(v any) any {
		if n := v.(int64); n > seen.Load() {
			seen.Store(n)
		}
		return fmt.Sprint(v)
	}).SinkToFiles(out)
	job, err := env.ExecuteAsync("lingering")
	if err != nil {
		t.Fatal(err)
	}
	return &lingeringJob{t: t, src: src, job: job, out: out, seen: seen}
}

// feed lets the source emit up to n records and waits until the sink has them.
func (l *lingeringJob) feed(n int64) {
	l.src.limit.Store(n)
	for l.seen.Load() < n {
		time.Sleep(time.Millisecond)
	}
}

// checkpoint triggers a checkpoint and waits until it completes and its output is committed.
func (l *lingeringJob) checkpoint(committed int) {
	id, err := l.job.TriggerCheckpoint()
	if err != nil {
		l.t.Fatal(err)
	}
	for !savepointDone(l.job, id) {
		time.Sleep(time.Millisecond)
	}
	for {
		if lines, _ := ReadCommitted(l.out); len(lines) >= committed {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// failCheckpoint triggers a checkpoint that an armed failpoint fails, and waits for the restart.
func (l *lingeringJob) failCheckpoint() {
	before := l.job.Restarts()
	if _, err := l.job.TriggerCheckpoint(); err != nil {
		l.t.Fatal(err)
	}
	l.waitRestart(before)
}

func (l *lingeringJob) waitRestart(before int) {
	for l.job.Restarts() == before && l.job.Status() != JobFailed {
		time.Sleep(time.Millisecond)
	}
}

func (l *lingeringJob) kill() {
	before := l.job.Restarts()
	if err := l.job.KillTaskManager(1); err != nil {
		l.t.Fatal(err)
	}
	l.waitRestart(before)
}

// finish lets the source run to its end and checks the oracle: every number once, committed, and no
// in-progress file left in the sink's directory.
func (l *lingeringJob) finish() {
	l.t.Helper()
	l.src.limit.Store(300)
	if err := l.job.Wait(); err != nil {
		l.t.Fatalf("job failed: %v", err)
	}
	checkFileSinkOutput(l.t, l.out, 300)
}

func checkFileSinkOutput(t *testing.T, out string, n int) {
	t.Helper()
	got, err := ReadCommitted(out)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprint(i))
	}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("committed %d lines, want %d, each once; first differences: %v", len(got), len(want), diff(got, want))
	}
	entries, _ := os.ReadDir(out)
	var left []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), inProgressSuffix) {
			left = append(left, e.Name())
		}
	}
	if len(left) > 0 {
		t.Errorf("in-progress files of failed attempts were left in the sink's directory: %v", left)
	}
}

// Flink's FileSink on restore commits the pending files the checkpoint names and discards the in-progress
// files written after it (Flink: FileSinkMigrationITCase / BucketTest#shouldCleanupOutdatedResumablesOnCheckpointAck
// and #shouldNotCallCleanupWithoutInProgressPartFiles; the sink's directory holds only committed files once
// the job ends). A crash at each point of the two-phase commit must leave every number committed exactly once
// and no in-progress file: the transactions begun after the restored checkpoint (or, without one, by the
// failed attempt) used to stay behind as .inprogress files forever.
func TestFileSinkCleansFailedAttemptsAtEveryCrashPoint(t *testing.T) {
	cases := []struct {
		name  string
		crash func(l *lingeringJob, f *Faults)
	}{
		{"before any checkpoint", func(l *lingeringJob, _ *Faults) {
			l.feed(100)
			l.kill()
		}},
		{"mid-transaction after a checkpoint", func(l *lingeringJob, _ *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(200)
			l.kill()
		}},
		{"pre-committed, checkpoint not completed", func(l *lingeringJob, f *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(200)
			f.Arm(FailBeforeMetadataRename, 1)
			l.failCheckpoint()
		}},
		{"snapshot failed after the pre-commit", func(l *lingeringJob, f *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(200)
			f.Arm(FailAfterSnapshot, 1)
			l.failCheckpoint()
		}},
		{"checkpoint completed, not committed", func(l *lingeringJob, f *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(200)
			f.Arm(FailAfterMetadataRename, 1)
			l.failCheckpoint()
		}},
		{"commit failed", func(l *lingeringJob, f *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(200)
			f.Arm(FailBeforeSinkCommit, 1)
			l.failCheckpoint()
		}},
		{"two crashes after two checkpoints", func(l *lingeringJob, f *Faults) {
			l.feed(100)
			l.checkpoint(100)
			l.feed(150)
			f.Arm(FailBeforeMetadataRename, 1)
			l.failCheckpoint()
			l.feed(200)
			l.checkpoint(200)
			l.feed(250)
			l.kill()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &Faults{}
			l := startLingeringJob(t, t.TempDir(), t.TempDir(), 3, "", f)
			c.crash(l, f)
			l.finish()
			if l.job.Restarts() == 0 {
				t.Fatal("the crash never happened")
			}
		})
	}
}

// The same in a new process: a job that failed for good (no restarts) left a pre-committed and an open
// transaction of a checkpoint that never completed; a new job restoring the latest checkpoint from the same
// directories discards them and commits each number once.
func TestFileSinkCleansAFailedProcessOnRestore(t *testing.T) {
	ckpt, out := t.TempDir(), t.TempDir()
	f := &Faults{}
	l := startLingeringJob(t, ckpt, out, 0, "", f)
	l.feed(100)
	l.checkpoint(100)
	l.feed(200)
	f.Arm(FailBeforeMetadataRename, 1)
	if _, err := l.job.TriggerCheckpoint(); err != nil {
		t.Fatal(err)
	}
	if err := l.job.Wait(); !errors.Is(err, ErrInjected) {
		t.Fatalf("the first process ended with %v, want the injected fault", err)
	}
	if left, _ := (FileSink{Dir: out}).Lingering(); len(left) == 0 {
		t.Fatal("the failed process left no in-progress file: the test does not test the cleanup")
	}
	latest, err := LatestCheckpoint(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	l2 := startLingeringJob(t, ckpt, out, 0, latest, nil)
	l2.finish()
	var aborted bool
	for _, e := range l2.job.Events(0) {
		aborted = aborted || e.Kind == EventTransactionsAborted
	}
	if !aborted {
		t.Error("no transactions-aborted event")
	}
}
