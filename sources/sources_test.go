package sources

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
)

func events(t *testing.T, gen string, seed uint64, n int, k Knobs) []Event {
	t.Helper()
	g, err := FindGenerator(gen)
	if err != nil {
		t.Fatal(err)
	}
	var out []Event
	for _, l := range g.Generate(seed, n, k) {
		if l.Event != nil {
			out = append(out, *l.Event)
		}
	}
	return out
}

// Rule (ClickEventGenerator): every page and 15 s window holds exactly 1000 clicks.
func TestClicksThousandPerPagePerWindow(t *testing.T) {
	counts := map[string]int{}
	for _, e := range events(t, "clicks", 1, 6*1000*4, Knobs{}) {
		counts[fmt.Sprintf("%s@%d", e.Key, e.Time/15000)]++
	}
	if len(counts) != 6*4 {
		t.Fatalf("%d page-windows, want 24", len(counts))
	}
	for k, c := range counts {
		if c != 1000 {
			t.Errorf("%s holds %d clicks, want 1000", k, c)
		}
	}
}

// Rules (TaxiRideGenerator): rides 20 s apart; STARTs at most 80 s out of order; some ENDs before their
// START; about 1% of rides longer than 2 h; 2-3% of rides leave the NYC box.
func TestTaxiRidesRules(t *testing.T) {
	evs := events(t, "taxi-rides", 5, 5000, Knobs{})
	maxStart := int64(0)
	seenStart := map[string]bool{}
	starts := map[string]int64{}
	endFirst, long, outside, nStart := 0, 0, 0, 0
	for _, e := range evs {
		switch e.Kind {
		case "start":
			nStart++
			if maxStart-e.Time > 80_000 {
				t.Fatalf("START %s is %d ms out of order (bound 80 s)", e.Key, maxStart-e.Time)
			}
			maxStart = max(maxStart, e.Time)
			seenStart[e.Key] = true
			starts[e.Key] = e.Time
			if id := e.Int("rideId"); e.Time != TaxiBase+20_000*id {
				t.Fatalf("ride %d starts at %d, want base + 20 s x id", id, e.Time)
			}
			if !InNYC(e.Float("startLon"), e.Float("startLat")) || !InNYC(e.Float("endLon"), e.Float("endLat")) {
				outside++
			}
		case "end":
			if !seenStart[e.Key] {
				endFirst++
			}
		}
	}
	for _, e := range evs {
		if e.Kind == "end" && e.Time-starts[e.Key] > 2*3600_000 {
			long++
		}
	}
	if nStart != 5000 || endFirst == 0 {
		t.Fatalf("%d starts, %d ends before their start (want some)", nStart, endFirst)
	}
	if long < 10 || long > 120 {
		t.Errorf("%d of 5000 rides over 2 h, want about 1%%", long)
	}
	if outside < 25 || outside > 400 {
		t.Errorf("%d of 5000 rides leave NYC, want a few percent", outside)
	}
}

// Rule: fares belong to the same rides (same seed): one per ride, at its start, in order.
func TestTaxiFaresMatchRides(t *testing.T) {
	rides := map[string]int64{}
	for _, e := range events(t, "taxi-rides", 9, 300, Knobs{}) {
		if e.Kind == "start" {
			rides[e.Key] = e.Int("driverId")
		}
	}
	prev := int64(0)
	for _, e := range events(t, "taxi-fares", 9, 300, Knobs{}) {
		if rides[e.Key] != e.Int("driverId") || e.Time < prev {
			t.Fatalf("fare %s: driver %d vs ride's %d, time %d after %d", e.Key, e.Int("driverId"), rides[e.Key], e.Time, prev)
		}
		prev = e.Time
		if tip := e.Float("tip"); tip < 0 || tip > 60 {
			t.Fatalf("tip %v outside [0, 60]", tip)
		}
	}
}

// Rule (fraud walkthrough): only account 3 makes a small purchase (< $1) immediately followed by a large one
// (> $500), once per 50-record cycle; event time advances 6 min per record.
func TestFraudPattern(t *testing.T) {
	evs := events(t, "fraud", 4, 500, Knobs{})
	small := map[string]bool{}
	alerts := map[string]int{}
	for i, e := range evs {
		if e.Time != FraudBase+int64(i)*360_000 {
			t.Fatalf("record %d at %d, want 6 min apart", i, e.Time)
		}
		amt := e.Float("amount")
		if small[e.Key] && amt > 500 {
			alerts[e.Key]++
		}
		small[e.Key] = amt < 1
	}
	if len(alerts) != 1 || alerts["3"] != 10 {
		t.Fatalf("alerts %v, want account 3 once per cycle (10 in 500 records)", alerts)
	}
}

