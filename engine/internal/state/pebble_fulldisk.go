package state

import (
	"os"
	"sync/atomic"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// FullDisk is a disk that tests can fill: installed as PebbleFS (UseFullDisk), it fails every write of every
// Pebble backend of the process with ENOSPC, as a full disk does, while Full is set.
type FullDisk struct {
	Full atomic.Bool
}

// UseFullDisk installs a FullDisk, not full yet, under every Pebble backend opened from now on, and returns
// it with the function that puts the previous PebbleFS back. It is for tests.
func UseFullDisk() (d *FullDisk, restore func()) {
	d = &FullDisk{}
	prev := PebbleFS
	PebbleFS = errorfs.Wrap(vfs.Default, errorfs.InjectorFunc(func(op errorfs.Op) error {
		if !d.Full.Load() {
			return nil
		}
		switch op.Kind {
		case errorfs.OpCreate, errorfs.OpLink, errorfs.OpReuseForWrite, errorfs.OpMkdirAll,
			errorfs.OpFilePreallocate, errorfs.OpFileWrite, errorfs.OpFileWriteAt:
			return &os.PathError{Op: "write", Path: op.Path, Err: syscall.ENOSPC}
		}
		return nil
	}))
	return d, func() { PebbleFS = prev }
}
