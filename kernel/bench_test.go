package kernel

import (
	"context"
	"testing"

	"github.com/de4e/weir/interp"
)

// BenchmarkCellRoundTrip runs a one-line cell and waits for its value, in a kernel process and in process:
// the difference is what the protocol costs a cell.
func BenchmarkCellRoundTrip(b *testing.B) {
	cell := interp.Cell{ID: "c", Source: "x := 6 * 7\nx"}
	run := func(b *testing.B, r interp.Runner) {
		for b.Loop() {
			ex, err := r.StartCell(context.Background(), cell)
			if err != nil {
				b.Fatal(err)
			}
			<-ex.Done()
			if ex.Value() != "42" {
				b.Fatalf("value %q, error %v", ex.Value(), ex.Err())
			}
		}
	}
	b.Run("kernel process", func(b *testing.B) {
		c, err := Start(Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		run(b, c)
	})
	b.Run("in process", func(b *testing.B) {
		k := interp.New(interp.Options{})
		defer k.Close()
		run(b, k)
	})
}
