// Command weir is a terminal workbench for learning stream processing the way Apache Flink does it.
//
// Usage:
//
//	weir [NOTEBOOK.md]   open the workbench (on the built-in tutorials by default)
//	weir run NOTEBOOK.md run a notebook headless; weir check also runs its exercise checks
//	weir bench [flags]   run the benchmark suite (see BENCHMARKS.md)
//
// Run "weir help" for every command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand of weir.
type command struct {
	name    string
	summary string
	hidden  bool // not listed by weir help (weir kernel, which weir itself starts)
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists weir's subcommands in the order "weir help" shows them.
var commands []command

func register(c command) { commands = append(commands, c) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches args to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		usage(stdout)
		return 0
	}
	name := "workbench"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && !strings.HasSuffix(args[0], ".md") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(args, stdout, stderr)
			var ue usageError
			switch {
			case err == nil, errors.Is(err, flag.ErrHelp): // -h printed the command's flags
				return 0
			case errors.As(err, &ue):
				if !ue.printed {
					fmt.Fprintf(stderr, "weir %s: %v\n", name, err)
				}
				return 2
			default:
				fmt.Fprintf(stderr, "weir %s: %v\n", name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "weir: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "weir: learn stream processing the way Apache Flink does it.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
}

// usageError is a mistake in how weir was called; it ends weir with exit code 2. printed says that the flag
// package has already printed it, with the command's flags, so that it is said once.
type usageError struct {
	err     error
	printed bool
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error saying what was wrong.
func usagef(format string, a ...any) error { return usageError{err: fmt.Errorf(format, a...)} }

// parseFlags parses a command's flags. The flag package prints a bad flag's message and the command's flags;
// the usage error returned is not printed again.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err: err, printed: true}
	}
	return nil
}
