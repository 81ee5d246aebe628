package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/membench"
)

// batch-join-spill-*: the batch join of batch-join-* (customers and orders, Batch mode) at parallelism 1
// with the join operator's managed memory set to 1/spillInputPerBudget of its input (about 25 bytes a record
// in the operator's pages), so that it spills: the hybrid hash join spills partitions of the customers and
// buffers the orders in spilled runs, the sort-merge join spills sorted runs of both inputs and merges them.
// The shuffle in front of the join keeps at most 1/spillPartitionShare of the budget of each input in memory
// (Config.BlockingPartitionMemory). Each runs in a child process of its own (this executable again, with batchSpillEnv set), so that the peak
// resident memory it reports is the join's alone; its result is checked against batch-join/loop's.

// spillInputPerBudget is how many times the join's input (in the operator's frames) exceeds its budget.
const spillInputPerBudget = 12

// spillRecordBytes is a lower bound of a customer's or an order's size in the join's pages.
const spillRecordBytes = 25

// spillPartitionShare sizes the shuffle in front of the join: each of the two blocking results (customers,
// orders) keeps at most 1/spillPartitionShare of the join's budget in memory (Config.BlockingPartitionMemory)
// before it goes to its file, so that the shuffle's memory is small beside the join's.
const spillPartitionShare = 4

// batchSpillEnv, when set ("hint n"), makes this process a batch-join-spill child.
const batchSpillEnv = "WEIR_BENCH_BATCH_SPILL_CHILD"

var spillHints = map[string]engine.JoinHint{
	"batch-join-spill-hash/engine":      engine.JoinHintRepartitionHashFirst,
	"batch-join-spill-sortmerge/engine": engine.JoinHintRepartitionSortMerge,
}

// spillReport is what a child reports, as JSON on its standard output.
type spillReport struct {
	N, Total                 int64 // the digest
	BudgetBytes, PageSize    int64
	InputBytes               int64 // lower bound of the input in the operator's pages
	Spills                   int64
	StartRSSBytes, PeakBytes int64
	JobSeconds               float64 // the job alone, without the child's start
	Error                    string
}

var lastSpill spillReport

// The child runs as soon as package bench is initialised, before the weir command or a test starts.
func init() {
	if spec := os.Getenv(batchSpillEnv); spec != "" {
		rep := runSpillChild(spec)
		json.NewEncoder(os.Stdout).Encode(rep)
		if rep.Error != "" {
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// spillBudget returns the budget and page size of a spilling join of n events: the input over
// spillInputPerBudget, in pages of 32 KiB unless that leaves fewer than 64 of them.
func spillBudget(n int64) (budget int64, page int) {
	budget = n * spillRecordBytes / spillInputPerBudget
	page = 32 << 10
	for page > 256 && budget/int64(page) < 64 {
		page /= 2
	}
	return max(budget, int64(64*page)), page
}

func runSpillChild(spec string) spillReport {
	f := strings.Fields(spec)
	if len(f) != 2 {
		return spillReport{Error: fmt.Sprintf("%s=%q: want \"hint n\"", batchSpillEnv, spec)}
	}
	hint, err1 := strconv.Atoi(f[0])
	n, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return spillReport{Error: fmt.Sprintf("%s=%q: want \"hint n\"", batchSpillEnv, spec)}
	}
	budget, page := spillBudget(n)
	membench.SetBatchOperatorMemory(budget, page)
	rep := spillReport{BudgetBytes: budget, PageSize: int64(page), InputBytes: n * spillRecordBytes, StartRSSBytes: currentRSS()}
	resetPeakRSS()
	before := membench.BatchSpills()
	start := time.Now()
	d, err := batchJoinJob(n, engine.JoinHint(hint), 1, budget/spillPartitionShare)
	rep.JobSeconds = time.Since(start).Seconds()
	rep.PeakBytes, rep.Spills = peakRSS(), membench.BatchSpills()-before
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.N, rep.Total = d.n, d.total
	return rep
}

// batchSpillJoin runs the spilling join of n events with hint in a child process and returns its digest.
func batchSpillJoin(n int64, hint engine.JoinHint) (*digest, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %d", batchSpillEnv, hint, n))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var rep spillReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		return nil, fmt.Errorf("spilling join child: %v (output %q, %v)", jerr, out, err)
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("spilling join child: %s", rep.Error)
	}
	if err != nil {
		return nil, fmt.Errorf("spilling join child: %w", err)
	}
	if rep.Spills == 0 && rep.InputBytes >= 10*rep.BudgetBytes {
		return nil, fmt.Errorf("spilling join of %d events in %d bytes did not spill", n, rep.BudgetBytes)
	}
	lastSpill = rep
	return &digest{n: rep.N, total: rep.Total}, nil
}

func batchSpillNote() string {
	r := lastSpill
	grew := r.PeakBytes - r.StartRSSBytes
	return fmt.Sprintf("job %.2fs in the child; budget %.2f MiB in %d-byte pages, input >= %.1f MiB (%.0fx), %d spills; child's peak RSS %.1f MiB = %.1f MiB at start + %.1fx budget",
		r.JobSeconds, mibf(r.BudgetBytes), r.PageSize, mibf(r.InputBytes), float64(r.InputBytes)/float64(r.BudgetBytes), r.Spills,
		mibf(r.PeakBytes), mibf(r.StartRSSBytes), float64(grew)/float64(r.BudgetBytes))
}
