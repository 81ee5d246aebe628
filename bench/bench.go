// Package bench is Weir's benchmark suite: named cases that each run a job (or a baseline doing the same work
// by hand) over a given number of events and report throughput and peak memory. The weir bench command runs
// them; every engine case names the baseline it is compared with, and both run in the same invocation, since
// these machines are shared and only ratios measured side by side mean something.
package bench

import (
	"errors"
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
	// Baseline names the case this one is compared with ("" for none); it runs in the same invocation. For
	// the keyed window cases it is a loop calling the engine's own functions through interfaces on boxed
	// keys (the "boxed loop"): the ratio measures what the engine adds around the same user code.
	Baseline string
	// Typed names a second baseline ("" for none): a loop with concrete key and accumulator types in one
	// goroutine, the ceiling of a program written for this one job. It also runs in the same invocation.
	Typed string
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
	// ChecksBaseline says that Run compares its result with the one its baseline's Run computed in the same
	// process (computing it itself, inside the measurement, if it finds none). A process measuring the case
	// alone therefore runs the baseline first, outside the measurement. New cases should use Verify instead.
	ChecksBaseline bool
	// Verify, if set, checks the result of Run for n events after the clock and the CPU and memory readings
	// stopped (e.g. against a loop it computes itself), so that the check costs the measurement nothing.
	Verify func(n int64) error
	// Note, if set, is called after Run and returns figures the case measured itself (a checkpoint's
	// duration, a recovery time), shown beside the throughput.
	Note func() string
	// Latency, if set, is called after Run and returns the end-to-end latencies the case measured.
	Latency func() Latency
	// Checkpoint, if set, is called after Run and returns the checkpoint (and recovery) the case measured.
	Checkpoint func() Checkpoint
	// Flink is the events per CPU-second of Flink's published run of the same query (0 for none); the
	// result gives this case's rate per CPU-second relative to it.
	Flink float64
}

// Checkpoint holds the figures of one checkpoint a case took, and of the recovery from it if the case
// measured one. Times are in milliseconds, sizes in bytes; zero means not measured.
type Checkpoint struct {
	Millis      float64 `json:"ms"`       // from trigger to completion
	SyncMillis  float64 `json:"sync_ms"`  // the longest synchronous phase of a subtask
	AsyncMillis float64 `json:"async_ms"` // the longest asynchronous phase of a subtask
	Bytes       int64   `json:"bytes"`    // the checkpoint's state size
	NewBytes    int64   `json:"new_bytes"`
	// LiveHeapBytes is the Go heap in use after a collection, with the state filled and before the
	// checkpoint: the state in memory, against which the case's peak RSS is read.
	LiveHeapBytes  int64   `json:"live_heap_bytes,omitempty"`
	RecoveryMillis float64 `json:"recovery_ms,omitempty"` // from the failure until the job runs again restored
}

// String formats the figures as weir bench's table shows them.
func (c Checkpoint) String() string {
	s := fmt.Sprintf("checkpoint %.0f ms (sync %.0f ms, async %.0f ms), %d MiB, %d MiB new", c.Millis, c.SyncMillis,
		c.AsyncMillis, c.Bytes>>20, c.NewBytes>>20)
	if c.LiveHeapBytes > 0 {
		s += fmt.Sprintf(", live heap %d MiB", c.LiveHeapBytes>>20)
	}
	if c.RecoveryMillis > 0 {
		s = fmt.Sprintf("recovery %.0f ms; ", c.RecoveryMillis) + s
	}
	return s
}

