package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/de4e/weir/engine"
)

// managed-sort: a sort through the engine's API whose input is 16 times the slot's managed memory. A Batch
// job at parallelism 1 keys n int64 records (record i is i, its key a hash of i mod managedSortKeys) and a
// keyed process function reads them as the batch sorter hands them over, key by key: it checks that the keys
// come in ascending order and each key's records in arrival order, and emits each key's count and sum at the
// key's end (an event-time timer, which Batch mode fires when the key is done). The job runs in a child process
// of its own (this binary again, told by managedSortChildEnv), so that the child's peak RSS (getrusage's
// maxrss) is the sort's alone; a second child running the same job over one record, before the clock starts,
// gives the fixed overhead (the binary, the Go runtime and the engine), and the note reports the peak against
// budget + overhead. The baseline is a
// hand-written loop in this process: the same records in a slice, sort.Slice by (key, i), and the same walk.
// Both results are compared with a digest computed from the input alone.
//
// An engine record is framed in about 36 bytes in the sorter's pages (key, key group, timestamp, input,
// arrival number and value) beside a 32-byte index entry; the budget is a 16th of the frames.
func init() {
	if arg := os.Getenv(managedSortChildEnv); arg != "" {
		os.Exit(managedSortChild(arg))
	}
	Register(Case{Name: "managed-sort/loop", About: "hand-written loop: n records into a slice, sort.Slice by (key, i), walk the keys",
		Run: func(n int64) (int64, error) {
			type rec struct{ key, i int64 }
			recs := make([]rec, n)
			for i := range n {
				recs[i] = rec{managedSortKey(i), i}
			}
			sort.Slice(recs, func(a, b int) bool {
				if recs[a].key != recs[b].key {
					return recs[a].key < recs[b].key
				}
				return recs[a].i < recs[b].i
			})
			var d managedSortDigest
			for a := 0; a < len(recs); {
				b, sum := a, int64(0)
				for ; b < len(recs) && recs[b].key == recs[a].key; b++ {
					sum += recs[b].i
				}
				d.add(recs[a].key, int64(b-a), sum)
				a = b
			}
			return n, d.check(n)
		}})
	Register(Case{Name: "managed-sort/engine", Baseline: "managed-sort/loop",
		About: fmt.Sprintf("n records sorted by a Batch keyed process function in a child process, budget 1/%d of the serialised input", sortInputPerBudget),
		Note:  managedSortNote,
		Setup: func(n int64) error { // the fixed overhead, outside the clock
			budget, page := managedSortBudget(n)
			base, err := runManagedSortChild(1, budget, page)
			if err != nil {
				return fmt.Errorf("fixed overhead: %w", err)
			}
			lastManagedSortBase = base
			return nil
		},
		Run: func(n int64) (int64, error) {
			budget, page := managedSortBudget(n)
			res, err := runManagedSortChild(n, budget, page)
			if err != nil {
				return 0, err
			}
			if err := res.Digest.check(n); err != nil {
				return 0, err
			}
			if res.Spills == 0 || res.SpilledBytes < 10*budget {
				return 0, fmt.Errorf("managed sort of %d records spilled %d bytes in %d runs with a budget of %d bytes: want at least 10x the budget",
					n, res.SpilledBytes, res.Spills, budget)
			}
			lastManagedSort = res
			return n, nil
		}})
}

const (
	managedSortChildEnv = "WEIR_BENCH_MANAGED_SORT_CHILD"
	managedSortKeys     = 100_003
	managedSortFrame    = 36 // bytes of a record's frame in the sorter's pages, about
)

func managedSortKey(i int64) int64 { return int64(splitmix(uint64(i)) % managedSortKeys) }

// managedSortBudget returns the managed memory for n records, a 16th of their frames, and a page size
// giving it at least 32 pages (32 KiB, halved for small runs).
func managedSortBudget(n int64) (budget int64, page int) {
	budget = n * managedSortFrame / sortInputPerBudget
	page = 32 << 10
	for page > 256 && budget/int64(page) < 32 {
		page /= 2
	}
	return max(budget, int64(32*page)), page
}

// managedSortDigest sums each key's count and sum; check compares it with what the input implies.
type managedSortDigest struct {
	Keys, Records, Total int64
	Err                  string
}

func (d *managedSortDigest) add(key, count, sum int64) {
	d.Keys++
	d.Records += count
	d.Total += key*31 + count*7 + sum
}

