package sources

import (
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

const goodLine = `{"arrival":1,"time":1,"key":"a"}` + "\n"

// readAll reads every line of src with policy, returning the events read and the error that ended it.
func readRecording(src string, policy Policy) (events int, skipped int, err error) {
	r := NewReader(strings.NewReader(src), "rec.ndjson", policy)
	for {
		l, err := r.Next()
		if err == io.EOF {
			n, _ := r.Skipped()
			return events, n, nil
		}
		if err != nil {
			n, _ := r.Skipped()
			return events, n, err
		}
		if l.Event != nil {
			events++
		}
	}
}

// A line over 1 MiB used to end the read (bufio.Scanner's ErrTooLong) and lose the rest of the file even
// with --skip-bad: now it is one bad line.
func TestOverlongLineIsOneBadLine(t *testing.T) {
	huge := `{"arrival":1,"time":1,"key":"` + strings.Repeat("x", 3<<20) + `"}` + "\n"
	src := goodLine + huge + goodLine + goodLine
	events, skipped, err := readRecording(src, Skip)
	if err != nil || events != 3 || skipped != 1 {
		t.Errorf("skip: %d events, %d skipped, %v; want 3, 1, nil", events, skipped, err)
	}
	_, _, err = readRecording(src, Fail)
	if !errors.Is(err, ErrBadLine) || !strings.Contains(err.Error(), "rec.ndjson:2: ") || !strings.Contains(err.Error(), "longer than 1048576 bytes") {
		t.Errorf("fail: %v", err)
	}
	// An overlong last line without a newline is still one bad line.
	if events, skipped, err := readRecording(goodLine+huge[:len(huge)-1], Skip); err != nil || events != 1 || skipped != 1 {
		t.Errorf("overlong last line: %d events, %d skipped, %v", events, skipped, err)
	}
}

// Invalid UTF-8 used to decode silently into U+FFFD; it is a bad line, named by file, line and byte.
func TestInvalidUTF8IsABadLine(t *testing.T) {
	src := goodLine + "{\"arrival\":1,\"time\":1,\"key\":\"\xff\"}\n" + goodLine
	_, _, err := readRecording(src, Fail)
	if !errors.Is(err, ErrBadLine) || !strings.Contains(err.Error(), "rec.ndjson:2: ") || !strings.Contains(err.Error(), "invalid UTF-8 at byte 30") {
		t.Errorf("fail: %v", err)
	}
	if events, skipped, err := readRecording(src, Skip); err != nil || events != 2 || skipped != 1 {
		t.Errorf("skip: %d events, %d skipped, %v", events, skipped, err)
	}
}

// CRLF line ends and a last line without a newline read as before.
func TestLineEnds(t *testing.T) {
	src := strings.ReplaceAll(goodLine, "\n", "\r\n") + "\n  \n" + strings.TrimSuffix(goodLine, "\n")
	if events, skipped, err := readRecording(src, Fail); err != nil || events != 2 || skipped != 0 {
		t.Errorf("%d events, %d skipped, %v", events, skipped, err)
	}
}

// Consecutive markers that produce nothing were consumed by recursion, one stack frame each; with a small
// stack limit 200,000 pause markers overflowed it. They are consumed in a loop now.
func TestManyPauseMarkersDoNotGrowTheStack(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	const n = 200_000
	src := strings.Repeat(`{"marker":"pause"}`+"\n", n) + goodLine
	ctl := NewController(0)
	rd, err := Replay{Recordings: []Opener{{Name: "pauses", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(src)), nil
	}}}, Control: ctl}.Reader(engine.SourceContext{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if _, err := rd.Read(); !errors.Is(err, engine.ErrNoData) {
		t.Fatalf("read after the pauses: %v, want ErrNoData (paused)", err)
	}
	if p := ctl.Progress(); p.Position != n || !p.Paused {
		t.Errorf("progress %+v, want position %d, paused", p, n)
	}
	ctl.Resume()
	if e, err := rd.Read(); err != nil || e.Value.(Event).Key != "a" {
		t.Errorf("after resuming: %v, %v", e, err)
	}
}

// A replay under the Skip policy tells its controller how many lines it skipped, and the last one.
func TestReplayReportsSkippedLines(t *testing.T) {
	src := goodLine + "not json\n" + goodLine + "{\"arrival\":-1,\"time\":1,\"key\":\"a\"}\n" + goodLine
	ctl := NewController(0)
	rd, err := Replay{Recordings: []Opener{{Name: "bad.ndjson", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(src)), nil
	}}}, Control: ctl, Policy: Skip}.Reader(engine.SourceContext{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for {
		if _, err := rd.Read(); errors.Is(err, engine.ErrEndOfInput) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	p := ctl.Progress()
	if p.Skipped != 2 || p.LastSkip == nil || !strings.Contains(p.LastSkip.Error(), "bad.ndjson:4: ") {
		t.Errorf("skipped %d, last %v; want 2, bad.ndjson:4", p.Skipped, p.LastSkip)
	}
}
