package sources

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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
	About     string
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
		{Name: "movieflix", Generator: "movieflix", Seed: 21, Count: 3000, About: "MovieFlix-like releases, feedback and ratings"},
		{Name: "movieflix-late", Generator: "movieflix", Seed: 21, Count: 3000, Knobs: Knobs{Late: 0.05, LateBy: 90_000, Duplicates: 0.02, Drops: 0.02}, About: "the same with late, duplicated and lost events"},
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

// Answers returns the known answers stored beside the recording, for exercises to check against.
func (b Bundled) Answers() (map[string]any, error) {
	data, err := recordingFiles.ReadFile("recordings/" + b.Name + ".answers.json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(data, &m)
}

// FileRecording returns an Opener of a recording file on disk.
func FileRecording(path string) Opener {
	return Opener{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// WriteBundled writes the recording and its answers into dir (weir record --bundled does it for every one).
func (b Bundled) WriteBundled(dir string) error {
	lines, err := b.Make()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteEvents(&buf, lines); err != nil {
		return err
	}
	answers, err := json.MarshalIndent(ComputeAnswers(b.Generator, lines), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, b.Name+".ndjson"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, b.Name+".answers.json"), append(answers, '\n'), 0o644)
}

// ComputeAnswers derives the facts lessons check from a generator's stream: counts per window, the smallest
// bound without late events, alerts, averages.
func ComputeAnswers(generator string, lines []Line) map[string]any {
	var evs []Event
	for _, l := range lines {
		if l.Event != nil {
			evs = append(evs, *l.Event)
		}
	}
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
		sum, n := map[string]float64{}, map[string]int{}
		for _, e := range evs {
			if e.Kind == "feedback" {
				k := fmt.Sprintf("%s/cycle%d", e.Key, e.Int("actionCycle"))
				sum[k] += e.Float("score")
				n[k]++
			}
		}
		avg := map[string]float64{}
		for k := range sum {
			avg[k] = round2(sum[k] / float64(n[k]))
		}
		a["averageScore"] = avg
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
