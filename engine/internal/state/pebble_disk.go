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

// commit commits b to the database, without the write-ahead log, and notes that the memtable needs a flush.
func (p *Pebble) commit(b *pebble.Batch) error {
	p.unflushed = true
	return b.Commit(pebble.NoSync)
}

// startFlush starts flushing the memtable when the database took writes since the last flush was started.
func (p *Pebble) startFlush() error {
	if err := p.fault.failed(); err != nil {
		return err
	}
	if !p.unflushed {
		return nil
	}
	done, err := p.db.AsyncFlush()
	if err != nil {
		return fmt.Errorf("state: flushing pebble in %s: %w", p.dir, err)
	}
	p.unflushed, p.flushed = false, done
	return nil
}

// flush makes sure every write to the database is in its sstables: it starts a flush when there were
// writes since the last one and waits for the last one started, but returns as soon as a background failure
// is recorded instead of waiting for a flush that Pebble retries for ever (DB.Flush would).
func (p *Pebble) flush() error {
	if err := p.startFlush(); err != nil {
		return err
	}
	if p.flushed == nil {
		return nil
	}
	select {
	case <-p.flushed:
	case <-p.fault.hit:
	}
	return p.fault.failed()
}
