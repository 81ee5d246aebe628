package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui"
	"github.com/de4e/weir/tutorials"
)

func init() {
	register(command{name: "run", summary: "run a notebook's cells and print their output: weir run NOTEBOOK.md", run: runNotebook})
	register(command{name: "check", summary: "run notebooks and their exercise checks: weir check [--solutions] [--answers] [NOTEBOOK.md ...] (default: every tutorial)", run: checkNotebooks})
}

// loadNotebook reads a notebook from disk, or a bundled tutorial by its path ("en/01-batch-and-stream.md").
func loadNotebook(p string) (*notebook.Notebook, string, error) {
	if _, err := os.Stat(p); err == nil {
		nb, err := notebook.Load(p)
		return nb, filepath.Dir(p), err
	}
	if nb, err := tutorials.Open(p); err == nil {
		return nb, "", nil
	}
	_, err := os.Stat(p)
	return nil, "", err
}

func notebookFlags(name string, stderr io.Writer) (*flag.FlagSet, *bool, *time.Duration, *kernelFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sol := fs.Bool("solutions", false, "run each exercise's solution in place of the exercise")
	timeout := fs.Duration("timeout", 2*time.Minute, "interrupt a cell that runs longer")
	kf := &kernelFlags{}
	kf.add(fs)
	return fs, sol, timeout, kf
}

func runNotebook(args []string, stdout, stderr io.Writer) error {
	fs, sol, timeout, kf := notebookFlags("run", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: weir run [--solutions] [--timeout D] [--kernel-memory SIZE] [--in-process] NOTEBOOK.md")
	}
	nb, dir, err := loadNotebook(fs.Arg(0))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s, closeKernel, err := kf.session(nb, interp.Options{Dir: dir})
	if err != nil {
		return err
	}
	defer closeKernel()
	rep := s.RunAll(ctx, interp.RunOptions{Solutions: *sol, CellTimeout: *timeout, Out: stdout})
	if cells, _ := rep.Failed(); cells > 0 {
		return fmt.Errorf("%s: a cell failed", fs.Arg(0))
	}
	return nil
}

func checkNotebooks(args []string, stdout, stderr io.Writer) error {
	fs, sol, timeout, kf := notebookFlags("check", stderr)
	quiet := fs.Bool("q", false, "print only the checks, not each cell's output")
	answers := fs.Bool("answers", false, "show the expected value in every failed check (without it, a failure gives a hint until it has failed 3 times)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) == 0 {
		lessons, err := tutorials.Lessons("")
		if err != nil {
			return err
		}
		if *sol {
			for _, l := range lessons {
				paths = append(paths, l.Path)
			}
		} else {
			// Without --solutions, the learner's own work: the copies the workbench saved of the lessons.
			// The bundled starter code would only fail its exercises.
			store, err := tui.OpenStore(tui.DefaultStoreDir())
			if err != nil {
				return err
			}
			for _, l := range lessons {
				if cp := store.LessonCopy(l.Path); fileExists(cp) {
					paths = append(paths, cp)
				}
			}
			if len(paths) == 0 {
				return usagef("no saved lesson to check in %s: open a lesson in the workbench, work on it and save it (ctrl+s), or name notebooks to check (weir check --solutions checks the bundled lessons with their solutions)", store.Dir)
			}
			fmt.Fprintf(stdout, "checking your saved copies of %d lessons (in %s)\n", len(paths), store.Dir)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	passed, failed := 0, 0
	for _, p := range paths {
		fmt.Fprintf(stdout, "━━ %s\n", p)
		nb, dir, err := loadNotebook(p)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", p, err)
			failed++
			continue
		}
		// A lesson is judged by its own check cells, whatever a learner's copy did to them.
		if missing, ok := tutorials.RestoreChecks(nb); ok && len(missing) > 0 {
			fmt.Fprintf(stdout, "FAIL %s: the lesson's check cells %s are missing from it\n", p, strings.Join(missing, ", "))
			failed++
		}
		out := stdout
		if *quiet {
			out = io.Discard
		}
		s, closeKernel, err := kf.session(nb, interp.Options{Dir: dir, RevealAnswers: *answers})
		if err != nil {
			return err
		}
		rep := s.RunAll(ctx, interp.RunOptions{Solutions: *sol, Checks: true, CellTimeout: *timeout, Out: out})
		closeKernel()
		for _, ex := range rep.Cells {
			if err := ex.Err(); err != nil {
				fmt.Fprintf(stdout, "FAIL %s: %v\n", p, err)
				failed++
			}
		}
		for _, c := range rep.Checks {
			fmt.Fprintf(stdout, "%s (%s)\n", c, c.Cell)
			if c.OK {
				passed++
			} else {
				failed++
			}
		}
		if _, solutions := nb.Exercises(); len(rep.Checks) == 0 && len(solutions) > 0 {
			fmt.Fprintf(stdout, "FAIL %s: no check ran\n", p)
			failed++
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return fmt.Errorf("%d failed", failed)
	}
	return nil
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}