// Latency is the distribution of end-to-end latencies a case measured: for a window result, the time from
// the moment the input's event time passed the window's end (the paced source's schedule) to the moment the
// sink received the result.
type Latency struct {
	P50, P99, Max time.Duration
	// Samples is the number of results measured (results fired by the end of input are left out).
	Samples int
	// Rate is the input rate the source was paced at, in events per second.
	Rate float64
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
	Name    string  `json:"name"`
	About   string  `json:"about"`
	Events  int64   `json:"events"`
	Seconds float64 `json:"seconds"`
	// CPUSeconds is the user plus system CPU time the process used while the case ran (getrusage), all
	// goroutines and the garbage collector included.
	CPUSeconds         float64 `json:"cpu_seconds"`
	EventsPerSec       float64 `json:"events_per_sec"`
	EventsPerCPUSecond float64 `json:"events_per_cpu_sec"`
	// PeakRSSBytes is the peak resident memory while the case ran. OwnProcess says it was measured in a
	// process that ran only this case (weir bench's default); otherwise earlier cases may raise it.
	PeakRSSBytes int64  `json:"peak_rss_bytes"`
	OwnProcess   bool   `json:"own_process,omitempty"`
	Baseline     string `json:"baseline,omitempty"`
	// Ratio is this case's events/s divided by its baseline's in the same run (0 if none), RatioCPU the same
	// for events per CPU-second.
	Ratio    float64 `json:"ratio,omitempty"`
	RatioCPU float64 `json:"ratio_cpu,omitempty"`
	// Typed, TypedRatio and TypedRatioCPU compare with the typed loop (Case.Typed) in the same run.
	Typed         string  `json:"typed,omitempty"`
	TypedRatio    float64 `json:"typed_ratio,omitempty"`
	TypedRatioCPU float64 `json:"typed_ratio_cpu,omitempty"`
	// Peer, PeerRatio and PeerRatioCPU compare with another engine's case in the same run.
	Peer         string  `json:"peer,omitempty"`
	PeerRatio    float64 `json:"peer_ratio,omitempty"`
	PeerRatioCPU float64 `json:"peer_ratio_cpu,omitempty"`
	// Flink and FlinkRatioCPU compare with Flink's published events per CPU-second of the same query
	// (Case.Flink), a figure from another machine and setup: see BENCHMARKS.md.
	Flink         float64 `json:"flink_events_per_cpu_sec,omitempty"`
	FlinkRatioCPU float64 `json:"flink_ratio_cpu,omitempty"`
	// LatencyP50Millis and LatencyP99Millis are end-to-end latencies (Case.Latency) over LatencySamples
	// results, at an input paced to InputRate events per second.
	LatencyP50Millis float64 `json:"latency_p50_ms,omitempty"`
	LatencyP99Millis float64 `json:"latency_p99_ms,omitempty"`
	LatencyMaxMillis float64 `json:"latency_max_ms,omitempty"`
	LatencySamples   int     `json:"latency_samples,omitempty"`
	InputRate        float64 `json:"input_rate,omitempty"`
	// Checkpoint holds the figures of the checkpoint (and recovery) the case measured (Case.Checkpoint).
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	Error      string      `json:"error,omitempty"`
	// Note holds figures the case measured itself.
	Note string `json:"note,omitempty"`
}

// Options selects and sizes the cases to run.
type Options struct {
	Only   []string // case names or prefixes; empty runs every case
	Events int64    // events per case before Scale; default 2,000,000
	// Exec, if set, measures one case (by name, for Events events before Scale) in a process of its own and
	// returns its result: weir bench re-executes itself with --child, so that each case's peak RSS is its
	// own. Nil measures every case in this process.
	Exec func(name string, events int64) (Result, error)
}

