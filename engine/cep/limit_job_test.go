package cep_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
)

// In a job, a key over its KeyLimit fails the job with an error wrapping cep.ErrKeyLimit that names the
// key; with DropOldest the job runs on, and Stats counts the dropped partial matches, in total and for the
// key. Key 7 opens five partial matches (FollowedByAny keeps each "start" waiting for an "end"); key 8 one.
func TestKeyLimitJob(t *testing.T) {
	build := func(env *engine.Environment, l cep.KeyLimit) (*cep.PatternStream, *engine.Collected) {
		var evs []any
		for i := range 5 {
			evs = append(evs, Event{7, "start", float64(i)})
		}
		evs = append(evs, Event{8, "start", 9}, Event{7, "end", 0}, Event{8, "end", 0})
		in := env.FromElements(evs...).KeyBy(func(v any) any { return base(v).ID })
		ps := cep.CEP.Pattern(in, cep.Begin("start").Where(nameIs("start")).FollowedByAny("end").Where(nameIs("end"))).
			InProcessingTime().WithKeyLimit(l)
		return ps, ps.Select(func(m map[string][]any) any { return ids(m, "start", "end") }).Collect()
	}
	t.Run("fail", func(t *testing.T) {
		env := engine.NewEnvironment(engine.Config{Parallelism: 2})
		_, _ = build(env, cep.KeyLimit{PartialMatches: 3})
		_, err := env.Execute("cep")
		if !errors.Is(err, cep.ErrKeyLimit) || !strings.Contains(err.Error(), "key 7: ") ||
			!strings.Contains(err.Error(), "4 partial matches (limit 3)") {
			t.Fatalf("error %v, want one wrapping ErrKeyLimit naming key 7 and its 4 partial matches", err)
		}
	})
	t.Run("drop oldest", func(t *testing.T) {
		env := engine.NewEnvironment(engine.Config{Parallelism: 2})
		ps, c := build(env, cep.KeyLimit{PartialMatches: 3, DropOldest: true})
		if got, want := strings.Join(run(t, env, c), " "), "7,7 7,7 7,7 8,8"; got != want {
			t.Errorf("matches %q, want %q", got, want)
		}
		st := ps.Stats(0)
		if st.Dropped != 2 {
			t.Errorf("Stats.Dropped = %d, want 2", st.Dropped)
		}
		var key7 *cep.KeyStats
		for i := range st.Keys {
			if st.Keys[i].Key == 7 {
				key7 = &st.Keys[i]
			}
		}
		if key7 == nil || key7.Dropped != 2 || key7.PartialMatches["end"] != 3 {
			t.Errorf("key 7's stats %+v, want 2 dropped and 3 partial matches left waiting for end", key7)
		}
	})
}
