package tui

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/de4e/weir/notebook"
)

// Store keeps what the workbench remembers for its user between runs: lesson progress, recent files and
// the user's own copies of the bundled lessons. It lives in one directory (by default the user's config
// directory + "/weir"); every write is atomic.
type Store struct {
	Dir string

	mu    sync.Mutex
	state storeState
}

type storeState struct {
	// Progress maps a lesson path ("en/01-batch-and-stream.md") to its last check.
	Progress map[string]Progress `json:"progress"`
	Recent   []string            `json:"recent"`
}

// Progress is the outcome of a lesson's last check in the workbench.
type Progress struct {
	Passed int `json:"passed"`
	Total  int `json:"total"`
}

// DefaultStoreDir returns the user's config directory + "/weir", or a directory in the temporary directory
// when the system has no config directory.
func DefaultStoreDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "weir")
	}
	return filepath.Join(os.TempDir(), "weir")
}

// OpenStore reads the store in dir; a missing store is empty. A corrupt one is kept aside as
// state.json.corrupt and an empty store is used, so that a bad file never stops the workbench.
func OpenStore(dir string) (*Store, error) {
	s := &Store{Dir: dir, state: storeState{Progress: map[string]Progress{}}}
	b, err := os.ReadFile(s.path())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return s, err
	}
	if err := json.Unmarshal(b, &s.state); err != nil {
		_ = os.Rename(s.path(), s.path()+".corrupt")
		s.state = storeState{}
	}
	if s.state.Progress == nil {
		s.state.Progress = map[string]Progress{}
	}
	return s, nil
}

func (s *Store) path() string { return filepath.Join(s.Dir, "state.json") }

func (s *Store) save() error {
	b, err := json.MarshalIndent(s.state, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	return notebook.WriteFileAtomic(s.path(), b)
}

// Progress returns a lesson's progress.
func (s *Store) Progress(lesson string) (Progress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.state.Progress[lesson]
	return p, ok
}

// SetProgress records a lesson's check.
func (s *Store) SetProgress(lesson string, p Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.Progress[lesson] = p
	return s.save()
}

// Recent returns the recently opened notebook files, newest first.
func (s *Store) Recent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.state.Recent...)
}

// AddRecent puts path first in the recent files (at most 8 are kept).
func (s *Store) AddRecent(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{path}
	for _, p := range s.state.Recent {
		if p != path && len(out) < 8 {
			out = append(out, p)
		}
	}
	s.state.Recent = out
	return s.save()
}

// LessonCopy returns where the user's own copy of a bundled lesson is saved.
func (s *Store) LessonCopy(lesson string) string {
	return filepath.Join(s.Dir, "lessons", filepath.FromSlash(lesson))
}
