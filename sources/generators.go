package sources

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Knobs perturb a generated stream, for lessons about disorder and loss. The zero Knobs leave it as the
// generator made it.
type Knobs struct {
	Rate       float64 // events per second of arrival time; 0 keeps the generator's own pace
	Disorder   int64   // each event's arrival is delayed by up to this many ms (event times stay): out-of-order arrival
	Late       float64 // share of events (0..1) that arrive LateBy ms late
	LateBy     int64   // how late a late event arrives, ms; default 60,000
	Duplicates float64 // share of events (0..1) delivered twice
	Drops      float64 // share of events (0..1) never delivered
}

// Generator produces a deterministic stream from a seed.
type Generator struct {
	Name  string
	About string // the rules it follows, in a sentence or two
	Count int    // default number of events (or rides, records) for weir record
	gen   func(rng *rand.Rand, n int) []Line
}

// Generators lists the built-in generators.
func Generators() []Generator {
	return []Generator{
		{"words", "the two lines of the DE4E book's words.txt (5.12.1), one event a line", 2, genWords},
		{"sorter", "Learn Flink's stream-sorter sequence: event times 4 2 7 11 9 15 12 13 17 14 21 24 22 19 23 (seconds), one a second", 15, genSorter},
		{"clicks", "6 pages round robin; each page's event time advances 15 ms per click, so every page and 15 s window holds exactly 1000 clicks; one arrives every 2.5 ms", 12000, genClicks},
		{"taxi-rides", "a ride starts every 20 s from 2020-01-01T12:00Z; durations ~N(20 min, 40) in [0, 600] min (about 1% over 2 h); per batch of 5 rides the due END events come first, then the 5 STARTs shuffled, so STARTs are at most 80 s out of order and an END can precede its START", 1000, genTaxiRides},
		{"taxi-fares", "one fare per taxi ride (same seed and ride ids), at the ride's start, in order: tip ~N(10, 15) in [0, 60], tolls on every tenth ride, total = 3 + minutes + tip + tolls", 1000, genTaxiFares},
		{"fraud", "a 50-record cycle of transactions of accounts 1-5, 6 min of event time and 100 ms apart; account 3 makes a purchase under $1 immediately followed by one over $500 once a cycle, no other account ever does", 200, genFraud},
		{"spend", "accounts 1-5 round robin, amounts 0-999, event time from 2000-01-01T01:00Z advancing 5 min plus 1-58 s per record", 600, genSpend},
		{"movieflix", "MovieFlix's main log: releases, each followed by its users' reactions 350 ms apart, a feedback (score 10*(8-rank)/9, rank 0-8) and a rating each; 610 users, 301 of them (ids 1-409) in group B; action cycle 0 (A/A test) for 4 minutes of event time, then 1 (A/B test), where group B's ranks are the smaller of two; 4% of reactions arrive 15-45 s after they happened; 8% are missing, in the late log", 3000, genMovieflix},
		{"movieflix-late", "the late log of the MovieFlix main log of the same seed and count: the 8% of its reactions that reached the database only later, 5 minutes after they would have arrived", 3000, genMovieflixLate},
		{"logins", "login attempts of 8 users in event-time order: sessions 5-30 s apart, each a success, 1-2 failures then a success, an attack of 3-6 failures 1-4 s apart then a success, or 3-4 failures then 25 s of silence", 600, genLogins},
		{"nexmark", "Nexmark persons, auctions and bids in the proportions 1:3:46 per 50 events, with the Nexmark id formulas and timestamps base + 0.1 ms per event (10,000 events/s) from 2015-07-15T00:00Z", 5000, genNexmark},
	}
}

// FindGenerator returns the generator called name.
func FindGenerator(name string) (Generator, error) {
	var names []string
	for _, g := range Generators() {
		if g.Name == name {
			return g, nil
		}
		names = append(names, g.Name)
	}
	return Generator{}, fmt.Errorf("sources: no generator %q (have %s)", name, strings.Join(names, ", "))
}

