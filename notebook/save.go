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

// ErrChangedOnDisk is wrapped by Save's error when the file was changed by someone else (another workbench,
// an editor) since this notebook was loaded from it or last saved to it; nothing was written. Overwrite
// writes anyway; SaveConflictCopy keeps this version beside the other.
var ErrChangedOnDisk = errors.New("notebook: the file changed on disk since it was opened")

// fingerprint identifies a file's contents as Load read them or Save wrote them.
type fingerprint struct {
	path string
	sum  [sha256.Size]byte
}

// Load reads and parses the notebook at path.
func Load(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	nb.disk = fingerprint{path: path, sum: sha256.Sum256(b)}
	removeStaleTemps(path, time.Now().Add(-staleTemp))
	return nb, nil
}

// staleTemp is how old a temporary file of an interrupted save must be before Load removes it: younger ones
// may belong to a save in progress in another workbench.
const staleTemp = time.Minute

// removeStaleTemps removes the temporary files WriteFileAtomic left beside path (and its backup and recovery
// files) when a save was interrupted, if they were last written before cutoff.
func removeStaleTemps(path string, cutoff time.Time) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for _, name := range []string{base, base + ".bak", filepath.Base(RecoveryPath(path))} {
		matches, _ := filepath.Glob(filepath.Join(dir, "."+escapeGlob(name)+".tmp-*"))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.ModTime().Before(cutoff) {
				os.Remove(m)
			}
		}
	}
}

// escapeGlob quotes the characters filepath.Match treats specially.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Save writes nb to path atomically: the bytes go to a temporary file in the same directory, which is
// fsynced and renamed over path, so a crash or a full disk leaves either the old or the new notebook, never
// a mix. The version it replaces is kept as path + ".bak". On success the recovery file, if any, is removed.
//
// If nb was loaded from path (or saved to it) and the file has changed since, Save writes nothing and
// returns an error wrapping ErrChangedOnDisk: the same notebook is open somewhere else, and saving would
// silently drop the other writer's work.
func (nb *Notebook) Save(path string) error { return nb.save(path, false) }

// Overwrite is Save without the check for another writer: it replaces whatever the file holds (keeping it
// as path + ".bak").
func (nb *Notebook) Overwrite(path string) error { return nb.save(path, true) }

func (nb *Notebook) save(path string, overwrite bool) error {
	ps := nb.PrepareSave(path, overwrite)
	err := ps.Write()
	nb.Saved(ps)
	return err
}

// SaveConflictCopy writes nb beside path as NAME.conflict-YYYYMMDD-HHMMSS.md (at), for when path changed on
// disk and both versions are to be kept; it returns the copy's path. path itself is not touched.
func (nb *Notebook) SaveConflictCopy(path string, at time.Time) (string, error) {
	return nb.PrepareSave(path, false).WriteConflictCopy(at)
}

// WriteFileAtomic writes data to path through a temporary file in the same directory that is fsynced and
// then renamed into place; the directory is fsynced too. On any error path is unchanged and the temporary
// file is removed.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if fi, statErr := os.Stat(path); statErr == nil {
		_ = os.Chmod(f.Name(), fi.Mode().Perm())
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // best effort: not every file system syncs directories
		d.Close()
	}
	return nil
}

// RecoveryPath returns where the workbench autosaves unsaved changes of the notebook at path: a hidden file
// beside it.
func RecoveryPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".recovery")
}

// SaveRecovery writes nb's unsaved state to path's recovery file (atomically).
func (nb *Notebook) SaveRecovery(path string) error {
	if err := WriteFileAtomic(RecoveryPath(path), nb.Render()); err != nil {
		return fmt.Errorf("notebook: autosaving %s: %w", path, err)
	}
	return nil
}

// LoadRecovery returns the recovery copy of the notebook at path and when it was written, if there is one
// not older than the notebook itself; otherwise it returns nil and no error.
func LoadRecovery(path string) (*Notebook, time.Time, error) {
	rp := RecoveryPath(path)
	ri, err := os.Stat(rp)
	if err != nil {
		return nil, time.Time{}, nil
	}
	if fi, err := os.Stat(path); err == nil && ri.ModTime().Before(fi.ModTime()) {
		return nil, time.Time{}, nil
	}
	b, err := os.ReadFile(rp)
	if err != nil {
		return nil, time.Time{}, err
	}
	nb, err := Parse(rp, b)
	if err != nil {
		// Keep the unreadable copy aside, where the next autosave cannot overwrite it, and say where.
		aside := rp + ".unreadable-" + ri.ModTime().Format("20060102-150405")
		if rerr := os.Rename(rp, aside); rerr != nil {
			return nil, time.Time{}, fmt.Errorf("notebook: the recovery file %s cannot be read (%v) nor kept aside: %w", rp, err, rerr)
		}
		return nil, time.Time{}, fmt.Errorf("notebook: the recovery file of %s cannot be read, so it was kept as %s: %w", path, aside, err)
	}
	return nb, ri.ModTime(), nil
}

// DiscardRecovery removes path's recovery file, if any.
func DiscardRecovery(path string) error {
	if err := os.Remove(RecoveryPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
