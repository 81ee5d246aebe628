package notebook

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PendingSave is a save of a notebook prepared on the goroutine that owns the notebook (PrepareSave: the
// notebook is rendered there) and written on any other (Write), for a user interface that keeps file I/O off
// its event loop. Saved records the write in the notebook afterwards, on the owning goroutine.
type PendingSave struct {
	Path      string
	data      []byte
	overwrite bool
	disk      fingerprint // the file as the notebook last read or wrote it
	written   fingerprint
}

// PrepareSave renders nb for a save to path: as Save (overwrite false), which refuses to replace a file
// changed on disk since nb read or wrote it, or as Overwrite (overwrite true).
func (nb *Notebook) PrepareSave(path string, overwrite bool) *PendingSave {
	return &PendingSave{Path: path, data: nb.Render(), overwrite: overwrite, disk: nb.disk}
}

// Write writes the prepared notebook as Save or Overwrite would (atomically, keeping the old file as
// path + ".bak" and removing the recovery file); it touches no Notebook, so it may run on any goroutine. Its
// error wraps ErrChangedOnDisk when the file changed on disk and the save is not an overwrite.
func (ps *PendingSave) Write() error {
	if !ps.overwrite && ps.disk.path == ps.Path {
		if cur, err := os.ReadFile(ps.Path); err == nil && sha256.Sum256(cur) != ps.disk.sum {
			return fmt.Errorf("%w: %s", ErrChangedOnDisk, ps.Path)
		}
	}
	if old, err := os.ReadFile(ps.Path); err == nil {
		if err := WriteFileAtomic(ps.Path+".bak", old); err != nil {
			return fmt.Errorf("notebook: keeping a backup of %s: %w", ps.Path, err)
		}
	}
	if err := WriteFileAtomic(ps.Path, ps.data); err != nil {
		return fmt.Errorf("notebook: saving %s: %w", ps.Path, err)
	}
	ps.written = fingerprint{path: ps.Path, sum: sha256.Sum256(ps.data)}
	if err := os.Remove(RecoveryPath(ps.Path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("notebook: removing the recovery file of %s: %w", ps.Path, err)
	}
	return nil
}

// Saved records in nb that ps was written (after a Write without error), so that the next Save compares the
// file with what was written.
func (nb *Notebook) Saved(ps *PendingSave) {
	if ps.written.path != "" {
		nb.disk = ps.written
	}
}

// WriteConflictCopy writes the prepared notebook beside its path as NAME.conflict-YYYYMMDD-HHMMSS.md (at), for
// when the path changed on disk and both versions are to be kept; it returns the copy's path. The path itself
// is not touched.
func (ps *PendingSave) WriteConflictCopy(at time.Time) (string, error) {
	ext := filepath.Ext(ps.Path)
	cp := strings.TrimSuffix(ps.Path, ext) + ".conflict-" + at.Format("20060102-150405") + ext
	if err := WriteFileAtomic(cp, ps.data); err != nil {
		return "", fmt.Errorf("notebook: keeping a copy of %s: %w", ps.Path, err)
	}
	return cp, nil
}