// Generate produces n events (n <= 0: the generator's default count) from seed, with knobs applied.
func (g Generator) Generate(seed uint64, n int, k Knobs) []Line {
	if n <= 0 {
		n = g.Count
	}
	lines := g.gen(rand.New(rand.NewPCG(seed, 0x5eed)), n)
	return applyKnobs(lines, rand.New(rand.NewPCG(seed, 0x4b0b)), k)
}

func applyKnobs(lines []Line, rng *rand.Rand, k Knobs) []Line {
	if k == (Knobs{}) {
		return lines
	}
	if k.LateBy == 0 {
		k.LateBy = 60_000
	}
	var out []Line
	for i, l := range lines {
		if l.Event == nil {
			out = append(out, l)
			continue
		}
		e := *l.Event
		if k.Rate > 0 {
			e.Arrival = int64(float64(i) * 1000 / k.Rate)
		}
		if rng.Float64() < k.Drops {
			continue
		}
		if k.Disorder > 0 {
			e.Arrival += rng.Int64N(k.Disorder + 1)
		}
		if rng.Float64() < k.Late {
			e.Arrival += k.LateBy
		}
		out = append(out, Line{Event: &e})
		if rng.Float64() < k.Duplicates {
			d := e
			d.Arrival += 1 + rng.Int64N(100)
			out = append(out, Line{Event: &d})
		}
	}
	// Re-sort by arrival; markers keep their place after the event they followed.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Event == nil || b.Event == nil {
			return false
		}
		return a.Event.Arrival < b.Event.Arrival
	})
	return out
}

func ev(arrival, t int64, key, kind string, payload map[string]any) Line {
	return Line{Event: &Event{Arrival: arrival, Time: t, Key: key, Kind: kind, Payload: payload}}
}

// round2 keeps two decimals, so recordings stay short and stable.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

func genWords(_ *rand.Rand, n int) []Line {
	text := []string{"DE4E 스터디 가짜연구소 데엔 스터디 모임", "가짜연구소 머신러닝 데이터사이언스 중심 모임"}
	var out []Line
	for i := range min(n, len(text)) {
		out = append(out, ev(int64(i)*1000, int64(i)*1000, "words.txt", "line", map[string]any{"text": text[i]}))
	}
	return out
}

// SorterTimes are the event times, in seconds, of the stream-sorter sequence.
var SorterTimes = []int64{4, 2, 7, 11, 9, 15, 12, 13, 17, 14, 21, 24, 22, 19, 23}

func genSorter(_ *rand.Rand, n int) []Line {
	var out []Line
	for i, s := range SorterTimes[:min(n, len(SorterTimes))] {
		out = append(out, ev(int64(i+1)*1000, s*1000, "s", "event", map[string]any{"value": s}))
	}
	return out
}

// ClickPages are the pages of the clicks generator.
var ClickPages = []string{"/help", "/index", "/shop", "/jobs", "/about", "/news"}

func genClicks(rng *rand.Rand, n int) []Line {
	out := make([]Line, 0, n)
	for i := range n {
		page := ClickPages[i%len(ClickPages)]
		t := int64(i/len(ClickPages)) * 15
		out = append(out, ev(int64(i)*5/2, t, page, "click", map[string]any{"user": rng.IntN(1000)}))
	}
	return out
}

// TaxiBase is the start of the first taxi ride, 2020-01-01T12:00Z in milliseconds.
const TaxiBase = 1577880000000

// ride is a taxi ride drawn from (seed, id): the rides and fares generators share it.
type ride struct {
	id, driver, start, end int64
	minutes                float64
	passengers             int
	startLon, startLat     float64
	endLon, endLat         float64
	tip, tolls             float64
}

func drawRide(seed uint64, id int64) ride {
	rng := rand.New(rand.NewPCG(seed, uint64(id)))
	r := ride{id: id, start: TaxiBase + 20_000*id}
	for {
		r.minutes = 20 + 40*rng.NormFloat64()
		if r.minutes >= 0 && r.minutes <= 600 {
			break
		}
	}
	r.end = r.start + int64(r.minutes*60_000)
	r.driver = 2013000000 + rng.Int64N(200)
	r.passengers = 1 + rng.IntN(4)
	// Locations: normal around the NYC box (lon -74.05..-73.7, lat 40.5..41.0) widened by 0.1 degree.
	loc := func() (float64, float64) {
		return round2x(-73.875 + 0.55/8*rng.NormFloat64()), round2x(40.75 + 0.7/8*rng.NormFloat64())
	}
	r.startLon, r.startLat = loc()
	r.endLon, r.endLat = loc()
	r.tip = round2(min(max(10+15*rng.NormFloat64(), 0), 60))
	if id%10 == 0 {
		r.tolls = float64(rng.IntN(6))
	}
	return r
}

