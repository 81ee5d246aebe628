package state

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// BenchmarkHeapSnapshot measures a checkpoint of a heap backend holding one int64 count per int64 key (what
// the bench's checkpoint and recovery cases store) in its three parts: the synchronous phase, the
// asynchronous phase that writes the file, and a restore of that file.
// Run with -benchtime=1x: go test -run - -bench HeapSnapshot -benchtime=1x ./engine/internal/state
func BenchmarkHeapSnapshot(b *testing.B) {
	const maxP, keys = 128, 1_000_000
	r := keygroup.Range{Start: 0, End: maxP - 1}
	h := NewHeap(r)
	tab := h.Table("count")
	for i := range int64(keys) {
		tab.Put(keygroup.Of(i, maxP), i, Namespace{}, i)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var syncD, asyncD, restoreD, asyncCPU, restoreCPU time.Duration
	var size int64
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		finish, err := h.SnapshotSync(1, dir)
		if err != nil {
			b.Fatal(err)
		}
		syncD += time.Since(start)
		start, cpu := time.Now(), cpuTime()
		st, err := finish()
		if err != nil {
			b.Fatal(err)
		}
		size = st.Bytes
		asyncD, asyncCPU = asyncD+time.Since(start), asyncCPU+cpuTime()-cpu
		start, cpu = time.Now(), cpuTime()
		back := NewHeap(r)
		if err := back.Restore([]string{dir}); err != nil {
			b.Fatal(err)
		}
		restoreD, restoreCPU = restoreD+time.Since(start), restoreCPU+cpuTime()-cpu
		if back.Table("count").Len() != keys {
			b.Fatalf("restored %d keys, want %d", back.Table("count").Len(), keys)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(ms.HeapAlloc>>20), "live-MiB") // the state in memory, before any snapshot
	b.ReportMetric(syncD.Seconds()*1e3/n, "sync-ms")
	b.ReportMetric(asyncD.Seconds()*1e3/n, "async-ms")
	b.ReportMetric(restoreD.Seconds()*1e3/n, "restore-ms")
	b.ReportMetric(asyncCPU.Seconds()*1e3/n, "async-cpu-ms")
	b.ReportMetric(restoreCPU.Seconds()*1e3/n, "restore-cpu-ms")
	b.ReportMetric(float64(size)/(1<<20), "snapshot-MiB")
}

// cpuTime returns the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
