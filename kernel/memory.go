package kernel

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"time"
)

// DefaultMemoryLimit is the kernel process's memory limit unless Options.MemoryLimit says otherwise: 2 GiB,
// which a laptop spares.
const DefaultMemoryLimit = 2 << 30

// ExitMemoryLimit is the exit status of a kernel whose heap passed its memory limit.
const ExitMemoryLimit = 3

// memoryEvery is how often the watchdog reads the heap's size.
const memoryEvery = 50 * time.Millisecond

// memLimitMsg begins the line a kernel writes to stderr when its heap passes the limit; the client reads it
// back as the reason of the death.
const memLimitMsg = "memory limit exceeded"

// heapMetric is the bytes of live and not yet swept heap objects.
const heapMetric = "/memory/classes/heap/objects:bytes"

// watchMemory checks the heap against limit every interval (see checkMemory).
func watchMemory(limit int64, every time.Duration) {
	for range time.Tick(every) {
		checkMemory(limit)
	}
}

// checkMemory ends the process with ExitMemoryLimit when the heap holds more than limit bytes after a
// collection. debug.SetMemoryLimit (set by the kernel) makes the collector work harder as the heap nears the
// limit; this ends what the collector cannot: memory a cell keeps.
func checkMemory(limit int64) {
	sample := []metrics.Sample{{Name: heapMetric}}
	heap := func() int64 {
		metrics.Read(sample)
		return int64(sample[0].Value.Uint64())
	}
	if heap() <= limit {
		return
	}
	runtime.GC() // what is over may be garbage
	if h := heap(); h > limit {
		fmt.Fprintf(os.Stderr, "weir kernel: %s: the heap holds %s, over the limit of %s\n", memLimitMsg, mib(h), mib(limit))
		os.Exit(ExitMemoryLimit)
	}
}

// mib formats a size in MiB.
func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
