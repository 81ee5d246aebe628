package engine

import (
	"testing"

	"github.com/de4e/weir/engine/internal/state/statetest"
)

// stateCodecUser is a user type inside the engine's values: the codec hands it to gob.
type stateCodecUser struct{ Name string }

// Each of the engine's values in state round-trips through the state codec in binary (its codec's tag,
// not gob), with the values inside it, a user type among them, keeping their types.
func TestStateCodecRoundTrip(t *testing.T) {
	RegisterType(stateCodecUser{})
	statetest.CodecRoundTrips(t, map[string]any{
		"ttl envelope":                ttlValue{V: []any{int64(1), "a"}, Last: -5},
		"ttl envelope of a user type": ttlValue{V: stateCodecUser{"u"}, Last: 7},
		"timestamped value":           TimestampedValue{Value: 2.5, Timestamp: 1000},
		"untimed value":               TimestampedValue{Value: "x", Timestamp: NoTimestamp, Untimed: true},
		"timestamped values":          []TimestampedValue{{Value: int64(1), Timestamp: 1}, {Value: stateCodecUser{"v"}, Timestamp: 2}},
		"window":                      Window{Start: -10, End: 20},
		"global window":               GlobalWindow,
		"merging set":                 mergingSet{{Window: Window{0, 10}, State: Window{0, 10}}, {Window: Window{15, 40}, State: Window{20, 30}}},
		"merging set with contents": mergingSet{{Window: Window{0, 10}, State: Window{0, 10}, Contents: int64(300), Has: true},
			{Window: Window{15, 40}, State: Window{20, 30}, Contents: []TimestampedValue{{Value: "x", Timestamp: 16}}, Has: true},
			{Window: Window{50, 60}, State: Window{50, 60}}},
		"average accumulator": avgAcc{Sum: 10.5, Count: 3},
		"window result":       WindowResult{Key: "k", Start: 0, End: 1000, Value: map[any]any{"n": int64(4)}},
		"join record":         taggedUnion{V: int64(3), Second: true},
		"cross record":        crossTagged{Part: 2, V: stateCodecUser{"w"}, Second: true},
	})
}
