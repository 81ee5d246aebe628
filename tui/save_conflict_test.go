package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// The same notebook open in two workbenches: the second save used to overwrite the first silently. Now it
// keeps the second version beside the file, says so, and overwrites only when saved again.
func TestSecondWorkbenchSaveKeepsBothVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	if err := os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestModel(t, 120, 40, i18n.EN)
	b := newTestModel(t, 120, 40, i18n.EN)
	for _, m := range []*Model{a, b} {
		if err := m.open(path); err != nil {
			t.Fatal(err)
		}
	}
	a.nb.selected().Text = "x := 2 // from a\n"
	a.nb.dirty = true
	pressRun(a, "ctrl+s")
	b.nb.selected().Text = "x := 3 // from b\n"
	b.nb.dirty = true
	pressRun(b, "ctrl+s")

	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "from a") {
		t.Fatalf("the second save overwrote the first: %q", got)
	}
	copies, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "nb.conflict-*.md"))
	if len(copies) != 1 {
		t.Fatalf("conflict copies %v, want one", copies)
	}
	if got, _ := os.ReadFile(copies[0]); !strings.Contains(string(got), "from b") {
		t.Errorf("the conflict copy holds %q", got)
	}
	if !strings.Contains(b.status, "changed on disk") || !strings.Contains(b.status, copies[0]) || !b.nb.dirty {
		t.Errorf("status %q (dirty %v): want the conflict and the copy's path, still unsaved", b.status, b.nb.dirty)
	}
	pressRun(b, "ctrl+s")
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "from b") {
		t.Errorf("saving again did not overwrite: %q", got)
	}
	if b.nb.dirty {
		t.Error("still marked unsaved after the overwrite")
	}
}

// An unreadable recovery file is reported when the notebook opens, and kept aside rather than overwritten.
func TestUnreadableRecoveryIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	if err := os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notebook.RecoveryPath(path), []byte("```go\nnever closed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := mustStat(t, path).ModTime().Add(1e9)
	if err := os.Chtimes(notebook.RecoveryPath(path), future, future); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.status, "cannot be read") || !strings.Contains(m.status, "unreadable") {
		t.Errorf("status %q: want the unreadable recovery file and where it was kept", m.status)
	}
}

func mustStat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// A file that is not a notebook (a go.mod) was opened, and saving appended a cell to it; it is refused,
// and so is a directory.
func TestOpeningAFileThatIsNotANotebookIsRefused(t *testing.T) {
	dir := t.TempDir()
	gomod := filepath.Join(dir, "go.mod")
	os.WriteFile(gomod, []byte("module x\n"), 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	for path, want := range map[string]string{gomod: "a notebook is a Markdown file", dir: "it is a directory"} {
		if err := m.open(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("open(%s) = %v, want an error saying %q", path, err, want)
		}
	}
	if b, _ := os.ReadFile(gomod); string(b) != "module x\n" {
		t.Errorf("go.mod changed: %q", b)
	}
	nb := filepath.Join(dir, "new.md")
	os.WriteFile(nb, nil, 0o644)
	if err := m.open(nb); err != nil {
		t.Errorf("an empty .md file (a new notebook): %v", err)
	}
}
