package sources

import (
	"io"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// An idle marker line parses like the watermark marker and replays as engine.Idle where it was written, so a
// recording can mark its source idle (Flink's SourceOutput#markIdle) until its next event.
func TestIdleMarkerParsesAndReplays(t *testing.T) {
	l, err := ParseLine([]byte(`{"marker":"idle"}`))
	if err != nil || l.Marker == nil || l.Marker.Kind != "idle" {
		t.Fatalf("ParseLine = %+v, %v", l, err)
	}
	if _, err := ParseLine([]byte(`{"marker":"idle","key":"a"}`)); err == nil {
		t.Fatal("an idle marker with a key was accepted")
	}
	if _, err := ParseLine([]byte(`{"marker":"idel"}`)); err == nil || !strings.Contains(err.Error(), "want watermark, idle, crash or pause") {
		t.Fatalf("unknown marker: %v", err)
	}
	rec := "{\"arrival\":10,\"time\":1,\"key\":\"a1\"}\n{\"marker\":\"idle\"}\n{\"arrival\":30,\"time\":3,\"key\":\"a2\"}\n{\"marker\":\"watermark\",\"time\":2}\n"
	src := Replay{Recordings: []Opener{{Name: "a", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(rec)), nil }}}}
	rd, err := src.Reader(engine.SourceContext{})
	if err != nil {
		t.Fatal(err)
	}
	got := readLabels(t, rd)
	if strings.Join(got, ",") != "a1,idle,a2,wm2" {
		t.Fatalf("replayed %v", got)
	}
	var b strings.Builder
	if err := WriteEvents(&b, []Line{{Marker: &Marker{Kind: "idle"}}}); err != nil || b.String() != "{\"marker\":\"idle\"}\n" {
		t.Fatalf("WriteEvents = %q, %v", b.String(), err)
	}
}
