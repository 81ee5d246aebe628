package cep

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// KeyLimit's zero value is the documented default; a negative field means no bound.
func TestKeyLimitBounds(t *testing.T) {
	for _, c := range []struct {
		in   KeyLimit
		want keyBounds
	}{
		{KeyLimit{}, keyBounds{DefaultMaxPartialMatches, DefaultMaxBufferedEvents, false}},
		{KeyLimit{PartialMatches: -1, BufferedEvents: -1}, keyBounds{0, 0, false}},
		{KeyLimit{PartialMatches: 5, BufferedEvents: 7, DropOldest: true}, keyBounds{5, 7, true}},
	} {
		if got := c.in.bounds(); got != c.want {
			t.Errorf("%+v.bounds() = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// A key over its bound fails the NFA with an error wrapping ErrKeyLimit, or, with DropOldest, loses the
// partial matches that started earliest, counted. Each "a" opens a partial match waiting for a "b"
// (FollowedByAny keeps every one open), holding one event.
func TestKeyLimit(t *testing.T) {
	pattern := func() *Pattern { return Begin("a").Where(nameIs("a")).FollowedByAny("b").Where(nameIs("b")) }
	input := []in{n("a1", "a", 1), n("a2", "a", 2), n("a3", "a", 3), n("a4", "a", 4), n("a5", "a", 5), n("b", "b", 6)}
	for _, c := range []struct {
		name        string
		limit       KeyLimit
		want        []string
		wantDropped int
		wantErr     string // part of the error, which must wrap ErrKeyLimit
	}{
		{"unbounded", KeyLimit{PartialMatches: -1, BufferedEvents: -1}, []string{"a1 b", "a2 b", "a3 b", "a4 b", "a5 b"}, 0, ""},
		{"defaults", KeyLimit{}, []string{"a1 b", "a2 b", "a3 b", "a4 b", "a5 b"}, 0, ""},
		{"partial matches, fail", KeyLimit{PartialMatches: 3}, nil, 0, "4 partial matches (limit 3)"},
		{"partial matches, drop oldest", KeyLimit{PartialMatches: 3, DropOldest: true}, []string{"a3 b", "a4 b", "a5 b"}, 2, ""},
		{"buffered events, fail", KeyLimit{BufferedEvents: 2}, nil, 0, "3 buffered events (limit 2)"},
		{"buffered events, drop oldest", KeyLimit{PartialMatches: -1, BufferedEvents: 2, DropOldest: true}, []string{"a4 b", "a5 b"}, 3, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, pattern(), false)
			h.run.limit = c.limit.bounds()
			ms, err := h.feed(input)
			if c.wantErr != "" {
				if !errors.Is(err, ErrKeyLimit) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one wrapping ErrKeyLimit with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := h.flattenAll(ms); !reflect.DeepEqual(got, c.want) {
				t.Errorf("matches %q, want %q", got, c.want)
			}
			if h.run.dropped != c.wantDropped {
				t.Errorf("dropped %d partial matches, want %d", h.run.dropped, c.wantDropped)
			}
		})
	}
}
