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
	path, _, b := conflictingSaves(t, 120, 40, i18n.EN)

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
	if b.conflict == nil || !strings.Contains(b.View().Content, "o: overwrite") {
		t.Fatal("no choice offered for the conflict")
	}
	press(b, "esc")
	if b.conflict != nil {
		t.Fatal("esc left the offer")
	}
	pressRun(b, "ctrl+s")
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "from b") {
		t.Errorf("saving again did not overwrite: %q", got)
	}
	if b.nb.dirty {
		t.Error("still marked unsaved after the overwrite")
	}
}

// The offer after a conflict: d shows how the file differs, l loads the file's version into the pane (the
// kernel keeps running, and the next save compares with what was loaded), o overwrites the file.
func TestConflictOfferReloadsOrOverwrites(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		path, a, b := conflictingSaves(t, 80, 24, lang)
		if b.conflict == nil {
			t.Fatal("no offer after the conflict")
		}
		runner := b.nb.session.Runner()

		press(b, "d")
		if !b.pager.open || !strings.Contains(b.pager.vp.GetContent(), "from a") || !strings.Contains(b.pager.vp.GetContent(), "from b") {
			t.Fatalf("d did not show both versions: open %v, %q", b.pager.open, b.pager.vp.GetContent())
		}
		press(b, "q") // closes the pager
		press(b, "l")
		if b.conflict != nil || b.nb.dirty || b.nb.conflict {
			t.Fatalf("after l: offer %v, dirty %v, conflict %v", b.conflict, b.nb.dirty, b.nb.conflict)
		}
		if got := b.nb.selected().Text; !strings.Contains(got, "from a") {
			t.Errorf("l loaded %q, want the file's version", got)
		}
		if b.nb.session.Runner() != runner {
			t.Error("loading the file's version started another kernel")
		}
		// The next save compares with what l loaded: no conflict.
		b.nb.selected().Text = "x := 4 // b again\n"
		b.nb.dirty = true
		pressRun(b, "ctrl+s")
		if got, _ := os.ReadFile(path); !strings.Contains(string(got), "b again") || b.conflict != nil {
			t.Errorf("the save after l: file %q, offer %v", got, b.conflict)
		}

		// o overwrites at once.
		a.nb.selected().Text = "x := 5 // a again\n"
		a.nb.dirty = true
		pressRun(a, "ctrl+s")
		if a.conflict == nil {
			t.Fatal("no offer for a's save after b's")
		}
		pressRun(a, "o")
		if got, _ := os.ReadFile(path); !strings.Contains(string(got), "a again") || a.conflict != nil || a.nb.dirty {
			t.Errorf("o: file %q, offer %v, dirty %v", got, a.conflict, a.nb.dirty)
		}
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

// conflictingSaves opens one notebook in two workbenches of w × h in lang, then saves an edit in a ("from a")
// and another in b ("from b"): b's save finds the file changed on disk.
func conflictingSaves(t *testing.T, w, h int, lang i18n.Lang) (path string, a, b *Model) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "nb.md")
	if err := os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b = newTestModel(t, w, h, lang), newTestModel(t, w, h, lang)
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
	return path, a, b
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
