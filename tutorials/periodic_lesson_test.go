package tutorials

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

// Lesson 4's periodic example prints the sorter's late events three ways; the second and third pin periodic
// watermarks (200 ms) replayed as fast as possible (the whole recording passes before the first periodic
// check, so nothing is late) and under DeterministicTime, where they follow the recording's arrival times, one
// event a second, and give the same late events as per-record emission (issue 20: the lesson reasoned about
// this and nothing tested it; sources' TestPeriodicWatermarksFollowTheReplaysArrivalsUnderDeterministicTime
// pins the watermark each event meets).
func TestLesson4PeriodicExample(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"late with per-record watermarks: [2 9 12 13 14 22 19]",
			"late with periodic watermarks (200 ms), replayed as fast as possible: []",
			"late with periodic watermarks (200 ms), on the recording's arrival times: [2 9 12 13 14 22 19]"},
		"ko": {"레코드마다의 워터마크로 늦은 이벤트: [2 9 12 13 14 22 19]",
			"주기적 워터마크(200 ms), 최대한 빠른 재생으로 늦은 이벤트: []",
			"주기적 워터마크(200 ms), 녹화의 도착 시간으로 늦은 이벤트: [2 9 12 13 14 22 19]"},
	} {
		t.Run(lang, func(t *testing.T) {
			nb, err := Open(lang + "/04-event-time-and-watermarks.md")
			if err != nil {
				t.Fatal(err)
			}
			s := interp.NewSession(nb, interp.Options{})
			defer s.Kernel.Restart()
			for _, c := range nb.Cells() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				ex, err := s.Start(ctx, c.Meta.ID, c.Text)
				if err != nil {
					cancel()
					t.Fatal(err)
				}
				<-ex.Done()
				cancel()
				if ex.Err() != nil {
					t.Fatalf("cell %s: %v", c.Meta.ID, ex.Err())
				}
				if c.Meta.ID == "periodic" {
					if got := strings.Split(strings.TrimSpace(ex.Output()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Errorf("the periodic example printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
					return
				}
			}
			t.Fatal("lesson 4 has no cell periodic")
		})
	}
}