// Rule (Nexmark): per 50 events 1 person, 3 auctions, 46 bids; person and auction ids follow the id formulas;
// timestamps advance 0.1 ms per event.
func TestNexmarkRules(t *testing.T) {
	evs := events(t, "nexmark", 2, 5000, Knobs{})
	kinds := map[string]int{}
	lastPerson, lastAuction := int64(nexFirstID-1), int64(nexFirstID-1)
	for k, e := range evs {
		kinds[e.Kind]++
		if e.Time != NexmarkBase+int64(k)/10 {
			t.Fatalf("event %d at %d", k, e.Time)
		}
		switch e.Kind {
		case "person":
			if id := e.Int("id"); id != lastPerson+1 {
				t.Fatalf("person id %d after %d", id, lastPerson)
			} else {
				lastPerson = id
			}
		case "auction":
			if id := e.Int("id"); id != lastAuction+1 {
				t.Fatalf("auction id %d after %d", id, lastAuction)
			} else {
				lastAuction = id
			}
		case "bid":
			if a := e.Int("auction"); a > lastAuction+10 {
				t.Fatalf("bid on auction %d, newest is %d", a, lastAuction)
			}
		}
	}
	if kinds["person"] != 100 || kinds["auction"] != 300 || kinds["bid"] != 4600 {
		t.Fatalf("kinds %v, want 1:3:46", kinds)
	}
}

// Rules (MovieFlix): 301 of the 610 users, all among ids 1-409, are in group B; no event happened before
// MovieflixBase; a feedback's action cycle is 0 before MovieflixABFrom and 1 from it on; random
// recommendations give a mean score of 10*4/9 = 4.44 (ranks 0-8 uniform, score 10*(8-rank)/9), and group B's
// in the A/B test, the smaller of two ranks, 10*(8-E[min])/9 = 6.09 (E[min] = 204/81); about 4% of the
// reactions arrive 15-45 s after they happened; the late log holds about 8% of the reactions, none of them in
// the main log, each arriving 5 minutes after the reactions around it.
func TestMovieflixRules(t *testing.T) {
	main, late := events(t, "movieflix", 3, 40000, Knobs{}), events(t, "movieflix-late", 3, 40000, Knobs{})
	groupB := map[int64]bool{}
	sum, n := map[string]float64{}, map[string]int{}
	slow, reactions := 0, 0
	seen := map[string]bool{}
	for i, e := range main {
		if e.Time < MovieflixBase || (i > 0 && e.Arrival < main[i-1].Arrival) {
			t.Fatalf("event %d: time %d before the base or arrival out of order: %+v", i, e.Time, e)
		}
		if e.Kind != "feedback" {
			continue
		}
		reactions++
		if delay := MovieflixBase + e.Arrival - e.Time; delay >= 15_000 && delay <= 45_000 {
			slow++
		} else if delay < 0 || delay >= 2000 {
			t.Fatalf("feedback %d arrives %d ms after it happened", i, delay)
		}
		if e.String("userType") == "B" {
			groupB[e.Int("userId")] = true
			if e.Int("userId") > 409 {
				t.Fatalf("group B user %d above 409", e.Int("userId"))
			}
		}
		if cycle, ab := e.Int("actionCycle"), e.Time-MovieflixBase >= MovieflixABFrom; (cycle == 1) != ab || cycle > 1 {
			t.Fatalf("feedback at %d ms is in action cycle %d", e.Time-MovieflixBase, cycle)
		}
		k := fmt.Sprintf("%s/cycle%d", e.Key, e.Int("actionCycle"))
		sum[k] += e.Float("score")
		n[k]++
		seen[fmt.Sprint(e.Int("userId"), e.Int("movieId"), e.Time)] = true
	}
	if len(groupB) < 280 || len(groupB) > 301 {
		t.Errorf("%d distinct group B users seen, want about 301", len(groupB))
	}
	for k, want := range map[string]float64{"A/cycle0": 4.44, "B/cycle0": 4.44, "A/cycle1": 4.44, "B/cycle1": 6.09} {
		// Within three standard errors (a score's standard deviation is at most 10/9*sqrt(80/12) = 2.87).
		if mean, se := sum[k]/float64(n[k]), 2.87/math.Sqrt(float64(n[k])); math.Abs(mean-want) > 3*se {
			t.Errorf("%s: mean score %.2f over %d, want %.2f within %.2f", k, mean, n[k], want, 3*se)
		}
	}
	if share := float64(slow) / float64(reactions); share < 0.03 || share > 0.05 {
		t.Errorf("%.3f of the reactions are slow, want about 0.04", share)
	}
	lateFeedback := 0
	for _, e := range late {
		if e.Kind != "feedback" {
			continue
		}
		lateFeedback++
		if seen[fmt.Sprint(e.Int("userId"), e.Int("movieId"), e.Time)] {
			t.Fatalf("late feedback %+v is in the main log too", e)
		}
		if d := MovieflixBase + e.Arrival - e.Time; d < 300_000 || d > 345_000 {
			t.Fatalf("late feedback arrives %d ms after it happened", d)
		}
	}
	if share := float64(lateFeedback) / float64(lateFeedback+reactions); share < 0.07 || share > 0.09 {
		t.Errorf("the late log holds %.3f of the reactions, want about 0.08", share)
	}
}

