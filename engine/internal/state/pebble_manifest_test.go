package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
	done := make(chan error, 1)
	go func() {
		_, err := p.SnapshotSync(1, filepath.Join(t.TempDir(), "chk-1"))
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the checkpoint of a Pebble backend that cannot write its MANIFEST hung")
	}
	if !errors.Is(err, ErrBackendFailed) || !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), dir) ||
		!strings.Contains(err.Error(), "MANIFEST") {
		t.Fatalf("checkpoint after a MANIFEST write failure: %v; want ErrBackendFailed naming %s, the MANIFEST and EIO", err, dir)
	}
	func() {
		defer func() {
			perr, _ := recover().(error)
			if !errors.Is(perr, ErrBackendFailed) {
				t.Errorf("a write after the failure panicked with %v, want ErrBackendFailed", perr)
			}
		}()
		fillBackend(p, 128, 10)
	}()
	failing.Store(false)
}
