package state

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// A full disk under Pebble used to hang a checkpoint for ever in DB.Flush (Pebble retries a failed flush
// without end) and then writers in Pebble's write stall. The checkpoint now fails at once with an error
// wrapping ErrBackendFailed that names the database's directory and says "no space left on device", and
// every later write fails with it instead of stalling.
func TestPebbleOnAFullDiskFailsInsteadOfHanging(t *testing.T) {
	disk, restore := UseFullDisk()
	defer restore()
	dir := filepath.Join(t.TempDir(), "db")
	p, err := NewPebble(dir, keygroup.Range{Start: 0, End: 127})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fillBackend(p, 128, 500)
	disk.Full.Store(true)
	err = checkpointOfFailedBackend(t, p, dir)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("checkpoint on a full disk: %v; want ENOSPC", err)
	}
	disk.Full.Store(false)
	// The space is back: a new backend (the restarted task's) works.
	q, err := NewPebble(filepath.Join(t.TempDir(), "db2"), keygroup.Range{Start: 0, End: 127})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	fillBackend(q, 128, 10)
	if _, err := q.SnapshotSync(1, filepath.Join(t.TempDir(), "chk-1")); err != nil {
		t.Fatal(err)
	}
}

// checkpointOfFailedBackend takes a checkpoint of p, whose disk has just begun to fail, and returns its
// error, failing the test if the checkpoint hangs, succeeds, or fails with an error that does not wrap
// ErrBackendFailed and name dir, or if a later write does not fail with ErrBackendFailed too.
func checkpointOfFailedBackend(t *testing.T, p *Pebble, dir string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := p.SnapshotSync(1, filepath.Join(t.TempDir(), "chk-1"))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the checkpoint of a failing Pebble backend hung")
	}
	if !errors.Is(err, ErrBackendFailed) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("checkpoint of a failing backend: %v; want ErrBackendFailed naming %s", err, dir)
	}
	func() {
		defer func() {
			perr, _ := recover().(error)
			if !errors.Is(perr, ErrBackendFailed) || !strings.Contains(perr.Error(), dir) {
				t.Errorf("a write after the failure panicked with %v, want ErrBackendFailed naming %s", perr, dir)
			}
		}()
		fillBackend(p, 128, 10)
	}()
	return err
}
