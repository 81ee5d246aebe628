package state

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// ErrBackendFailed is wrapped by the errors of a state backend that can no longer write its state, such as
// a Pebble database on a full disk: the task must fail, and the job recover from its last checkpoint.
var ErrBackendFailed = errors.New("state: the state backend failed")

// PebbleFS is the file system every Pebble backend of the process opens its database on. Default
// vfs.Default, the operating system's; tests wrap it (pebble's vfs/errorfs) to make the disk fail.
var PebbleFS vfs.FS = vfs.Default

// diskFault records the first error Pebble met in the background (a flush or compaction that could not
// write: a full disk). Pebble retries a failed flush for ever and stalls writers once its memtables are
// full, so without it a full disk hangs the job with no error: the backend checks it before every write
// and while it waits for a flush, and then fails with the error, naming the database's directory.
type diskFault struct {
	dir  string
	once sync.Once
	mu   sync.Mutex
	err  error
	hit  chan struct{} // closed when err is set
}

func newDiskFault(dir string) *diskFault { return &diskFault{dir: dir, hit: make(chan struct{})} }

func (f *diskFault) set(err error) {
	if err == nil {
		return
	}
	f.once.Do(func() {
		f.mu.Lock()
		f.err = fmt.Errorf("%w: pebble in %s: %w", ErrBackendFailed, f.dir, err)
		f.mu.Unlock()
		close(f.hit)
	})
}

// failed returns the recorded failure, or nil.
func (f *diskFault) failed() error {
	select {
	case <-f.hit:
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.err
	default:
		return nil
	}
}

// listener is the event listener that records background failures: a flush, compaction or table-stats
// load that failed (Pebble leaves out the benign ones, such as cancelled compactions; FlushEnd is not used,
// since it also reports an empty flush as an error).
func (f *diskFault) listener() *pebble.EventListener {
	return &pebble.EventListener{BackgroundError: f.set}
}

// flush flushes the memtable, but returns as soon as a background failure is recorded instead of waiting
// for a flush that Pebble retries for ever (DB.Flush would).
func (p *Pebble) flush() error {
	if err := p.fault.failed(); err != nil {
		return err
	}
	done, err := p.db.AsyncFlush()
	if err != nil {
		return fmt.Errorf("state: flushing pebble in %s: %w", p.dir, err)
	}
	select {
	case <-done:
		return p.fault.failed()
	case <-p.fault.hit:
		return p.fault.failed()
	}
}
