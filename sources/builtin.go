package sources

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

//go:embed recordings/*.ndjson recordings/*.answers.json
var recordingFiles embed.FS

// Bundled describes a recording shipped inside the binary: the generator, seed, count and knobs it was made
// from (so a test can make it again and find it identical), and where a scripted marker goes.
type Bundled struct {
	Name      string
	Generator string
	Seed      uint64
	Count     int
	Knobs     Knobs
	CrashAt   int // insert a crash marker after this many events (0: none)
	// ReadWith names the recordings a lesson reads together with this one (MovieFlix's batch layer reads the
	// main log with the late log): its answers are computed over their lines as well. Default none.
	ReadWith []string
	About    string
	// NewControl, if set, makes the Controller of each Replay(nil); the workbench sets it so that it can
	// pause, step and pace the replays that notebook cells start. Default: NewController(0), as fast as
	// possible.
	NewControl func() *Controller `json:"-"`
}

// Recordings lists the recordings embedded in the binary, for the lessons.
func Recordings() []Bundled {
	return []Bundled{
		{Name: "words", Generator: "words", Seed: 1, About: "the DE4E book's words.txt"},
		{Name: "sorter", Generator: "sorter", Seed: 1, About: "Learn Flink's out-of-order stream-sorter sequence"},
		{Name: "clicks", Generator: "clicks", Seed: 7, Count: 12000, CrashAt: 7000, About: "page clicks, 1000 per page per 15 s window, with a crash marker"},
		{Name: "taxi-rides", Generator: "taxi-rides", Seed: 11, Count: 1000, About: "taxi ride starts and ends"},
		{Name: "taxi-fares", Generator: "taxi-fares", Seed: 11, Count: 1000, About: "taxi fares of the same rides"},
		{Name: "fraud", Generator: "fraud", Seed: 3, Count: 200, About: "card transactions with one fraudulent account"},
		{Name: "spend", Generator: "spend", Seed: 5, Count: 600, About: "spend reports of five accounts"},
		{Name: "movieflix", Generator: "movieflix", Seed: 61, Count: 3000, About: "MovieFlix's main log: releases, feedback of groups A and B in an A/A then an A/B test, and ratings"},
		{Name: "movieflix-late", Generator: "movieflix-late", Seed: 61, Count: 3000, ReadWith: []string{"movieflix"}, About: "MovieFlix's late log: the reactions missing from the main log, uploaded later"},
		{Name: "logins", Generator: "logins", Seed: 17, Count: 600, About: "login attempts of 8 users, with bursts of failures"},
		{Name: "nexmark", Generator: "nexmark", Seed: 13, Count: 5000, About: "Nexmark persons, auctions and bids"},
	}
}

// FindRecording returns the bundled recording called name.
func FindRecording(name string) (Bundled, error) {
	var names []string
	for _, b := range Recordings() {
		if b.Name == name {
			return b, nil
		}
		names = append(names, b.Name)
	}
	return Bundled{}, fmt.Errorf("sources: no recording %q (have %s)", name, strings.Join(names, ", "))
}

// Make generates the recording's lines from its generator and seed.
func (b Bundled) Make() ([]Line, error) {
	g, err := FindGenerator(b.Generator)
	if err != nil {
		return nil, err
	}
	lines := g.Generate(b.Seed, b.Count, b.Knobs)
	if b.CrashAt > 0 && b.CrashAt < len(lines) {
		crash := Line{Marker: &Marker{Kind: "crash", Reason: "scripted crash in the " + b.Name + " recording"}}
		lines = append(lines[:b.CrashAt:b.CrashAt], append([]Line{crash}, lines[b.CrashAt:]...)...)
	}
	return lines, nil
}

// Opener returns an Opener of the embedded recording, which knows its number of lines.
func (b Bundled) Opener() Opener {
	path := "recordings/" + b.Name + ".ndjson"
	return Opener{Name: b.Name + ".ndjson", Open: func() (io.ReadCloser, error) { return recordingFiles.Open(path) },
		Lines: embeddedLines(path)}
}

// bundledLines caches the embedded recordings' numbers of lines that are not blank, by path.
var bundledLines sync.Map

