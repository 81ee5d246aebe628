package sources

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// LoginsBase is the event time of the first login attempt, 2024-03-01T09:00Z in milliseconds.
const LoginsBase = 1709283600000

// LoginsWindow is the window of the logins answers' pattern: a success within 10 s of the first failure.
const LoginsWindow = 10_000

// loginUsers are the users of the logins generator.
var loginUsers = []string{"ana", "ben", "chloe", "dev", "eli", "fay", "gus", "hana"}

// genLogins makes n login attempts of 8 users, merged in event-time order (so that no event is late). Each
// user runs sessions one after another, 5-30 s apart: a plain success (half of them), one or two failures
// then a success, an attack of 3-6 failures 1-4 s apart then a success, or 3-4 failures and then nothing
// for 25 s. Times are multiples of 10 ms plus the user's index, so no two attempts share a timestamp.
func genLogins(rng *rand.Rand, n int) []Line {
	type attempt struct {
		t    int64
		user string
		ok   bool
	}
	var all []attempt
	per := n/len(loginUsers) + 1
	for ui, u := range loginUsers {
		t := int64(rng.IntN(500)) * 10
		var mine []attempt
		for len(mine) < per {
			fails, success := 0, true
			switch r := rng.Float64(); {
			case r < 0.5:
			case r < 0.7:
				fails = 1 + rng.IntN(2)
			case r < 0.9:
				fails = 3 + rng.IntN(4)
			default:
				fails, success = 3+rng.IntN(2), false
			}
			for range fails {
				mine = append(mine, attempt{t, u, false})
				t += int64(100+rng.IntN(300)) * 10
			}
			if success {
				mine = append(mine, attempt{t, u, true})
			} else {
				t += 25_000
			}
			t += int64(500+rng.IntN(2500)) * 10
		}
		for _, a := range mine[:per] {
			a.t = LoginsBase + a.t + int64(ui)
			all = append(all, a)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t < all[j].t })
	if len(all) > n {
		all = all[:n]
	}
	out := make([]Line, 0, len(all))
	first := all[0].t
	for _, a := range all {
		result := "failure"
		if a.ok {
			result = "success"
		}
		// Arrival follows event time, compressed 100 times, so a replay takes seconds.
		out = append(out, ev((a.t-first)/100, a.t, a.user, "login", map[string]any{"user": a.user, "result": result}))
	}
	return out
}

// LoginSkipStrategies are the after-match skip strategies the logins answers count matches for, by the
// names engine/cep's AfterMatchSkipStrategy.String gives them.
var LoginSkipStrategies = []string{"NoSkip", "SkipToNext", "SkipPastLastEvent", "SkipToFirst(fails)", "SkipToLast(fails)"}

// loginAnswers counts, without the engine, the matches of the pattern
//
//	Begin("fails", skip).Where(failure).TimesOrMore(3).Consecutive().Next("success").Where(success).Within(10 s)
//
// per user in event time, under each skip strategy, and the partial matches that time out. It follows
// Flink's NFA for this pattern: every failure starts a partial match; a partial match is discarded by an
// event it cannot take (strict contiguity) and times out when an event or the end of input comes at or
// after its start + 10 s (NFA#advanceTime: timestamp - start >= window), before that event is processed;
// a success completes every partial match holding 3 or more failures. The matches completed by one event
// are emitted earliest start first; after each, the skip strategy prunes the other matches and partial
// matches (Flink's AfterMatchSkipStrategy#prune: SkipToNext and SkipPastLastEvent drop those that started
// at or before the match's first or last event, SkipToFirst and SkipToLast those that started before the
// first or last event of the named stage).
func loginAnswers(evs []Event) map[string]any {
	byUser := map[string][]Event{}
	for _, e := range evs {
		byUser[e.Key] = append(byUser[e.Key], e)
	}
	matches := map[string]int{}
	perUser := map[string]map[string]int{}
	timeouts := 0
	for _, strategy := range LoginSkipStrategies {
		perUser[strategy] = map[string]int{}
	}
	for user, es := range byUser {
		sort.Slice(es, func(i, j int) bool { return es[i].Time < es[j].Time })
		for si, strategy := range LoginSkipStrategies {
			type partial struct{ start, fails int } // index of the first failure, failures taken
			var partials []partial
			expire := func(now int64) {
				kept := partials[:0]
				for _, p := range partials {
					if now-es[p.start].Time >= LoginsWindow {
						if si == 0 {
							timeouts++ // the same for every strategy: count once
						}
						continue
					}
					kept = append(kept, p)
				}
				partials = kept
			}
			for i, e := range es {
				expire(e.Time)
				failure := e.String("result") == "failure"
				var done []partial // matches this event completes, earliest start first
				next := partials[:0]
				for _, p := range partials {
					switch {
					case failure:
						next = append(next, partial{p.start, p.fails + 1})
					case p.fails >= 3:
						done = append(done, p)
					}
				}
				partials = next
				if failure {
					partials = append(partials, partial{i, 1})
				}
				for len(done) > 0 {
					m := done[0]
					done = done[1:]
					matches[strategy]++
					perUser[strategy][user]++
					first, lastFail, last := m.start, i-1, i
					prune := func(start int) bool {
						switch strategy {
						case "SkipToNext":
							return start <= first
						case "SkipPastLastEvent":
							return start <= last
						case "SkipToFirst(fails)":
							return start < first
						case "SkipToLast(fails)":
							return start < lastFail
						}
						return false
					}
					keptDone := done[:0]
					for _, d := range done {
						if !prune(d.start) {
							keptDone = append(keptDone, d)
						}
					}
					done = keptDone
					keptPartials := partials[:0]
					for _, p := range partials {
						if !prune(p.start) {
							keptPartials = append(keptPartials, p)
						}
					}
					partials = keptPartials
				}
			}
			if si == 0 {
				timeouts += len(partials) // the end of input passes every window
			}
		}
	}
	for _, strategy := range LoginSkipStrategies {
		matches[strategy] += 0 // every strategy has a count, even 0
	}
	return map[string]any{"matchesPerStrategy": matches, "matchesPerUser": perUser["NoSkip"],
		"matchesPerUserPastLast": perUser["SkipPastLastEvent"], "timeouts": timeouts, "users": len(byUser),
		"pattern": fmt.Sprintf("3+ consecutive failures then a success within %d s", LoginsWindow/1000)}
}
