package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/de4e/weir/bench"
)

func init() {
	register(command{name: "bench", summary: "run the benchmark suite (--json, --only a,b, --events N, --list, --cpuprofile FILE)", run: runBench})
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of a table")
	only := fs.String("only", "", "comma-separated case names or name prefixes to run (their baselines run too)")
	events := fs.Int64("events", 2_000_000, "events per case (some cases scale this down)")
	list := fs.Bool("list", false, "list the cases and exit")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
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
	results := bench.Run(bench.Options{Only: sel, Events: *events}, func(r bench.Result) {
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