// embeddedLines counts the lines of the embedded file at path that are not blank (0 when it cannot be read).
func embeddedLines(path string) int64 {
	if n, ok := bundledLines.Load(path); ok {
		return n.(int64)
	}
	data, err := recordingFiles.ReadFile(path)
	if err != nil {
		return 0
	}
	var n int64
	for line := range bytes.Lines(data) {
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
	bundledLines.Store(path, n)
	return n
}

// Replay returns a Replay of the embedded recording steered by control (nil: a new controller replaying as
// fast as possible).
func (b Bundled) Replay(control *Controller) Replay {
	if control == nil && b.NewControl != nil {
		control = b.NewControl()
	}
	if control == nil {
		control = NewController(0)
	}
	return Replay{Recordings: []Opener{b.Opener()}, Control: control}
}

// Answers returns the known answers stored beside the bundled recording called name, for the lessons'
// checks to compare with. It is a function, not a method of Bundled, so that notebook cells can be denied it:
// the interp kernel withholds Answers, ComputeAnswers and WriteBundled from cells, and only a lesson's check
// cells read answers, through check.Answer.
func Answers(name string) (map[string]any, error) {
	b, err := FindRecording(name)
	if err != nil {
		return nil, err
	}
	data, err := recordingFiles.ReadFile("recordings/" + b.Name + ".answers.json")
	if err != nil {
		return nil, fmt.Errorf("sources: the answers of recording %q: %w", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sources: the answers of recording %q: %w", name, err)
	}
	return m, nil
}

// FileRecording returns an Opener of a recording file on disk.
func FileRecording(path string) Opener {
	return Opener{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// WriteBundled writes recording b and its answers into dir (weir record --bundled does it for every one). Like
// Answers, it is withheld from notebook cells.
func WriteBundled(b Bundled, dir string) error {
	lines, err := b.Make()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteEvents(&buf, lines); err != nil {
		return err
	}
	var with [][]Line
	for _, name := range b.ReadWith {
		o, err := FindRecording(name)
		if err != nil {
			return err
		}
		l, err := o.Make()
		if err != nil {
			return err
		}
		with = append(with, l)
	}
	answers, err := json.MarshalIndent(ComputeAnswers(b.Generator, lines, with...), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, b.Name+".ndjson"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, b.Name+".answers.json"), append(answers, '\n'), 0o644)
}

// ComputeAnswers derives the facts lessons check from a generator's stream, in plain Go: counts per window,
// the smallest bound without late events, alerts, averages. with holds the lines of the recordings the stream
// is read with (Bundled.ReadWith).
func ComputeAnswers(generator string, lines []Line, with ...[]Line) map[string]any {
	evs := eventsOf(lines)
	a := map[string]any{"events": len(evs)}
	switch generator {
	case "words":
		counts := map[string]int{}
		for _, e := range evs {
			for _, w := range strings.Fields(e.String("text")) {
				counts[w]++
			}
		}
		a["wordCounts"] = counts
	case "sorter":
		a["smallestBoundWithoutLateMs"] = SmallestBound(evs)
		// Lesson 6: 5 s tumbling windows behind a 1 s bound, watermarks after every record. An event is
		// dropped when its window's max timestamp + allowed lateness <= the watermark it arrives at.
		counts := map[string]int{}
		var lateness int64
		wm := int64(-1 << 62)
		for _, e := range evs {
			end := e.Time/5000*5000 + 5000
			counts[fmt.Sprint(end-5000)]++
			lateness = max(lateness, wm-(end-1)+1)
			wm = max(wm, e.Time-1000-1)
		}
		a["countsPer5sWindow"] = counts
		a["smallestAllowedLatenessMs"] = lateness
	case "clicks":
		perWindow := map[string]int{}
		for _, e := range evs {
			perWindow[fmt.Sprintf("%s@%d", e.Key, e.Time/15000*15000)]++
		}
		a["clicksPerPageWindow"] = perWindow
	case "taxi-rides":
		long, outside := 0, 0
		starts := map[string]int64{}
		for _, e := range evs {
			if e.Kind == "start" {
				starts[e.Key] = e.Time
				if !InNYC(e.Float("startLon"), e.Float("startLat")) || !InNYC(e.Float("endLon"), e.Float("endLat")) {
					outside++
				}
			}
		}
		for _, e := range evs {
			if e.Kind == "end" && e.Time-starts[e.Key] > 2*3600_000 {
				long++
			}
		}
		a["ridesOverTwoHours"], a["ridesLeavingNYC"] = long, outside
		a["smallestBoundWithoutLateMs"] = SmallestBound(evs)
	case "taxi-fares":
		tips := map[string]float64{}
		for _, e := range evs {
			hour := e.Time / 3600_000 * 3600_000
			tips[fmt.Sprintf("%d@%d", e.Int("driverId"), hour)] += e.Float("tip")
		}
		best := map[string]any{}
		for k, v := range tips {
			hour := k[strings.Index(k, "@")+1:]
			if cur, ok := best[hour].(map[string]any); !ok || v > cur["tips"].(float64) {
				best[hour] = map[string]any{"driver": k[:strings.Index(k, "@")], "tips": round2(v)}
			}
		}
		a["topDriverPerHour"] = best
	case "fraud":
		alerts := map[string]int{}
		small := map[string]bool{}
		for _, e := range evs {
			amt := e.Float("amount")
			if small[e.Key] && amt > 500 {
				alerts[e.Key]++
			}
			small[e.Key] = amt < 1
		}
		a["alertsPerAccount"] = alerts
	case "spend":
		sums := map[string]int64{}
		for _, e := range evs {
			sums[fmt.Sprintf("%s@%d", e.Key, e.Time/3600_000*3600_000)] += e.Int("amount")
		}
		a["spendPerAccountHour"] = sums
	case "movieflix":
		speed, tooLate := movieflixSpeedLayer(evs)
		a["speedPerGroupMinute"], a["speedTooLate"] = speed.rows(), tooLate
		a["averageScore"] = speed.averages()
	case "movieflix-late":
		var main []Event
		for _, l := range with {
			main = append(main, eventsOf(l)...)
		}
		speed, _ := movieflixSpeedLayer(main)
		batch := movieflixMinutes{}
		for _, e := range append(main, evs...) {
			batch.add(e)
		}
		a["feedback"] = len(evs) / 2
		a["batchPerGroupMinute"], a["averageScore"] = batch.rows(), batch.averages()
		missed := map[string]int{}
		for k, b := range batch {
			if d := b.n - speed[k].n; d != 0 {
				missed[k] = d
			}
		}
		a["missedPerGroupMinute"] = missed
	case "logins":
		maps.Copy(a, loginAnswers(evs))
	case "nexmark":
		kinds := map[string]int{}
		for _, e := range evs {
			kinds[e.Kind]++
		}
		a["kinds"] = kinds
	}
	return a
}

func eventsOf(lines []Line) []Event {
	var evs []Event
	for _, l := range lines {
		if l.Event != nil {
			evs = append(evs, *l.Event)
		}
	}
	return evs
}

// movieflixMinutes holds MovieFlix's dashboard: the sum and number of feedback scores per group, action cycle
// and minute of event time, keyed "B/cycle1@start" (the minute's start in ms).
type movieflixMinutes map[string]struct {
	sum float64
	n   int
}

func movieflixMinute(e Event) string {
	return fmt.Sprintf("%s/cycle%d@%d", e.Key, e.Int("actionCycle"), e.Time/60_000*60_000)
}

func (m movieflixMinutes) add(e Event) {
	if e.Kind != "feedback" {
		return
	}
	k := movieflixMinute(e)
	c := m[k]
	c.sum += e.Float("score")
	c.n++
	m[k] = c
}

// rows returns each minute's sum and number of scores.
func (m movieflixMinutes) rows() map[string]any {
	out := map[string]any{}
	for k, c := range m {
		out[k] = map[string]any{"sum": round2(c.sum), "n": c.n}
	}
	return out
}

// averages returns each group and cycle's average score, over all its minutes.
func (m movieflixMinutes) averages() map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for k, c := range m {
		g := k[:strings.Index(k, "@")]
		sum[g] += c.sum
		n[g] += c.n
	}
	avg := map[string]float64{}
	for g := range sum {
		avg[g] = round2(sum[g] / float64(n[g]))
	}
	return avg
}

// movieflixSpeedLayer is lesson 11's speed layer in plain Go: the main log at parallelism 1, a watermark
// 10 s behind the newest event time emitted after every event (of every kind), and one-minute event-time
// windows per group; a feedback is too late, and counted per group instead, when its window's last
// millisecond is at or behind the watermark it meets (Flink's WindowOperator: maxTimestamp <= watermark).
func movieflixSpeedLayer(evs []Event) (movieflixMinutes, map[string]int) {
	windows, tooLate := movieflixMinutes{}, map[string]int{}
	wm, newest := int64(math.MinInt64), int64(math.MinInt64)
	for _, e := range evs {
		if e.Kind == "feedback" {
			if end := e.Time/60_000*60_000 + 60_000; end-1 <= wm {
				tooLate[fmt.Sprintf("%s/cycle%d", e.Key, e.Int("actionCycle"))]++
			} else {
				windows.add(e)
			}
		}
		newest = max(newest, e.Time)
		wm = max(wm, newest-10_000-1)
	}
	return windows, tooLate
}

// SmallestBound returns the smallest out-of-orderness bound, in ms, for which no event is late under
// per-record bounded-out-of-orderness watermarks (watermark = max seen - bound - 1; late: time <= watermark).
func SmallestBound(evs []Event) int64 {
	var bound int64
	maxSeen := int64(-1 << 62)
	for _, e := range evs {
		if maxSeen-e.Time > bound {
			bound = maxSeen - e.Time
		}
		maxSeen = max(maxSeen, e.Time)
	}
	return bound
}

// Names returns the names of the bundled recordings, sorted.
func Names() []string {
	var out []string
	for _, b := range Recordings() {
		out = append(out, b.Name)
	}
	sort.Strings(out)
	return out
}