// Run runs the selected cases, each with its baselines and peer, and returns their results in order.
func Run(opts Options, progress func(Result)) []Result {
	if opts.Events <= 0 {
		opts.Events = 2_000_000
	}
	all := Cases()
	want := map[string]bool{}
	for _, c := range all {
		if selected(c.Name, opts.Only) {
			want[c.Name] = true
			for _, o := range []string{c.Baseline, c.Typed, c.Peer} {
				if o != "" {
					want[o] = true
				}
			}
		}
	}
	results := map[string]*Result{}
	var order []*Result
	for _, c := range all {
		if !want[c.Name] {
			continue
		}
		var r Result
		if opts.Exec != nil {
			var err error
			if r, err = opts.Exec(c.Name, opts.Events); err != nil {
				r = Result{Name: c.Name, About: c.About, Error: err.Error()}
			}
		} else {
			r = measure(c, opts.Events, sharedProcess)
		}
		results[c.Name] = &r
		order = append(order, &r)
	}
	var out []Result
	for _, r := range order {
		r.Ratio, r.RatioCPU = ratios(r, results[r.Baseline])
		r.TypedRatio, r.TypedRatioCPU = ratios(r, results[r.Typed])
		r.PeerRatio, r.PeerRatioCPU = ratios(r, results[r.Peer])
		out = append(out, *r)
		if progress != nil {
			progress(*r)
		}
	}
	return out
}

// ratios returns r's events per second and per CPU-second divided by other's (0 where either is unknown).
func ratios(r, other *Result) (wall, cpu float64) {
	if other == nil || r.Error != "" || other.Error != "" {
		return 0, 0
	}
	if other.EventsPerSec > 0 {
		wall = r.EventsPerSec / other.EventsPerSec
	}
	if other.EventsPerCPUSecond > 0 {
		cpu = r.EventsPerCPUSecond / other.EventsPerCPUSecond
	}
	return wall, cpu
}

// Measure measures the case named name for events events (before its Scale) in this process and returns
// its result. It is meant for a process that runs only this case (weir bench --child): the peak RSS is then
// the process's own (getrusage's ru_maxrss). A case that checks itself against its baseline in Run
// (ChecksBaseline) finds the baseline computed first, outside the measurement, as in a whole run; its peak
// RSS is then read from the kernel's high-water mark, reset after the baseline's memory was given back.
func Measure(name string, events int64) (Result, error) {
	byName := map[string]Case{}
	for _, x := range cases {
		byName[x.Name] = x
	}
	c, ok := byName[name]
	if !ok {
		return Result{}, fmt.Errorf("%w: %q", ErrNoCase, name)
	}
	if events <= 0 {
		events = 2_000_000
	}
	mode := ownProcess
	if b, ok := byName[c.Baseline]; ok && c.ChecksBaseline {
		if _, err := b.Run(scaled(b, events)); err != nil {
			return Result{}, fmt.Errorf("baseline %s of %s: %w", b.Name, name, err)
		}
		mode = afterBaseline
	}
	return measure(c, events, mode), nil
}

// rssMode says how a measurement reads the peak RSS.
type rssMode int

const (
	// sharedProcess: earlier cases ran in this process; the kernel's high-water mark is reset first, which
	// cannot undo what the Go runtime kept from them.
	sharedProcess rssMode = iota
	// ownProcess: nothing ran in this process before; the peak is the process's ru_maxrss.
	ownProcess
	// afterBaseline: only the case's baseline ran before, its memory freed and the high-water mark reset.
	afterBaseline
)

// ErrNoCase is returned by Measure for a name no case has.
var ErrNoCase = errors.New("no benchmark case")

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

func scaled(c Case, events int64) int64 {
	scale := c.Scale
	if scale <= 0 {
		scale = 1
	}
	return max(int64(float64(events)*scale), 1)
}