func round2x(x float64) float64 { return math.Round(x*10000) / 10000 }

// InNYC reports whether a point is in the box the taxi lessons call New York City.
func InNYC(lon, lat float64) bool { return lon >= -74.05 && lon <= -73.7 && lat >= 40.5 && lat <= 41.0 }

// taxiSeed derives the per-ride seed from the stream's rng, so rides and fares of one seed agree.
func taxiSeed(rng *rand.Rand) uint64 { return rng.Uint64() }

func genTaxiRides(rng *rand.Rand, n int) []Line {
	seed := taxiSeed(rng)
	var out []Line
	var pendingEnds []ride
	arrival := int64(0)
	emit := func(r ride, start bool) {
		t, kind := r.end, "end"
		if start {
			t, kind = r.start, "start"
		}
		out = append(out, ev(arrival, t, strconv.FormatInt(r.id, 10), kind, map[string]any{
			"rideId": r.id, "driverId": r.driver, "passengers": r.passengers,
			"startLon": r.startLon, "startLat": r.startLat, "endLon": r.endLon, "endLat": r.endLat}))
		arrival += 10
	}
	for b := 0; b < n; b += 5 {
		var batch []ride
		for id := b; id < min(b+5, n); id++ {
			batch = append(batch, drawRide(seed, int64(id+1)))
		}
		pendingEnds = append(pendingEnds, batch...)
		sort.Slice(pendingEnds, func(i, j int) bool { return pendingEnds[i].end < pendingEnds[j].end })
		maxStart := batch[len(batch)-1].start
		k := 0
		for k < len(pendingEnds) && pendingEnds[k].end <= maxStart {
			emit(pendingEnds[k], false)
			k++
		}
		pendingEnds = pendingEnds[k:]
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		for _, r := range batch {
			emit(r, true)
		}
	}
	for _, r := range pendingEnds {
		emit(r, false)
	}
	return out
}

func genTaxiFares(rng *rand.Rand, n int) []Line {
	seed := taxiSeed(rng)
	var out []Line
	for i := range n {
		r := drawRide(seed, int64(i+1))
		total := round2(3 + r.minutes + r.tip + r.tolls)
		out = append(out, ev(int64(i)*20, r.start, strconv.FormatInt(r.id, 10), "fare", map[string]any{
			"rideId": r.id, "driverId": r.driver, "tip": r.tip, "tolls": r.tolls, "totalFare": total}))
	}
	return out
}

// FraudBase is the event time of the first transaction, 2019-01-01T00:00Z in milliseconds.
const FraudBase = 1546300800000

func genFraud(rng *rand.Rand, n int) []Line {
	// One cycle of 50 amounts, fixed by the seed. Account 3 (positions 2, 7, 12, ...) makes a small purchase
	// at a random slot, immediately followed by its next purchase, a large one. Every other amount is 1-500.
	cycle := make([]float64, 50)
	for i := range cycle {
		cycle[i] = round2(1 + rng.Float64()*499)
	}
	slot := 2 + 5*rng.IntN(9) // one of account 3's positions, not its last in the cycle
	cycle[slot] = round2(0.01 + rng.Float64()*0.98)
	cycle[slot+5] = round2(501 + rng.Float64()*500)
	out := make([]Line, 0, n)
	for i := range n {
		account := i%5 + 1
		out = append(out, ev(int64(i)*100, FraudBase+int64(i)*6*60_000, strconv.Itoa(account), "transaction",
			map[string]any{"accountId": account, "amount": cycle[i%50]}))
	}
	return out
}

// SpendBase is the event time of the first spend record, 2000-01-01T01:00Z in milliseconds.
const SpendBase = 946688400000