// Same seed, same stream; another seed, another stream.
func TestGeneratorsAreDeterministic(t *testing.T) {
	for _, g := range Generators() {
		a, b := g.Generate(42, 0, Knobs{}), g.Generate(42, 0, Knobs{})
		if fmt.Sprint(a) == "" || len(a) != len(b) {
			t.Fatalf("%s: lengths %d %d", g.Name, len(a), len(b))
		}
		for i := range a {
			if fmt.Sprintf("%+v", *a[i].Event) != fmt.Sprintf("%+v", *b[i].Event) {
				t.Fatalf("%s: event %d differs between two runs of seed 42", g.Name, i)
			}
		}
	}
}

// Knobs: drops remove about their share, duplicates add about theirs, disorder keeps event times but
// permutes arrivals.
func TestKnobs(t *testing.T) {
	base := len(events(t, "clicks", 1, 10000, Knobs{}))
	dropped := len(events(t, "clicks", 1, 10000, Knobs{Drops: 0.1}))
	duped := len(events(t, "clicks", 1, 10000, Knobs{Duplicates: 0.1}))
	if dropped < 8800 || dropped > 9200 || duped < 10800 || duped > 11200 || base != 10000 {
		t.Fatalf("base %d, 10%% drops %d, 10%% duplicates %d", base, dropped, duped)
	}
	disordered := events(t, "clicks", 1, 10000, Knobs{Disorder: 500})
	outOfOrder := 0
	for i := 1; i < len(disordered); i++ {
		if disordered[i].Arrival < disordered[i-1].Arrival {
			t.Fatal("arrivals not sorted")
		}
		if disordered[i].Time < disordered[i-1].Time {
			outOfOrder++
		}
	}
	if outOfOrder < 100 {
		t.Fatalf("only %d event-time inversions with 500 ms disorder", outOfOrder)
	}
}

