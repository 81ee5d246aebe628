package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/term"
	"github.com/de4e/weir/tui"
	"github.com/de4e/weir/tutorials"
)

// The command line's conventions: --help exits 0 with the command list; every usage error exits 2 with one
// message; negative counts and limits are refused.
func TestCommandLineExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{[]string{"--help"}, 0, "Commands:", ""},
		{[]string{"-h"}, 0, "Commands:", ""},
		{[]string{"help"}, 0, "Commands:", ""},
		{[]string{"bogus"}, 2, "", "unknown command \"bogus\""},
		{[]string{"replay"}, 2, "", "which recording?"},
		{[]string{"replay", "words", "--limit", "-3"}, 2, "", "--limit and --speed cannot be negative"},
		{[]string{"replay", "words", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{[]string{"record", "words", "--count", "-1"}, 2, "", "--count and --disorder cannot be negative"},
		{[]string{"record", "words", "--late", "2"}, 2, "", "--late is a share between 0 and 1"},
		{[]string{"bench", "--events", "0"}, 2, "", "--events must be positive"},
		{[]string{"sql", "--parallelism", "0", "x.sql"}, 2, "", "--parallelism must be at least 1"},
		{[]string{"run"}, 2, "", "usage: weir run"},
		{[]string{"run", "--kernel-memory", "lots", "x.md"}, 2, "", `"lots" is not a size: write a positive number with a unit, such as 512MiB or 2GiB`},
		{[]string{"check", "--kernel-memory", "-1GiB"}, 2, "", `"-1GiB" is not a size`},
		{[]string{"replay", "words", "-h"}, 0, "", "-limit"},
		{[]string{"learn", "--lang", "fr"}, 2, "", "unknown language \"fr\""},
		{[]string{"learn", "--speed", "-1"}, 2, "", "--speed cannot be negative"},
		{[]string{"a.md", "b.md"}, 2, "", "open one notebook at a time"},
	} {
		var out, errs bytes.Buffer
		code := run(c.args, &out, &errs)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errs.String(), c.err) {
			t.Errorf("weir %v: exit %d, stdout %q, stderr %q; want exit %d with %q and %q", c.args, code, out.String(), errs.String(), c.code, c.out, c.err)
		}
		if c.code == 2 && strings.Count(errs.String(), c.err) != 1 {
			t.Errorf("weir %v: the message is said %d times: %q", c.args, strings.Count(errs.String(), c.err), errs.String())
		}
	}
}

// Without a terminal the workbench says what to use instead of failing on /dev/tty.
func TestWorkbenchNeedsATerminal(t *testing.T) {
	if term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) {
		t.Skip("the test runs in a terminal")
	}
	var out, errs bytes.Buffer
	if code := run(nil, &out, &errs); code != 1 || !strings.Contains(errs.String(), "weir needs a terminal; use weir run or weir check") {
		t.Errorf("exit %d, stderr %q", code, errs.String())
	}
}

// weir check with no notebook checks the learner's saved lesson copies and says which; with none saved it
// says what to do, instead of checking the bundled starter code (whose exercises only fail).
func TestCheckWithoutArgumentsChecksTheSavedCopies(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	var out, errs bytes.Buffer
	if code := run([]string{"check", "-q"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "no saved lesson to check") {
		t.Fatalf("with nothing saved: exit %d, stderr %q", code, errs.String())
	}
	store, err := tui.OpenStore(tui.DefaultStoreDir())
	if err != nil {
		t.Fatal(err)
	}
	lesson := "en/01-batch-and-stream.md"
	src, _ := tutorials.Source(lesson)
	cp := store.LessonCopy(lesson)
	os.MkdirAll(filepath.Dir(cp), 0o755)
	os.WriteFile(cp, src, 0o644)
	out.Reset()
	errs.Reset()
	code := run([]string{"check", "-q"}, &out, &errs)
	if !strings.Contains(out.String(), "checking your saved copies of 1 lessons") || !strings.Contains(out.String(), cp) {
		t.Errorf("exit %d, stdout %q: want the saved copy named", code, out.String())
	}
}
