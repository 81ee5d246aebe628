package cep

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// manyKeys is a registry holding n keys with 1 to 4 partial matches each (most with 1, as under load).
func manyKeys(n int) *statsRegistry {
	r := &statsRegistry{keys: map[any]*KeyStats{}, keyMatches: map[any]int64{}, keyTimeouts: map[any]int64{}, stages: []string{"a", "b"}}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		pm := map[string]int{"a": 1}
		if rng.IntN(10) == 0 {
			pm["b"] = 1 + rng.IntN(3)
		}
		r.keys[i] = &KeyStats{Key: i, PartialMatches: pm, BufferedEvents: i % 7}
		r.keyMatches[i] = int64(i % 3)
	}
	return r
}

// The busiest few keys a live view asks for are the first of the full ranking (busiest first, then by
// key), with their own counts.
func TestStatsTopKeysAreTheFullRankingsHead(t *testing.T) {
	r := manyKeys(2000)
	all := r.snapshot(0)
	for _, top := range []int{1, 5, 37} {
		got := r.snapshot(top)
		if !reflect.DeepEqual(got.Keys, all.Keys[:top]) {
			t.Fatalf("top %d: %v\nwant %v", top, fmt.Sprint(got.Keys), fmt.Sprint(all.Keys[:top]))
		}
	}
	if all.Keys[0].PartialMatches["b"] != 3 || all.Keys[len(all.Keys)-1].PartialMatches["b"] != 0 {
		t.Fatalf("not busiest first: %v ... %v", all.Keys[0], all.Keys[len(all.Keys)-1])
	}
}

func BenchmarkStatsLiveKeys(b *testing.B) {
	r := manyKeys(100_000)
	for b.Loop() {
		r.snapshot(LiveKeys)
	}
}