// measure runs c for events events (before Scale), reading the peak RSS as mode says.
func measure(c Case, events int64, mode rssMode) Result {
	n := scaled(c, events)
	if c.Setup != nil {
		if err := c.Setup(n); err != nil {
			return Result{Name: c.Name, About: c.About, Error: "setup: " + err.Error()}
		}
	}
	if mode != ownProcess {
		debug.FreeOSMemory() // give back what earlier cases used, so the peak below is this case's
		resetPeakRSS()
	}
	cpu0 := cpuTime()
	start := time.Now()
	done, err := c.Run(n)
	secs := time.Since(start).Seconds()
	cpu := (cpuTime() - cpu0).Seconds()
	r := Result{Name: c.Name, About: c.About, Events: done, Seconds: secs, CPUSeconds: cpu,
		Baseline: c.Baseline, Typed: c.Typed, Peer: c.Peer, OwnProcess: mode != sharedProcess}
	if mode == ownProcess {
		r.PeakRSSBytes = maxRSS()
	} else {
		r.PeakRSSBytes = peakRSS()
	}
	if err == nil && c.Verify != nil {
		err = c.Verify(n)
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if secs > 0 {
		r.EventsPerSec = float64(done) / secs
	}
	if cpu > 0 {
		r.EventsPerCPUSecond = float64(done) / cpu
	}
	if c.Flink > 0 {
		r.Flink, r.FlinkRatioCPU = c.Flink, r.EventsPerCPUSecond/c.Flink
	}
	if c.Note != nil {
		r.Note = c.Note()
	}
	if c.Latency != nil {
		l := c.Latency()
		r.LatencyP50Millis, r.LatencyP99Millis, r.LatencyMaxMillis = millis(l.P50), millis(l.P99), millis(l.Max)
		r.LatencySamples, r.InputRate = l.Samples, l.Rate
		if l.Samples == 0 {
			r.Note = strings.TrimPrefix(r.Note+"; no latency measured: no window closed before the input ended (raise --events)", "; ")
		}
	}
	if c.Checkpoint != nil {
		ck := c.Checkpoint()
		r.Checkpoint = &ck
	}
	return r
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

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

// Table formats results as an aligned text table: events per wall second and per CPU-second, peak RSS (an
// asterisk marks a figure not measured in a process of the case's own), and the ratios to the baselines and
// the peer, each as wall/CPU.
func Table(rs []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-36s %11s %8s %9s %9s %9s %s\n", "case", "events", "seconds", "events/s", "ev/CPU-s", "peak RSS", "against (wall/CPU)")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(&b, "%-36s error: %s\n", r.Name, r.Error)
			continue
		}
		var against []string
		for _, x := range []struct {
			name      string
			wall, cpu float64
		}{{r.Baseline, r.Ratio, r.RatioCPU}, {r.Typed, r.TypedRatio, r.TypedRatioCPU}, {r.Peer, r.PeerRatio, r.PeerRatioCPU}} {
			if x.wall > 0 && (x.name != r.Baseline || len(against) == 0) { // a typed baseline that is the baseline once
				against = append(against, fmt.Sprintf("%s/%s %s", ratio(x.wall), ratio(x.cpu), x.name))
			}
		}
		if r.FlinkRatioCPU > 0 {
			against = append(against, fmt.Sprintf("%s per CPU-s Flink's published", ratio(r.FlinkRatioCPU)))
		}
		if r.LatencySamples > 0 {
			against = append(against, fmt.Sprintf("latency p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d results at %s events/s",
				r.LatencyP50Millis, r.LatencyP99Millis, r.LatencyMaxMillis, r.LatencySamples, human(r.InputRate)))
		}
		if r.Checkpoint != nil {
			against = append(against, r.Checkpoint.String())
		}
		if r.Note != "" {
			against = append(against, r.Note)
		}
		rss := mib(r.PeakRSSBytes)
		if !r.OwnProcess && r.PeakRSSBytes > 0 {
			rss += "*"
		}
		fmt.Fprintf(&b, "%-36s %11d %8.3f %9s %9s %9s %s\n", r.Name, r.Events, r.Seconds, human(r.EventsPerSec),
			human(r.EventsPerCPUSecond), rss, strings.Join(against, "; "))
	}
	return b.String()
}

// ratio formats a ratio with two significant decimals below 10 and one above.
func ratio(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.1fx", x)
	}
	return fmt.Sprintf("%.2fx", x)
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
