package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// weir replay used to hang forever at a pause marker (nobody could resume it); it says so and goes on, and
// reports the bad lines --skip-bad passed over.
func TestReplayGoesOnAfterAPauseAndReportsSkips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.ndjson")
	rec := `{"arrival":1,"time":1,"key":"a"}` + "\n" + `{"marker":"pause"}` + "\n" + "garbage\n" + `{"arrival":2,"time":2,"key":"b"}` + "\n"
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- runReplay([]string{path, "--skip-bad"}, &out, &errs) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("weir replay hangs at the pause marker")
	}
	want := `{"arrival":1,"time":1,"key":"a"}` + "\n-- pause (after 2 lines; weir replay goes on)\n" + `{"arrival":2,"time":2,"key":"b"}` + "\n"
	if out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
	if !strings.Contains(errs.String(), "skipped 1 bad lines") || !strings.Contains(errs.String(), path+":3: ") {
		t.Errorf("stderr %q: want the skipped line counted and named", errs.String())
	}
}
