package engine

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// A capture of a timer queue lists, per key group, each key and namespace once with the ascending times of
// its live timers: a deleted timer is left out, a timer deleted and registered again counts once, a key with
// timers at several times in one namespace gets them merged, and addUnique's timers take the fast path.
func TestTimerCaptureEntries(t *testing.T) {
	w1, w2 := Window{Start: 0, End: 10}, Window{Start: 10, End: 20}
	tests := []struct {
		name  string
		setup func(q *timerQueue)
		want  []string // "kg key [start end] times"
	}{
		{"unique timers of one window", func(q *timerQueue) {
			q.addUnique(9, "a", 1, w1)
			q.addUnique(9, "b", 1, w1)
			q.addUnique(9, "c", 2, w1)
		}, []string{"1 a {0 10} [9]", "1 b {0 10} [9]", "2 c {0 10} [9]"}},
		{"two windows and a second timer in one", func(q *timerQueue) {
			q.addUnique(9, "a", 1, w1)
			q.addUnique(19, "a", 1, w2)
			q.add(12, "a", 1, w1) // a cleanup-like timer in the same window
			q.addUnique(9, "b", 1, w1)
		}, []string{"1 a {0 10} [9 12]", "1 a {10 20} [19]", "1 b {0 10} [9]"}},
		{"deleted, and deleted then added again", func(q *timerQueue) {
			q.add(5, "a", 3, w1)
			q.add(7, "b", 3, w1)
			q.remove(7, "b", w1)
			q.remove(5, "a", w1)
			q.add(5, "a", 3, w1) // its bucket holds it twice now
		}, []string{"3 a {0 10} [5]"}},
		{"processing-time timers without a window", func(q *timerQueue) {
			q.add(100, int64(7), 0, Window{})
			q.add(50, int64(7), 0, Window{})
			q.add(50, int64(8), 0, Window{})
		}, []string{"0 7 {0 0} [50 100]", "0 8 {0 0} [50]"}},
		{"unique timers at two times in one window", func(q *timerQueue) {
			q.addUnique(9, "a", 1, w1)
			q.addUnique(12, "a", 1, w1)
		}, []string{"1 a {0 10} [9 12]"}},
		{"unique timers in more windows than the fast path tracks", func(q *timerQueue) {
			for i := range int64(10) {
				q.addUnique(10*i+9, "a", 1, Window{Start: 10 * i, End: 10*i + 10})
			}
			q.addUnique(99, "b", 1, Window{Start: 90, End: 100})
		}, []string{"1 a {0 10} [9]", "1 a {10 20} [19]", "1 a {20 30} [29]", "1 a {30 40} [39]", "1 a {40 50} [49]",
			"1 a {50 60} [59]", "1 a {60 70} [69]", "1 a {70 80} [79]", "1 a {80 90} [89]", "1 a {90 100} [99]", "1 b {90 100} [99]"}},
		{"key groups interleaved", func(q *timerQueue) {
			for i, kg := range []int{3, 1, 2, 1, 3, 0, 2, 3} {
				q.addUnique(9, i, kg, w1)
			}
		}, []string{"0 5 {0 10} [9]", "1 1 {0 10} [9]", "1 3 {0 10} [9]", "2 2 {0 10} [9]", "2 6 {0 10} [9]",
			"3 0 {0 10} [9]", "3 4 {0 10} [9]", "3 7 {0 10} [9]"}},
		{"empty", func(*timerQueue) {}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newTimerQueue()
			tt.setup(q)
			x := q.capture(keygroup.Range{Start: 0, End: 3}).table(eventTimerTable)
			var got []string
			for _, kg := range x.Groups {
				x.Each(kg, func(key any, ns state.Namespace, v any) {
					got = append(got, fmt.Sprintf("%d %v %v %v", kg, key, ns, v))
				})
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("entries = %q, want %q", got, tt.want)
			}
			// Changing the queue after the capture does not change it.
			q.addUnique(9, "late", 1, w1)
			for _, kg := range x.Groups {
				x.Each(kg, func(key any, _ state.Namespace, _ any) {
					if key == "late" {
						t.Fatal("a timer added after the capture is in it")
					}
				})
			}
		})
	}
}
