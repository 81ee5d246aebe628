package main

import (
	"errors"
	"flag"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/de4e/weir/tui"
	"github.com/de4e/weir/tui/i18n"
)

func init() {
	register(command{name: "workbench", summary: "open the workbench (the default): weir [--lang ko|en] [--speed X] [--kernel-memory SIZE] [--in-process] [NOTEBOOK.md]", run: runWorkbench})
	register(command{name: "learn", summary: "open the workbench on the tutorial index: weir learn [--lang ko|en]", run: runWorkbench})
}

func runWorkbench(args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("workbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "interface language, ko or en (default: from WEIR_LANG, LC_ALL, LC_MESSAGES, LANG)")
	speed := fs.Float64("speed", 0, "replay speed of recordings: 0 as fast as possible, 1 real time, N times real time")
	store := fs.String("state", "", "directory for progress, recent files and saved lessons (default: the user config dir + /weir)")
	kf := &kernelFlags{}
	kf.add(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *speed < 0 {
		return usagef("--speed cannot be negative, got %g", *speed)
	}
	opts := tui.Options{Lang: i18n.FromEnv(nil), Speed: *speed}
	if !kf.inProcess {
		opts.NewRunner = kf.newRunner
	}
	if *lang != "" {
		l, ok := i18n.Parse(*lang)
		if !ok {
			return usagef("unknown language %q: use ko or en", *lang)
		}
		opts.Lang = l
	}
	if fs.NArg() > 1 {
		return usagef("open one notebook at a time")
	}
	opts.Open = fs.Arg(0)
	if *store != "" {
		s, err := tui.OpenStore(*store)
		if err != nil {
			return err
		}
		opts.Store = s
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("weir needs a terminal; use weir run or weir check to run a notebook without one")
	}
	return tui.Run(opts)
}
