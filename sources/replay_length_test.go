package sources

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// A replay of bundled recordings knows its length: Progress.Total is, from the first read, the Position
// it reaches at its end (markers included: the clicks recording has a crash marker, the sorter one
// watermarks). A recording of unknown length (a reader's, a file's) makes the replay's length unknown.
func TestReplayReportsItsLength(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  int64
	}{
		{[]string{"words"}, 2},
		{[]string{"taxi-rides", "taxi-fares"}, 0}, // set from the embedded files below
		{[]string{"clicks"}, 0},
	} {
		var recs []Opener
		for _, n := range tc.names {
			b, err := FindRecording(n)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, b.Opener())
		}
		ctl := NewController(0)
		rd, err := Replay{Recordings: recs, Control: ctl}.Reader(engine.SourceContext{})
		if err != nil {
			t.Fatal(err)
		}
		total := ctl.Progress().Total
		if tc.want != 0 && total != tc.want {
			t.Errorf("%v: total %d, want %d", tc.names, total, tc.want)
		}
		for {
			if _, err := rd.Read(); errors.Is(err, engine.ErrEndOfInput) {
				break
			} else if err != nil && !errors.Is(err, engine.ErrNoData) {
				t.Fatalf("%v: %v", tc.names, err)
			}
			if p := ctl.Progress(); p.Paused { // a pause marker: go on
				ctl.Resume()
			}
		}
		rd.Close()
		if p := ctl.Progress(); total == 0 || p.Position != total || p.Started.IsZero() {
			t.Errorf("%v: ended at %d of %d (started %v)", tc.names, p.Position, total, p.Started)
		}
	}

	ctl := NewController(0)
	rd, err := Replay{Recordings: []Opener{mustOpener(t, "words"), {Name: "mem", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(goodLine)), nil
	}}}, Control: ctl}.Reader(engine.SourceContext{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if p := ctl.Progress(); p.Total != 0 {
		t.Errorf("a replay with a recording of unknown length: total %d, want 0", p.Total)
	}
}

func mustOpener(t *testing.T, name string) Opener {
	t.Helper()
	b, err := FindRecording(name)
	if err != nil {
		t.Fatal(err)
	}
	return b.Opener()
}
