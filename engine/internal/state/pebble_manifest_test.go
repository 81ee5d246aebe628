package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// Pebble calls Logger.Fatalf when it cannot write its MANIFEST (version_set.go: "Any error encountered ...
// considered fatal"); the logger used to panic there, in Pebble's flush goroutine, which killed the whole
// process. The failure is now the backend's: the checkpoint whose flush met it fails with ErrBackendFailed
// naming the directory and the cause, and so does every later write, so that only the task fails and the
// job recovers from its last checkpoint.
func TestPebbleManifestWriteFailureFailsTheTask(t *testing.T) {
	var failing atomic.Bool
	prev := PebbleFS
	PebbleFS = errorfs.Wrap(vfs.Default, errorfs.InjectorFunc(func(op errorfs.Op) error {
		if !failing.Load() || !strings.Contains(filepath.Base(op.Path), "MANIFEST") {
			return nil
		}
		switch op.Kind {
		case errorfs.OpFileWrite, errorfs.OpFileWriteAt, errorfs.OpFileSync:
			return &os.PathError{Op: "write", Path: op.Path, Err: syscall.EIO}
		}
		return nil
	}))
	defer func() { PebbleFS = prev }()
	dir := filepath.Join(t.TempDir(), "db")
	p, err := NewPebble(dir, keygroup.Range{Start: 0, End: 127})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fillBackend(p, 128, 500)
	failing.Store(true)
	err = checkpointOfFailedBackend(t, p, dir)
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "MANIFEST") {
		t.Fatalf("checkpoint after a MANIFEST write failure: %v; want the MANIFEST named and EIO", err)
	}
	failing.Store(false)
}
