package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// takeTwoCheckpoints runs a keyed count into dir, takes two checkpoints and cancels the job.
func takeTwoCheckpoints(t *testing.T, dir string) []int64 {
	t.Helper()
	src := &pausedSource{total: 100, pauseAt: 50, resume: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: dir, Retained: 3}})
	countJob(env, src, t.TempDir())
	job, err := env.ExecuteAsync("verify")
	if err != nil {
		t.Fatal(err)
	}
	for job.Snapshot().Vertices[1].Operators[0].RecordsIn < 50 {
		time.Sleep(time.Millisecond)
	}
	var ids []int64
	for range 2 {
		id, err := job.TriggerCheckpoint()
		if err != nil {
			t.Fatal(err)
		}
		for !savepointDone(job, id) {
			time.Sleep(time.Millisecond)
		}
		ids = append(ids, id)
	}
	job.Cancel()
	job.Wait()
	return ids
}

// LatestCheckpoint used to trust a checkpoint whose _metadata was intact, such as the chk-N holding only
// _metadata that a race with an ended attempt left behind; the restore then failed. It now verifies the
// state each subtask's entry names and passes over a damaged checkpoint.
func TestLatestCheckpointVerifiesTheState(t *testing.T) {
	for name, damage := range map[string]func(t *testing.T, chk string){
		"only _metadata left": func(t *testing.T, chk string) {
			entries, _ := os.ReadDir(chk)
			for _, e := range entries {
				if e.Name() != metadataFile {
					os.RemoveAll(filepath.Join(chk, e.Name()))
				}
			}
		},
		"a state file truncated at a block boundary": func(t *testing.T, chk string) {
			files, _ := filepath.Glob(filepath.Join(chk, "op-*", "state.bin"))
			if len(files) == 0 {
				t.Fatal("no heap state in the checkpoint")
			}
			os.WriteFile(files[0], nil, 0o644) // empty: zero blocks, as a cut before the first block
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ids := takeTwoCheckpoints(t, dir)
			newest := filepath.Join(dir, fmt.Sprintf("chk-%d", ids[1]))
			if err := VerifyCheckpoint(newest); err != nil {
				t.Fatalf("the intact checkpoint fails verification: %v", err)
			}
			damage(t, newest)
			if err := VerifyCheckpoint(newest); !errors.Is(err, ErrCorruptCheckpoint) {
				t.Errorf("VerifyCheckpoint of the damaged checkpoint: %v", err)
			}
			got, err := LatestCheckpoint(dir)
			if err != nil || got != filepath.Join(dir, fmt.Sprintf("chk-%d", ids[0])) {
				t.Errorf("LatestCheckpoint = %s, %v; want chk-%d", got, err, ids[0])
			}
			older := filepath.Join(dir, fmt.Sprintf("chk-%d", ids[0]))
			os.Remove(filepath.Join(older, metadataFile))
			if _, err := LatestCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "no intact checkpoint") || !strings.Contains(err.Error(), "newest") {
				t.Errorf("with none intact: %v", err)
			}
		})
	}
}

// An abort while the metadata is being written (an attempt ending) leaves the directory to the writer, which
// removes it once the write is over: no checkpoint directory is left that looks complete.
func TestAbortDuringMetadataWriteLeavesNoCheckpoint(t *testing.T) {
	dir := t.TempDir()
	src := &pausedSource{total: 100, pauseAt: 50, resume: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: dir}})
	countJob(env, src, t.TempDir())
	job, err := env.ExecuteAsync("abort during write")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { job.Cancel(); job.Wait() }()
	for job.Snapshot().Vertices[1].Operators[0].RecordsIn < 50 {
		time.Sleep(time.Millisecond)
	}
	var keptDuringWrite bool
	job.coord.mu.Lock()
	job.coord.beforeMetadataWrite = func(p *pendingCP) {
		job.coord.mu.Lock()
		job.coord.abortLocked("the attempt ended")
		_, err := os.Stat(p.dir)
		keptDuringWrite = err == nil
		job.coord.mu.Unlock()
	}
	job.coord.mu.Unlock()
	id, err := job.TriggerCheckpoint()
	if err != nil {
		t.Fatal(err)
	}
	chk := filepath.Join(dir, fmt.Sprintf("chk-%d", id))
	deadline := time.Now().Add(time.Minute)
	for !checkpointAborted(job, id) {
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d never aborted: %+v", id, job.Checkpoints())
		}
		time.Sleep(time.Millisecond)
	}
	for time.Now().Before(deadline) {
		if _, err := os.Stat(chk); os.IsNotExist(err) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := os.Stat(chk); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(chk)
		t.Errorf("%s is left with %v", chk, entries)
	}
	if !keptDuringWrite {
		t.Error("the abort removed the directory while the metadata was being written into it")
	}
	if _, err := LatestCheckpoint(dir); err == nil {
		t.Error("LatestCheckpoint found a checkpoint although the only one was aborted")
	}
}

func checkpointAborted(j *Job, id int64) bool {
	for _, c := range j.Checkpoints() {
		if c.ID == id && c.Status == CheckpointAborted {
			return true
		}
	}
	return false
}

// Checkpoints of earlier processes beyond the retained count, and directories of checkpoints that never
// completed, used to stay in a configured checkpoint directory forever.
func TestLeftoverCheckpointsAreRetired(t *testing.T) {
	dir := t.TempDir()
	for id := 1; id <= 4; id++ {
		chk := filepath.Join(dir, fmt.Sprintf("chk-%d", id))
		os.MkdirAll(filepath.Join(chk, "op-1-0"), 0o755)
		if id < 4 { // chk-4 never completed
			os.WriteFile(filepath.Join(chk, metadataFile), []byte("from an earlier process"), 0o644)
		}
	}
	src := &pausedSource{total: 100, pauseAt: 50, resume: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: dir, Retained: 2}})
	countJob(env, src, t.TempDir())
	job, err := env.ExecuteAsync("retire")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { job.Cancel(); job.Wait() }()
	for job.Snapshot().Vertices[1].Operators[0].RecordsIn < 50 {
		time.Sleep(time.Millisecond)
	}
	var left []string
	for _, want := range [][]string{{"chk-3", "chk-5"}, {"chk-5", "chk-6"}} {
		id, err := job.TriggerCheckpoint()
		if err != nil {
			t.Fatal(err)
		}
		for !savepointDone(job, id) {
			time.Sleep(time.Millisecond)
		}
		left = left[:0]
		for _, d := range checkpointDirs(dir) {
			left = append([]string{filepath.Base(d)}, left...)
		}
		if fmt.Sprint(left) != fmt.Sprint(want) {
			t.Errorf("after checkpoint %d the directory holds %v, want %v", id, left, want)
		}
	}
}
