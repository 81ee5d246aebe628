package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/de4e/weir/bench"
)

func init() {
	register(command{name: "bench", summary: "run the benchmark suite, each case in a process of its own (--json, --only a,b, --events N, --list, --same-process, --cpuprofile FILE)", run: runBench})
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of a table")
	only := fs.String("only", "", "comma-separated case names or name prefixes to run (their baselines run too)")
	events := fs.Int64("events", 2_000_000, "events per case (some cases scale this down)")
	list := fs.Bool("list", false, "list the cases and exit")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (or of the --child case) to this file (go tool pprof); implies --same-process")
	sameProcess := fs.Bool("same-process", false, "run every case in this process (peak RSS then carries over from earlier cases)")
	child := fs.String("child", "", "measure only the case of this exact name in this process and print its result as JSON (what weir bench runs per case)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *events <= 0 {
		return usagef("--events must be positive, got %d", *events)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *child != "" {
		r, err := bench.Measure(*child, *events)
		if err != nil {
			return fmt.Errorf("%w (weir bench --list shows them)", err)
		}
		return json.NewEncoder(stdout).Encode(r)
	}
	if *list {
		for _, c := range bench.Cases() {
			fmt.Fprintf(stdout, "%-34s %s\n", c.Name, c.About)
		}
		return nil
	}
	var sel []string
	if *only != "" {
		sel = strings.Split(*only, ",")
	}
	opts := bench.Options{Only: sel, Events: *events}
	if !*sameProcess && *cpuprofile == "" {
		opts.Exec = func(name string, events int64) (bench.Result, error) { return benchChild(name, events, stderr) }
	}
	results := bench.Run(opts, func(r bench.Result) {
		if !*asJSON {
			fmt.Fprintf(stderr, "done: %s\n", r.Name)
		}
	})
	if len(results) == 0 {
		return fmt.Errorf("no case matches %q (weir bench --list shows them)", *only)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	} else {
		fmt.Fprint(stdout, bench.Table(results))
	}
	for _, r := range results {
		if r.Error != "" {
			return fmt.Errorf("case %s failed: %s", r.Name, r.Error)
		}
	}
	return nil
}

// benchChild measures one case in a new process of this program (weir bench --child), so that its peak RSS is
// its own, and returns the result the child printed.
func benchChild(name string, events int64, stderr io.Writer) (bench.Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return bench.Result{}, fmt.Errorf("bench: finding this program to run case %s: %w", name, err)
	}
	var out bytes.Buffer
	cmd := exec.Command(exe, "bench", "--child", name, "--events", strconv.FormatInt(events, 10))
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return bench.Result{}, fmt.Errorf("bench: the process measuring case %s: %w", name, err)
	}
	var r bench.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return bench.Result{}, fmt.Errorf("bench: reading the result of case %s (%q): %w", name, out.String(), err)
	}
	return r, nil
}