func genSpend(rng *rand.Rand, n int) []Line {
	t := int64(SpendBase)
	out := make([]Line, 0, n)
	for i := range n {
		account := i%5 + 1
		out = append(out, ev(int64(i)*10, t, strconv.Itoa(account), "spend",
			map[string]any{"accountId": account, "amount": rng.IntN(1000)}))
		t += 5*60_000 + int64(1+rng.IntN(58))*1000
	}
	return out
}

// MovieflixBase is the event time of the first MovieFlix release, 2021-03-01T00:00Z in milliseconds.
const MovieflixBase = 1614556800000

// MovieflixABFrom is when MovieFlix's A/B test begins, in milliseconds after MovieflixBase: feedback given
// before it belongs to action cycle 0, the A/A test (both groups get the same recommendations), and from it
// on to action cycle 1, the A/B test (group B gets the new recommendations).
const MovieflixABFrom = 4 * 60_000

// movieflixGroupB returns the 301 users (ids 1..409) of group B for a seed's stream.
func movieflixGroupB(rng *rand.Rand) map[int]bool {
	ids := rng.Perm(409)
	b := map[int]bool{}
	for _, i := range ids[:301] {
		b[i+1] = true
	}
	return b
}

// drawMovieflix draws MovieFlix's two logs from seed: the main log of n lines (releases, feedback and
// ratings, in arrival order) and the late log, the reactions that reached MovieFlix's database only later
// (the app uploaded them when it was next online), which are in no line of the main log.
//
// Releases come one after another; each draws a Zipf-like number of reactions (mean about 10, at most
// 300), 350 ms apart, each a feedback and a rating of one of 610 users, 301 of them (ids 1-409) in group B.
// A reaction happened 0-2 s before it arrived, or, for 4% of them (a slow network), 15-45 s before. The
// score is 10*(8-rank)/9 for a rank 0-8 drawn uniformly, except for group B in the A/B test (action cycle
// 1, from MovieflixABFrom on), whose better recommendations draw the smaller of two ranks. 8% of the
// reactions go to the late log instead of the main log, arriving 5 minutes after they would have.
func drawMovieflix(seed uint64, n int) (main, late []Line) {
	rng := rand.New(rand.NewPCG(seed, 0x6d66))
	groupB := movieflixGroupB(rng)
	arrival, movie := int64(45_000), 1000 // no reaction happened before MovieflixBase
	for len(main) < n {
		movie++
		main = append(main, ev(arrival, MovieflixBase+arrival, strconv.Itoa(movie), "movie",
			map[string]any{"movieId": movie, "title": fmt.Sprintf("Film %d", movie)}))
		arrival += 350
		users := min(1+int(9*math.Pow(rng.Float64()+1e-9, -0.6)-9+rng.Float64()*3), 300)
		for u := 0; u < users && len(main) < n; u++ {
			user := 1 + rng.IntN(610)
			typ := "A"
			if groupB[user] {
				typ = "B"
			}
			delay := rng.Int64N(2000)
			if rng.Float64() < 0.04 {
				delay = 15_000 + rng.Int64N(30_000)
			}
			t := MovieflixBase + arrival - delay
			cycle := 0
			if t-MovieflixBase >= MovieflixABFrom {
				cycle = 1
			}
			rank := rng.IntN(9)
			if typ == "B" && cycle == 1 {
				rank = min(rank, rng.IntN(9))
			}
			score := round2(10 * float64(8-rank) / 9)
			rating := float64(1+rng.IntN(10)) / 2
			at, log := arrival, &main
			if rng.Float64() < 0.08 {
				at, log = arrival+300_000, &late
			}
			*log = append(*log, ev(at, t, typ, "feedback", map[string]any{
				"userId": user, "movieId": movie, "score": score, "userType": typ, "actionCycle": cycle}))
			*log = append(*log, ev(at+1, t, strconv.Itoa(movie), "rating",
				map[string]any{"userId": user, "movieId": movie, "rating": rating}))
			arrival += 350
		}
	}
	return main[:n], late
}

func genMovieflix(rng *rand.Rand, n int) []Line {
	main, _ := drawMovieflix(rng.Uint64(), n)
	return main
}

func genMovieflixLate(rng *rand.Rand, n int) []Line {
	_, late := drawMovieflix(rng.Uint64(), n)
	return late
}

