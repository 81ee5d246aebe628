// Package statetest holds test helpers for the state codec, shared by the packages that register codecs
// (the engine and the SQL planner). Only tests import it.
package statetest

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/de4e/weir/engine/internal/state"
)

// CodecRoundTrips checks, in a subtest per name (in sorted order), that each value is written by its type's
// registered codec (not gob) and reads back as an equal value of the same type.
func CodecRoundTrips(t *testing.T, values map[string]any) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(values)) {
		v := values[name]
		t.Run(name, func(t *testing.T) {
			b, err := state.AppendValue(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			if !state.EncodedByCodec(b) {
				t.Errorf("encoded with tag %q, not the type's codec: % x", b[0], b)
			}
			got, err := state.DecodeValue(b)
			if err != nil || reflect.TypeOf(got) != reflect.TypeOf(v) || !reflect.DeepEqual(got, v) {
				t.Errorf("read back %#v, %v; want %#v", got, err, v)
			}
		})
	}
}
