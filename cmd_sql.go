package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table"
)

func init() {
	register(command{name: "sql", summary: "run a Flink SQL script headless: weir sql [--parallelism N] [--mode tableau|changelog|table] FILE.sql;\n" +
		"             weir sql export NOTEBOOK.md writes its SQL cells as a script for Flink's SQL client", run: runSQL})
}

// runSQL runs a SQL script's statements in order, as Flink's SQL client does with -f: each query's result is
// printed in the result mode when its job ends, every other statement reports that it succeeded, and the
// first failing statement stops the script with its error (line and column in the file).
func runSQL(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runSQLExport(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	par := fs.Int("parallelism", 1, "default parallelism of the jobs (SET 'parallelism.default' overrides it)")
	mode := fs.String("mode", "tableau", "result mode of queries: tableau, changelog or table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *par < 1 {
		return usagef("--parallelism must be at least 1, got %d", *par)
	}
	if fs.NArg() != 1 {
		return usagef("usage: weir sql [--parallelism N] [--mode tableau|changelog|table] FILE.sql")
	}
	if *par < 1 {
		return fmt.Errorf("--parallelism must be at least 1, not %d", *par)
	}
	script, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	tenv := table.NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: *par, Stdout: stdout}))
	if _, err := tenv.ExecuteSQL("SET 'sql-client.execution.result-mode' = '" + *mode + "'"); err != nil {
		return fmt.Errorf("--mode: %v", err)
	}
	results, err := tenv.ExecuteScript(string(script))
	for i, r := range results {
		if r.ResultKind() == table.ResultKindSuccess {
			fmt.Fprintln(stdout, "[INFO] Execute statement succeeded.")
		} else if r.Job() != nil && !r.IsQuery() {
			fmt.Fprintf(stdout, "[INFO] Job %s finished.\n", strconv.Quote(r.Job().Name()))
		} else if err := r.Print(stdout, ""); err != nil {
			return err
		}
		if i < len(results)-1 {
			fmt.Fprintln(stdout)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	return nil
}
