package engine

import (
	"math/rand"
	"reflect"
	"testing"
)

type codecInner struct{ X int }

type codecOuter struct {
	Name string
	Any  any
	List []any
}

func init() {
	RegisterType(codecInner{})
	RegisterType(codecOuter{})
}

// The batch codec decodes frames in any order, also of types that gob defines inside a value (a struct met
// first in an interface field): each decodes to the value encoded.
func TestBatchCodecDecodesInAnyOrder(t *testing.T) {
	values := []any{
		7, int64(-3), "s", 2.5, true, nil, []byte("b"),
		t3{1, 2, "x"},
		codecOuter{Name: "a", Any: 1},
		codecOuter{Name: "b", Any: codecInner{5}},
		map[string]any{"k": codecInner{6}, "n": 1.5},
		codecOuter{Name: "c", Any: t5{F0: 1, F3: "y"}, List: []any{codecInner{7}, "z"}},
		&codecInner{8},
		[]any{t3{3, 4, "w"}},
	}
	c := newBatchCodec()
	var frames [][]byte
	for _, v := range values {
		f, err := c.appendRecord(nil, v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		frames = append(frames, f)
	}
	order := rand.New(rand.NewSource(1)).Perm(len(values))
	slicesReverse(order)
	for _, i := range order {
		got, err := c.decodeRecord(frames[i])
		if err != nil {
			t.Fatalf("%#v: %v", values[i], err)
		}
		if !reflect.DeepEqual(got, values[i]) {
			t.Errorf("got %#v, want %#v", got, values[i])
		}
	}
}

func slicesReverse(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Keys compare by their encodings as compareKeys compares them.
func TestCompareKeyBytes(t *testing.T) {
	keys := []any{-5, 3, 10, int64(-1), int64(7), "", "a", "ab", "b", false, true, 2.5, -1.5, t3{1, 2, "x"}}
	c := newBatchCodec()
	for _, a := range keys {
		for _, b := range keys {
			fa, _ := c.appendJoinFrame(nil, a, nil)
			fb, _ := c.appendJoinFrame(nil, b, nil)
			ka, _ := joinFrame(fa).split()
			kb, _ := joinFrame(fb).split()
			if got, want := compareKeyBytes(ka, kb), compareKeys(a, b); got != want {
				t.Errorf("%#v vs %#v: got %d, want %d", a, b, got, want)
			}
		}
	}
}