// A bad line is reported with its file and line; the Skip policy counts it and goes on.
func TestBadLinesNameFileAndLine(t *testing.T) {
	data := "{\"arrival\":1,\"time\":1,\"key\":\"a\"}\n\n{\"arrival\":2,\"time\":2}\nnot json\n{\"marker\":\"crash\"}\n{\"arrival\":3,\"time\":3,\"key\":\"b\",\"colour\":\"red\"}\n"
	r := NewReader(strings.NewReader(data), "demo.ndjson", Fail)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	if !errors.Is(err, ErrBadLine) || !strings.HasPrefix(err.Error(), "demo.ndjson:3: ") || !strings.Contains(err.Error(), `missing "key"`) {
		t.Fatalf("err = %v", err)
	}
	r = NewReader(strings.NewReader(data), "demo.ndjson", Skip)
	var got []string
	for {
		l, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if l.Event != nil {
			got = append(got, l.Event.Key)
		} else {
			got = append(got, l.Marker.Kind)
		}
	}
	n, last := r.Skipped()
	if strings.Join(got, ",") != "a,crash" || n != 3 || !strings.Contains(last.Error(), "demo.ndjson:6") {
		t.Fatalf("got %v, skipped %d (%v)", got, n, last)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{`{"arrival":1,"time":2,"key":"k","kind":"c","payload":{"a":1}}`, `{"marker":"watermark","time":5}`,
		`{"marker":"crash","reason":"x"}`, `{"arrival":-1}`, `[]`, `{"arrival":1e99,"time":"x","key":3}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLine(b)
		if err == nil && (l.Event == nil) == (l.Marker == nil) {
			t.Fatalf("a line must be exactly one of event and marker: %q", b)
		}
		if err != nil && !errors.Is(err, ErrBadLine) {
			t.Fatalf("error does not wrap ErrBadLine: %v", err)
		}
	})
}

// A replay of two recordings merges them by arrival, ties to the first; markers become watermarks and a
// crash that fires once; replayed as fast as possible on a virtual clock, arrivals drive the clock.
func TestReplayMergesAndDrivesTheClock(t *testing.T) {
	a := "{\"arrival\":10,\"time\":1,\"key\":\"a1\"}\n{\"arrival\":30,\"time\":3,\"key\":\"a2\"}\n{\"marker\":\"watermark\",\"time\":99}\n"
	b := "{\"arrival\":10,\"time\":2,\"key\":\"b1\"}\n{\"arrival\":20,\"time\":2,\"key\":\"b2\"}\n"
	open := func(name, s string) Opener {
		return Opener{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }}
	}
	clock := engine.NewVirtualClock(0)
	var times []int64
	src := Replay{Recordings: []Opener{open("a", a), open("b", b)}}
	rd, err := src.Reader(engine.SourceContext{Clock: clock, SetTime: func(t int64) { clock.Set(t); times = append(times, t) }})
	if err != nil {
		t.Fatal(err)
	}
	got := readLabels(t, rd)
	if strings.Join(got, ",") != "a1,b1,b2,a2,wm99" || fmt.Sprint(times) != "[10 10 20 30]" {
		t.Fatalf("merged %v, clock %v", got, times)
	}
	// Seek to an offset reproduces the rest.
	rr := rd.(engine.ReplayableReader)
	if err := rr.Seek([]byte("2")); err != nil {
		t.Fatal(err)
	}
	e, _ := rr.Read()
	if e.Value.(Event).Key != "b2" {
		t.Fatalf("after seek: %v", e.Value)
	}
}

// The controller paces a real-time replay, pauses it and steps it.
func TestControllerPacesPausesAndSteps(t *testing.T) {
	c := NewController(100) // 100x real time: 1 s of arrival time takes 10 ms
	if !c.admit(0) {
		t.Fatal("first event not admitted")
	}
	if c.admit(1000) {
		t.Fatal("an event 1 s later admitted at once at 100x")
	}
	time.Sleep(15 * time.Millisecond)
	if !c.admit(1000) {
		t.Fatal("not admitted after 10 ms")
	}
	c.Pause()
	if c.admit(1001) {
		t.Fatal("admitted while paused")
	}
	c.Step()
	if !c.admit(1001) || c.admit(1002) {
		t.Fatal("a step admits exactly one event")
	}
	c.Resume()
	c.SetSpeed(0)
	if !c.admit(99999) {
		t.Fatal("as fast as possible after resume")
	}
}

// End to end: the clicks recording in a real job counts 1000 per page per window, and its crash marker
// makes the job fail once and recover from a checkpoint with the same result.
func TestClicksRecordingInAJob(t *testing.T) {
	b, _ := FindRecording("clicks")
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, DeterministicTime: true,
		Checkpointing: engine.CheckpointConfig{Interval: 500 * time.Millisecond, Dir: t.TempDir()},
		Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	s := engine.ForBoundedOutOfOrderness(200 * time.Millisecond).WithPerRecordEmission()
	out := t.TempDir()
	env.FromSource(b.Replay(nil), &s, "clicks").
		KeyByField("Key").
		Window(engine.TumblingEventTimeWindows(15*time.Second)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow).
		SinkToFiles(out)
	job, err := env.Execute("clicks")
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := engine.ReadCommitted(out)
	if job.Restarts() != 1 || len(lines) != 12 {
		t.Fatalf("%d restarts, %d windows: %v", job.Restarts(), len(lines), lines)
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, " 1000}") {
			t.Fatalf("window %s does not hold 1000 clicks", l)
		}
	}
}

// readLabels reads rd to its end and labels what it returned: an event by its key, "idle" for an Idle marker
// and "wmT" for a watermark at T.
func readLabels(t *testing.T, rd engine.SourceReader) []string {
	t.Helper()
	var got []string
	for {
		e, err := rd.Read()
		if err == engine.ErrEndOfInput {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		switch v := e.Value.(type) {
		case Event:
			got = append(got, v.Key)
		case engine.Idle:
			got = append(got, "idle")
		case engine.Watermark:
			got = append(got, fmt.Sprint("wm", v.Time))
		}
	}
}
