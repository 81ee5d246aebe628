// Package bench is Weir's benchmark suite: named cases that each run a job (or a baseline doing the same work
// by hand) over a given number of events and report throughput and peak memory. The weir bench command runs
// them; every engine case names the baseline it is compared with, and both run in the same invocation, since
// these machines are shared and only ratios measured side by side mean something.
package bench

import (
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Case is one benchmark.
type Case struct {
	// Name identifies the case on the command line and in reports.
	Name string
	// Baseline names the case this one is compared with ("" for none); it runs in the same invocation.
	Baseline string
	// Peer names a case of another engine doing the same work ("" for none); it also runs in the same
	// invocation, and the report gives this case's speed relative to it.
	Peer string
	// About says in a few words what the case measures.
	About string
	// Run processes n events and returns how many it processed (which may differ from n, e.g. for a
	// generator whose unit is not one event).
	Run func(n int64) (int64, error)
	// Scale multiplies the requested number of events for this case (slow cases use less than 1). Default 1.
	Scale float64
	// Setup, if set, prepares the case's input for n events before the clock starts.
	Setup func(n int64) error
	// Note, if set, is called after Run and returns figures the case measured itself (a checkpoint's
	// duration, a recovery time), shown beside the throughput.
	Note func() string
}

var cases []Case

// Register adds a case to the suite. Packages register their cases from init functions.
func Register(c Case) { cases = append(cases, c) }

// Cases returns the registered cases in a stable order (grouped with their baselines).
func Cases() []Case {
	out := append([]Case(nil), cases...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Result is the measurement of one case; it is also the JSON object weir bench --json prints per case.
type Result struct {
	Name         string  `json:"name"`
	About        string  `json:"about"`
	Events       int64   `json:"events"`
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"events_per_sec"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Baseline     string  `json:"baseline,omitempty"`
	// Ratio is this case's events/s divided by its baseline's in the same run (0 if none).
	Ratio float64 `json:"ratio,omitempty"`
	// Peer and PeerRatio compare with another engine's case in the same run.
	Peer      string  `json:"peer,omitempty"`
	PeerRatio float64 `json:"peer_ratio,omitempty"`
	Error     string  `json:"error,omitempty"`
	// Note holds figures the case measured itself.
	Note string `json:"note,omitempty"`
}

// Options selects and sizes the cases to run.
type Options struct {
	Only   []string // case names or prefixes; empty runs every case
	Events int64    // events per case before Scale; default 2,000,000
}

// Run runs the selected cases, each with its baseline, and returns their results in order.
func Run(opts Options, progress func(Result)) []Result {
	if opts.Events <= 0 {
		opts.Events = 2_000_000
	}
	all := Cases()
	byName := map[string]Case{}
	for _, c := range all {
		byName[c.Name] = c
	}
	want := map[string]bool{}
	for _, c := range all {
		if selected(c.Name, opts.Only) {
			want[c.Name] = true
			if c.Baseline != "" {
				want[c.Baseline] = true
			}
			if c.Peer != "" {
				want[c.Peer] = true
			}
		}
	}
	results := map[string]*Result{}
	var order []*Result
	for _, c := range all {
		if !want[c.Name] {
			continue
		}
		r := measure(c, opts.Events)
		results[c.Name] = &r
		order = append(order, &r)
	}
	var out []Result
	for _, r := range order {
		if b, ok := results[r.Baseline]; ok && b.EventsPerSec > 0 && r.Error == "" {
			r.Ratio = r.EventsPerSec / b.EventsPerSec
		}
		if p, ok := results[r.Peer]; ok && p.EventsPerSec > 0 && r.Error == "" {
			r.PeerRatio = r.EventsPerSec / p.EventsPerSec
		}
		out = append(out, *r)
		if progress != nil {
			progress(*r)
		}
	}
	return out
}

func selected(name string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if name == o || strings.HasPrefix(name, o) {
			return true
		}
	}
	return false
}

func measure(c Case, events int64) Result {
	scale := c.Scale
	if scale <= 0 {
		scale = 1
	}
	n := max(int64(float64(events)*scale), 1)
	if c.Setup != nil {
		if err := c.Setup(n); err != nil {
			return Result{Name: c.Name, About: c.About, Error: "setup: " + err.Error()}
		}
	}
	debug.FreeOSMemory() // give back what earlier cases used, so the peak below is this case's
	resetPeakRSS()
	start := time.Now()
	done, err := c.Run(n)
	secs := time.Since(start).Seconds()
	r := Result{Name: c.Name, About: c.About, Events: done, Seconds: secs, Baseline: c.Baseline, Peer: c.Peer, PeakRSSBytes: peakRSS()}
	if err != nil {
		r.Error = err.Error()
	} else if secs > 0 {
		r.EventsPerSec = float64(done) / secs
	}
	if c.Note != nil && err == nil {
		r.Note = c.Note()
	}
	return r
}

// resetPeakRSS resets the kernel's high-water mark of this process's resident memory (Linux), so that the next
// peakRSS reading belongs to one case.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak resident memory since the last reset, or 0 where unknown.
func peakRSS() int64 { return statusKB("VmHWM:") }

// statusKB returns the figure of /proc/self/status named by field (in kB there) in bytes, or 0 where unknown.
func statusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// Table formats results as an aligned text table.
func Table(rs []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %12s %9s %14s %10s %s\n", "case", "events", "seconds", "events/s", "peak RSS", "vs baseline")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(&b, "%-34s error: %s\n", r.Name, r.Error)
			continue
		}
		ratio := ""
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2fx %s", r.Ratio, r.Baseline)
		}
		if r.PeerRatio > 0 {
			ratio += fmt.Sprintf(", %.1fx %s", r.PeerRatio, r.Peer)
		}
		if r.Note != "" {
			ratio = strings.TrimPrefix(ratio+"; "+r.Note, "; ")
		}
		fmt.Fprintf(&b, "%-34s %12d %9.3f %14s %10s %s\n", r.Name, r.Events, r.Seconds, human(r.EventsPerSec), mib(r.PeakRSSBytes), ratio)
	}
	return b.String()
}

func human(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fK", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

func mib(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%dMiB", n>>20)
}
