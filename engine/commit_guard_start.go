package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// guardFreshStart is guardRecovery for a job that starts from the beginning of its input (no RestoreFrom)
// in a checkpoint directory where an earlier job that never finished committed output: its checkpoints are
// all gone or damaged, and starting over would write that output a second time. It refuses with
// ErrRecoveryBehindCommit unless CheckpointConfig.AtLeastOnceRecovery. A job that finished removes the
// record (clearOnFinish), so running a finished job again in the same directory is no recovery.
func (j *Job) guardFreshStart() error {
	if j.commits.dir == "" {
		return nil
	}
	committed, err := readCommitted(j.commits.dir)
	if err != nil || committed == 0 {
		return err
	}
	j.commits.id = committed
	return j.guardRecovery(nil)
}

// clearOnFinish removes the commit record of a job that has finished: all its output is committed.
func (g *commitGuard) clearOnFinish() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir == "" {
		return nil
	}
	err := os.Remove(filepath.Join(g.dir, committedFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("engine: removing the commit record of a finished job: %w", err)
	}
	return nil
}
