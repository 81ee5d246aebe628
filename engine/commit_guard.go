package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/de4e/weir/engine/internal/state"
)

// ErrRecoveryBehindCommit is wrapped by the error of a recovery that would restore a checkpoint older than
// the newest one whose output a two-phase-commit sink has already committed (because the newer checkpoints
// are corrupt, or gone): replaying from there would write that output a second time. The message names both
// checkpoints. CheckpointConfig.AtLeastOnceRecovery lets such a recovery go on, with an
// EventRecoveryBehindCommit saying what it repeats.
var ErrRecoveryBehindCommit = errors.New("engine: recovery would repeat output a sink already committed")

// EventRecoveryBehindCommit is logged when a recovery restores a checkpoint older than the last committed
// one because CheckpointConfig.AtLeastOnceRecovery allows it: the sinks' output after that checkpoint is
// written again.
const EventRecoveryBehindCommit EventKind = "recovery-behind-commit"

// committedFile, in the checkpoint directory, holds the id of the newest checkpoint whose output a sink has
// committed (or is about to: it is written before the commit), so that a job restarted in a new process
// from that directory knows it too.
const committedFile = "_committed"

// commitGuard remembers the newest checkpoint whose transactions a sink committed with records in them.
type commitGuard struct {
	mu  sync.Mutex
	dir string // the checkpoint directory; "" keeps the record in memory only
	id  int64
}

// note records that the output of checkpoint id is about to be committed: durably, before the commit, so
// that a crash between the two cannot lose the record.
func (g *commitGuard) note(id int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id <= g.id {
		return nil
	}
	if g.dir != "" {
		if err := writeFileDurably(filepath.Join(g.dir, committedFile), []byte(strconv.FormatInt(id, 10)+"\n")); err != nil {
			return fmt.Errorf("engine: recording the commit of checkpoint %d: %w", id, err)
		}
	}
	g.id = id
	return nil
}

// last returns the newest committed checkpoint id (0: none).
func (g *commitGuard) last() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.id
}

// reset makes restored the newest committed checkpoint, after a recovery that was allowed to go back.
func (g *commitGuard) reset(restored int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.id = restored
	if g.dir == "" {
		return nil
	}
	return writeFileDurably(filepath.Join(g.dir, committedFile), []byte(strconv.FormatInt(restored, 10)+"\n"))
}

// readCommitted returns the committed checkpoint id recorded in a checkpoint directory (0 if none).
func readCommitted(dir string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, committedFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %q is not a checkpoint id", ErrCorruptCheckpoint, filepath.Join(dir, committedFile), b)
	}
	return id, nil
}

// writeFileDurably replaces path with b through a synced temporary file and a rename, then syncs the
// directory.
func writeFileDurably(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := state.WriteSynced(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return state.SyncDir(filepath.Dir(path))
}

// guardRecovery decides whether the job may recover from restored (nil: from the beginning). It refuses,
// with ErrRecoveryBehindCommit, when a sink has committed the output of a newer checkpoint, unless the
// configuration chose at-least-once recovery; then it logs what is repeated and goes on.
func (j *Job) guardRecovery(restored *checkpointMeta) error {
	committed := j.commits.last()
	var id int64
	from := "the beginning of the input"
	if restored != nil {
		id = restored.ID
		from = fmt.Sprintf("checkpoint %d", id)
	}
	if committed <= id {
		return nil
	}
	if !j.cfg.Checkpointing.AtLeastOnceRecovery {
		return fmt.Errorf("%w: the sinks committed the output of checkpoint %d, but the newest checkpoint that can be restored is %s; set CheckpointConfig.AtLeastOnceRecovery to recover anyway and write that output again",
			ErrRecoveryBehindCommit, committed, from)
	}
	j.events.add(Event{Kind: EventRecoveryBehindCommit, Count: id,
		Detail: fmt.Sprintf("recovering from %s although the sinks committed the output of checkpoint %d: that output is written again (at-least-once recovery)", from, committed)})
	return j.commits.reset(id)
}