func (d *managedSortDigest) check(n int64) error {
	if d.Err != "" {
		return fmt.Errorf("managed sort: %s", d.Err)
	}
	var want managedSortDigest
	perKey := map[int64][2]int64{}
	for i := range n {
		k := managedSortKey(i)
		c := perKey[k]
		perKey[k] = [2]int64{c[0] + 1, c[1] + i}
	}
	for k, c := range perKey {
		want.add(k, c[0], c[1])
	}
	if d.Keys != want.Keys || d.Records != want.Records || d.Total != want.Total {
		return fmt.Errorf("managed sort gave %d keys, %d records, digest %d; want %d, %d, %d", d.Keys, d.Records, d.Total, want.Keys, want.Records, want.Total)
	}
	return nil
}

// managedSortResult is what the child reports, with its peak RSS from the parent's getrusage.
type managedSortResult struct {
	Digest        managedSortDigest
	Budget        int64
	ManagedPeak   int64
	Spills        int64
	SpilledBytes  int64
	PeakRSSBytes  int64 `json:"-"`
	ChildArgument string
}

var lastManagedSort, lastManagedSortBase managedSortResult

func managedSortNote() string {
	r, b := lastManagedSort, lastManagedSortBase
	return fmt.Sprintf("child process: budget %.1f MiB (peak %.1f MiB handed out), input %.1f MiB serialised (%.0fx), %d runs spilled; peak RSS %.1f MiB, fixed overhead %.1f MiB (the same job over one record) = %.2fx (budget + overhead); %.1fx the budget above the overhead",
		mibf(r.Budget), mibf(r.ManagedPeak), mibf(r.SpilledBytes), float64(r.SpilledBytes)/float64(r.Budget), r.Spills,
		mibf(r.PeakRSSBytes), mibf(b.PeakRSSBytes), float64(r.PeakRSSBytes)/float64(r.Budget+b.PeakRSSBytes),
		float64(r.PeakRSSBytes-b.PeakRSSBytes)/float64(r.Budget))
}

// runManagedSortChild runs the sort of n records in a child process and returns its report and peak RSS.
func runManagedSortChild(n, budget int64, page int) (managedSortResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return managedSortResult{}, err
	}
	arg := fmt.Sprintf("%d %d %d", n, budget, page)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), managedSortChildEnv+"="+arg)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return managedSortResult{}, fmt.Errorf("managed sort child (%s): %w: %s", arg, err, strings.TrimSpace(errOut.String()))
	}
	var res managedSortResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return managedSortResult{}, fmt.Errorf("managed sort child (%s) printed %q: %w", arg, out.String(), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.PeakRSSBytes = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return res, nil
}

// managedSortChild is the child process: it runs the job described by arg ("n budget page") and prints its
// report as JSON; the exit status is 1 when the job fails.
func managedSortChild(arg string) int {
	f := strings.Fields(arg)
	if len(f) != 3 {
		fmt.Fprintf(os.Stderr, "%s=%q: want \"n budget page\"\n", managedSortChildEnv, arg)
		return 2
	}
	n, err1 := strconv.ParseInt(f[0], 10, 64)
	budget, err2 := strconv.ParseInt(f[1], 10, 64)
	page, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: not three integers\n", managedSortChildEnv, arg)
		return 2
	}
	res, err := managedSortJob(n, budget, page)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	res.ChildArgument = arg
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// managedSortJob runs the sort of n records as a Batch job with budget bytes of managed memory.
func managedSortJob(n, budget int64, page int) (managedSortResult, error) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch, ManagedMemorySize: budget,
		MemorySegmentSize: page})
	var d managedSortDigest
	var (
		started      bool
		curKey, last int64
		count, sum   int64
	)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: i}
	}}, nil, "records").
		KeyBy(func(v any) any { return managedSortKey(v.(int64)) }).
		Process(engine.ProcessFunction{
			ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
				k, i := ctx.CurrentKey().(int64), v.(int64)
				switch {
				case d.Err != "":
				case started && k < curKey:
					d.Err = fmt.Sprintf("key %d after key %d", k, curKey)
				case started && k == curKey && count > 0 && i <= last:
					d.Err = fmt.Sprintf("key %d: record %d after %d", k, i, last)
				}
				if !started || k != curKey {
					curKey, count, sum, started = k, 0, 0, true
				}
				count, sum, last = count+1, sum+i, i
				ctx.RegisterEventTimeTimer(0) // fires when the key is done
			},
			OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
				out.Collect([3]int64{curKey, count, sum})
				count, sum = 0, 0
			},
		}).
		SinkTo("digest", func(v any, _ int64) error {
			r := v.([3]int64)
			d.add(r[0], r[1], r[2])
			return nil
		})
	job, err := env.Execute("managed sort")
	if err != nil {
		return managedSortResult{}, err
	}
	res := managedSortResult{Digest: d, Budget: job.ManagedMemoryPerSlot()}
	for _, m := range job.Snapshot().Memory {
		res.ManagedPeak += m.ManagedPeak
		res.Spills += m.Spills
		res.SpilledBytes += m.SpilledBytes
	}
	return res, nil
}