// NexmarkBase is the Nexmark base time, 2015-07-15T00:00Z in milliseconds.
const NexmarkBase = 1436918400000

// Nexmark proportions per 50 events: 1 person, 3 auctions, 46 bids; ids start at 1000.
const (
	nexPersons  = 1
	nexAuctions = 3
	nexTotal    = 50
	nexFirstID  = 1000
)

func lastBase0PersonID(id int64) int64 { return id / nexTotal * nexPersons }

// NexmarkLastPerson and NexmarkLastAuction return the newest person and auction id (counted from 0, before
// the first id of 1000 is added) when event id is generated: Nexmark's id formulas, shared with the
// benchmark's generator.
func NexmarkLastPerson(id int64) int64 { return lastBase0PersonID(id) }

// NexmarkLastAuction: see NexmarkLastPerson.
func NexmarkLastAuction(id int64) int64 { return lastBase0AuctionID(id) }

func lastBase0AuctionID(id int64) int64 {
	epoch, offset := id/nexTotal, id%nexTotal
	switch {
	case offset < nexPersons:
		epoch--
		offset = nexAuctions - 1
	case offset >= nexPersons+nexAuctions:
		offset = nexAuctions - 1
	default:
		offset -= nexPersons
	}
	return epoch*nexAuctions + offset
}

// NexmarkKind returns what the event with the given id is: "person", "auction" or "bid".
func NexmarkKind(id int64) string {
	switch rem := id % nexTotal; {
	case rem < nexPersons:
		return "person"
	case rem < nexPersons+nexAuctions:
		return "auction"
	}
	return "bid"
}

var (
	nexFirst  = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	nexLast   = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	nexCities = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	nexStates = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
)

func genNexmark(rng *rand.Rand, n int) []Line {
	out := make([]Line, 0, n)
	for k := range int64(n) {
		id := k // event id; outOfOrderGroupSize 1 keeps ids in order
		ts := NexmarkBase + k/10
		lastPerson := lastBase0PersonID(id)
		var l Line
		switch NexmarkKind(id) {
		case "person":
			pid := lastPerson + nexFirstID
			l = ev(ts-NexmarkBase, ts, strconv.FormatInt(pid, 10), "person", map[string]any{
				"id": pid, "name": nexFirst[rng.IntN(len(nexFirst))] + " " + nexLast[rng.IntN(len(nexLast))],
				"city": nexCities[rng.IntN(len(nexCities))], "state": nexStates[rng.IntN(len(nexStates))]})
		case "auction":
			aid := lastBase0AuctionID(id) + nexFirstID
			seller := (lastPerson/100)*100 + nexFirstID
			if rng.IntN(4) == 0 {
				seller = nextPerson(rng, lastPerson) + nexFirstID
			}
			initial := nexPrice(rng)
			l = ev(ts-NexmarkBase, ts, strconv.FormatInt(aid, 10), "auction", map[string]any{
				"id": aid, "seller": seller, "category": 10 + rng.IntN(5), "initialBid": initial,
				"reserve": initial + nexPrice(rng), "expires": ts + 1 + rng.Int64N(20_000)})
		default:
			lastAuction := lastBase0AuctionID(id)
			auction := (lastAuction / 100) * 100
			if rng.IntN(2) == 0 {
				auction = max(lastAuction-100+rng.Int64N(111), 0)
			}
			bidder := (lastPerson/100)*100 + 1
			if rng.IntN(4) == 0 {
				bidder = nextPerson(rng, lastPerson)
			}
			l = ev(ts-NexmarkBase, ts, strconv.FormatInt(auction+nexFirstID, 10), "bid", map[string]any{
				"auction": auction + nexFirstID, "bidder": bidder + nexFirstID, "price": nexPrice(rng)})
		}
		out = append(out, l)
	}
	return out
}

func nextPerson(rng *rand.Rand, lastPerson int64) int64 {
	active := min(lastPerson+1, 1000)
	return max(lastPerson-active+rng.Int64N(active+10), 0)
}

func nexPrice(rng *rand.Rand) int64 { return int64(math.Round(math.Pow(10, rng.Float64()*6) * 100)) }
