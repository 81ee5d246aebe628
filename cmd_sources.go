package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

func init() {
	register(command{name: "sources", summary: "list the built-in generators and recordings", run: runSources})
	register(command{name: "replay", summary: "print a recording's events: weir replay NAME|FILE [--speed X] [--limit N]", run: runReplay})
	register(command{name: "record", summary: "write a generated recording: weir record GENERATOR --seed S --count N -o FILE", run: runRecord})
}

func runSources(args []string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, "Generators (weir record GENERATOR):")
	for _, g := range sources.Generators() {
		fmt.Fprintf(stdout, "  %-11s %s\n", g.Name, g.About)
	}
	fmt.Fprintln(stdout, "\nRecordings (weir replay NAME):")
	for _, b := range sources.Recordings() {
		fmt.Fprintf(stdout, "  %-15s %s (%s, seed %d)\n", b.Name, b.About, b.Generator, b.Seed)
	}
	return nil
}

func runReplay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	speed := fs.Float64("speed", 0, "replay speed: 0 as fast as possible, 1 real time, N times real time")
	limit := fs.Int("limit", 0, "stop after this many events (0: all)")
	skip := fs.Bool("skip-bad", false, "skip and count bad lines instead of stopping at the first")
	name, rest := splitName(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if *limit < 0 || *speed < 0 {
		return usagef("--limit and --speed cannot be negative (got %d and %g)", *limit, *speed)
	}
	if name == "" {
		return usagef("which recording? (weir sources lists them; a file path works too)")
	}
	var rec sources.Opener
	if b, err := sources.FindRecording(name); err == nil {
		rec = b.Opener()
	} else if _, serr := os.Stat(name); serr == nil {
		rec = sources.FileRecording(name)
	} else {
		return err
	}
	policy := sources.Fail
	if *skip {
		policy = sources.Skip
	}
	ctl := sources.NewController(*speed)
	src := sources.Replay{Recordings: []sources.Opener{rec}, Control: ctl, Policy: policy}
	rd, err := src.Reader(engine.SourceContext{Clock: engine.RealClock{}})
	if err != nil {
		return err
	}
	defer rd.Close()
	// Bad lines passed over by --skip-bad are counted and reported at the end, whatever ends the replay.
	defer func() {
		if p := ctl.Progress(); p.Skipped > 0 {
			fmt.Fprintf(stderr, "weir replay: skipped %d bad lines (the last: %v)\n", p.Skipped, p.LastSkip)
		}
	}()
	enc := json.NewEncoder(stdout)
	for n := 0; *limit == 0 || n < *limit; {
		e, err := rd.Read()
		switch {
		case errors.Is(err, engine.ErrEndOfInput):
			return nil
		case errors.Is(err, engine.ErrNoData):
			if p := ctl.Progress(); p.Paused {
				// A pause marker: in the workbench the learner resumes; here nobody can, so say so and go on.
				fmt.Fprintf(stdout, "-- pause (after %d lines; weir replay goes on)\n", p.Position)
				ctl.Resume()
				continue
			}
			time.Sleep(time.Millisecond)
			continue
		case err != nil:
			return err
		}
		switch v := e.Value.(type) {
		case sources.Event:
			n++
			if err := enc.Encode(v); err != nil {
				return err
			}
		case engine.Watermark:
			fmt.Fprintf(stdout, "-- watermark %d\n", v.Time)
		case engine.Crash:
			fmt.Fprintf(stdout, "-- crash: %s\n", v.Reason)
		}
	}
	return nil
}

func runRecord(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "random seed: the same seed makes the same stream")
	count := fs.Int("count", 0, "number of events (0: the generator's default)")
	out := fs.String("o", "", "output file (default: standard output)")
	disorder := fs.Int64("disorder", 0, "delay each arrival by up to this many ms")
	late := fs.Float64("late", 0, "share of events arriving late (0..1)")
	dups := fs.Float64("duplicates", 0, "share of events delivered twice (0..1)")
	drops := fs.Float64("drops", 0, "share of events lost (0..1)")
	bundled := fs.String("bundled", "", "regenerate every bundled recording and its answers into this directory")
	name, rest := splitName(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if *count < 0 || *disorder < 0 {
		return usagef("--count and --disorder cannot be negative (got %d and %d)", *count, *disorder)
	}
	for _, share := range []struct {
		name string
		v    float64
	}{{"late", *late}, {"duplicates", *dups}, {"drops", *drops}} {
		if share.v < 0 || share.v > 1 {
			return usagef("--%s is a share between 0 and 1, got %g", share.name, share.v)
		}
	}
	if *bundled != "" {
		for _, b := range sources.Recordings() {
			if err := sources.WriteBundled(b, *bundled); err != nil {
				return fmt.Errorf("%s: %w", b.Name, err)
			}
		}
		return nil
	}
	g, err := sources.FindGenerator(name)
	if err != nil {
		return err
	}
	lines := g.Generate(*seed, *count, sources.Knobs{Disorder: *disorder, Late: *late, Duplicates: *dups, Drops: *drops})
	w := stdout
	if *out != "" {
		f, err := os.CreateTemp(dirOf(*out), ".weir-record-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		if err := sources.WriteEvents(f, lines); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		f.Close()
		return os.Rename(f.Name(), *out) // the file appears whole or not at all
	}
	return sources.WriteEvents(w, lines)
}

// splitName takes a leading positional argument, so that flags may follow it.
func splitName(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return "."
}
