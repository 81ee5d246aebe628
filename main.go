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
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand of weir.
type command struct {
	name    string
	summary string
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
	name := "workbench"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && !strings.HasSuffix(args[0], ".md") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == name {
			if err := c.run(args, stdout, stderr); err != nil {
				fmt.Fprintf(stderr, "weir %s: %v\n", name, err)
				return 1
			}
			return 0
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
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}
