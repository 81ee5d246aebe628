package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/kernel"
)

func TestMain(m *testing.M) {
	kernel.MainIfKernel() // weir run and weir check start this test binary as their kernel
	os.Exit(m.Run())
}

// crashing writes notebooks whose second cell ends the process it runs in.
func crashing(t *testing.T) map[string]string {
	dir := t.TempDir()
	cells := map[string]string{
		"goroutine": "done := make(chan int)\ngo func() {\n\tpanic(\"lost in a goroutine\")\n}()\n<-done",
		"recursion": "func down(n int) int { return down(n+1) + 1 }\ndown(0)",
	}
	paths := map[string]string{}
	for name, cell := range cells {
		p := filepath.Join(dir, name+".md")
		text := "# " + name + "\n\n```go\nfmt.Println(\"first\")\n```\n\n```go\n" + cell + "\n```\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

// A cell that panics in a goroutine, or recurses without end, ended weir run and weir check (and every
// lesson after it) with Go's crash dump. Now it is a failed cell that says why, and weir check goes on with
// the next notebook.
func TestRunAndCheckReportACrashingCellAndGoOn(t *testing.T) {
	paths := crashing(t)
	for name, want := range map[string]string{
		"goroutine": "the kernel died: panic: lost in a goroutine (cell cell-2, line 3:",
		"recursion": "the kernel died: stack overflow",
	} {
		var out, errs bytes.Buffer
		code := run([]string{"run", paths[name]}, &out, &errs)
		if code != 1 || !strings.Contains(out.String(), "first\n") || !strings.Contains(out.String(), "error: cell cell-2") ||
			!strings.Contains(out.String(), want) || !strings.Contains(errs.String(), "a cell failed") {
			t.Errorf("weir run %s: exit %d\nstdout %s\nstderr %s\nwant %q", name, code, out.String(), errs.String(), want)
		}
	}
	good := filepath.Join(filepath.Dir(paths["goroutine"]), "good.md")
	os.WriteFile(good, []byte("# good\n\n```go\nfmt.Println(\"still here\")\n```\n"), 0o644)
	var out, errs bytes.Buffer
	code := run([]string{"check", paths["goroutine"], paths["recursion"], good}, &out, &errs)
	if code != 1 || strings.Count(out.String(), "FAIL ") != 2 || strings.Count(out.String(), ": crash: the kernel died: ") != 4 || !strings.Contains(out.String(), "still here") ||
		!strings.Contains(out.String(), "0 passed, 2 failed") {
		t.Errorf("weir check: exit %d\nstdout %s\nstderr %s", code, out.String(), errs.String())
	}
}

// Sizes as --kernel-memory reads them.
func TestByteSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want byteSize
		show string
	}{
		{"2GiB", 2 << 30, "2GiB"},
		{"512MiB", 512 << 20, "512MiB"},
		{"1.5 GB", 3 << 29, "1536MiB"},
		{"1000", 1000, "1000"},
		{"64kib", 64 << 10, "65536"},
	} {
		var b byteSize
		if err := b.Set(c.in); err != nil || b != c.want || b.String() != c.show {
			t.Errorf("%q: %d (%q), %v; want %d (%q)", c.in, b, b.String(), err, c.want, c.show)
		}
	}
	for _, bad := range []string{"", "GiB", "0", "-3MiB", "two"} {
		var b byteSize
		if err := b.Set(bad); err == nil {
			t.Errorf("%q is read as %d", bad, b)
		}
	}
}
