package interp

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// A notebook of 2,000 cells runs in bounded memory. Each cell's positions used to be set by padding it with
// slot*1000 blank lines, whose line tables yaegi keeps: memory grew with the square of the number of cells
// (200 cells took 607 MB, 2,000 ran out of memory). An error in the last cell still names its own line.
func TestTwoThousandCellsRunInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2,000 cells")
	}
	k := New(Options{})
	defer k.Restart()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	const cells = 2000
	for i := 0; i < cells; i++ {
		src := fmt.Sprintf("v%d := %d\nfunc f%d() int { return v%d + 1 }\n_ = f%d()", i, i, i, i, i)
		if ex := k.Run(context.Background(), Cell{ID: fmt.Sprintf("c%d", i), Source: src}); ex.Err() != nil {
			t.Fatalf("cell %d: %v", i, ex.Err())
		}
	}
	grown := heap() - base
	t.Logf("%d cells grew the heap by %d MiB", cells, grown>>20)
	// Measured: 27 MiB for the 2,000 cells (the interpreter's own cost of their declarations). The padding
	// cost about 8 KB per cell per earlier cell: this test ran out of its 2 minutes before the fix.
	if limit := uint64(200 << 20); grown > limit {
		t.Errorf("2,000 cells grew the heap by %d MiB, more than %d MiB", grown>>20, limit>>20)
	}
	ex := k.Run(context.Background(), Cell{ID: "last", Source: "x := 1\ny := undefinedName + x"})
	if err := ex.Err(); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("an error in cell %d: %v, want its own line 2", cells+1, err)
	}
}
