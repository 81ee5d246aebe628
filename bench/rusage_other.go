//go:build !unix

package bench

import "time"

// cpuTime returns 0: this platform has no getrusage, so per-CPU-second rates are not reported.
func cpuTime() time.Duration { return 0 }

// maxRSS returns 0: this platform has no getrusage.
func maxRSS() int64 { return 0 }
