package sources

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
)

// watermarksMet replays the sorter recording (one event a second, arriving at 1 s, 2 s, ...) as fast as
// possible with DeterministicTime and the watermark strategy s, and returns, for each event in arrival order,
// "event-time seconds@watermark ms" as the sorter's operator meets it, and the events that are late
// (timestamp at or behind that watermark).
func watermarksMet(t *testing.T, s engine.WatermarkStrategy) (met []string, late []int64) {
	t.Helper()
	b, err := FindRecording("sorter")
	if err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, DeterministicTime: true})
	out := env.FromSource(b.Replay(nil), &s, "sorter").
		KeyBy(func(any) any { return "all" }).
		Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
			e := v.(Event)
			wm := ctx.CurrentWatermark()
			if wm == engine.MinWatermark {
				out.Collect(fmt.Sprintf("%d@none", e.Time/1000))
			} else {
				out.Collect(fmt.Sprintf("%d@%d", e.Time/1000, wm))
			}
		}}).Collect()
	if _, err := env.Execute("sorter"); err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Values() {
		var ts, wm int64
		met = append(met, v.(string))
		if n, _ := fmt.Sscanf(v.(string), "%d@%d", &ts, &wm); n == 2 && ts*1000 <= wm {
			late = append(late, ts)
		}
	}
	return met, late
}

// Under DeterministicTime, periodic watermarks follow the replay's arrival times (issue 20): the default
// 200 ms interval passes between every two events of the sorter recording (1 s apart), so each event meets
// the watermark its predecessor made (highest timestamp - 1 s - 1 ms) and the same events are late as with
// per-record emission, lesson 4's 2 9 12 13 14 22 19; a 2.5 s interval emits before every third event (at
// the arrivals 3 s, 6 s, 9 s, 12 s and 15 s), so the watermark lags and only 19 is late, whatever the
// machine's speed. Before, the source checked its
// periodic emission only every 64 records, so no watermark came before the end of the 15 events and nothing
// was late.
func TestPeriodicWatermarksFollowTheReplaysArrivalsUnderDeterministicTime(t *testing.T) {
	lesson4Late := []int64{2, 9, 12, 13, 14, 22, 19}
	perRecord := []string{"4@none", "2@2999", "7@2999", "11@5999", "9@9999", "15@9999", "12@13999", "13@13999",
		"17@13999", "14@15999", "21@15999", "24@19999", "22@22999", "19@22999", "23@22999"}
	for _, c := range []struct {
		name     string
		strategy engine.WatermarkStrategy
		met      []string
		late     []int64
	}{
		{"per record", engine.ForBoundedOutOfOrderness(time.Second).WithPerRecordEmission(), perRecord, lesson4Late},
		{"periodic, 200 ms", engine.ForBoundedOutOfOrderness(time.Second), perRecord, lesson4Late},
		// Emissions when the time reaches 2.5 s (at 3 s), then 5.5 s (at 6 s), 8.5 s (at 9 s), 11.5 s (at 12 s)
		// and 14.5 s (at 15 s), each with the highest timestamp of the events before it.
		{"periodic, 2.5 s", engine.ForBoundedOutOfOrderness(time.Second).WithEmitInterval(2500 * time.Millisecond),
			[]string{"4@none", "2@none", "7@2999", "11@2999", "9@2999", "15@9999", "12@9999", "13@9999",
				"17@13999", "14@13999", "21@13999", "24@19999", "22@19999", "19@19999", "23@22999"},
			[]int64{19}},
	} {
		t.Run(c.name, func(t *testing.T) {
			met, late := watermarksMet(t, c.strategy)
			if !slices.Equal(met, c.met) || !slices.Equal(late, c.late) {
				t.Errorf("events met the watermarks\n%v\nwant\n%v\nlate %v, want %v", met, c.met, late, c.late)
			}
		})
	}
}
