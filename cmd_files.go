package main

import (
	"flag"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

func init() {
	register(command{name: "convert", summary: "convert bounded files between CSV and NDJSON: weir convert --from csv --to ndjson -o OUT IN...", run: runConvert})
}

// runConvert reads CSV or NDJSON files with a FileSource and writes them with a FileSink, in one job: a
// conversion, and a check that names the file and line of the first malformed line (or counts them all).
func runConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "csv", "input format: csv or ndjson")
	to := fs.String("to", "ndjson", "output format: csv or ndjson")
	comma := fs.String("comma", ",", "CSV delimiter, of input and output")
	out := fs.String("o", "", "output file")
	skip := fs.Bool("skip-bad", false, "skip and count malformed lines instead of stopping at the first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return usagef("usage: weir convert --from csv|ndjson --to csv|ndjson -o OUT IN... (files, directories or globs)")
	}
	format := func(name string) (sources.FileFormat, error) {
		switch name {
		case "csv":
			return sources.CSV, nil
		case "ndjson":
			return sources.NDJSON, nil
		}
		return 0, fmt.Errorf("unknown format %q (want csv or ndjson)", name)
	}
	inFormat, err := format(*from)
	if err != nil {
		return err
	}
	outFormat, err := format(*to)
	if err != nil {
		return err
	}
	r, size := utf8.DecodeRuneInString(*comma)
	if size != len(*comma) || r == utf8.RuneError {
		return fmt.Errorf("--comma must be one character, not %q", *comma)
	}
	src := sources.FileSource{Paths: fs.Args(), Format: inFormat, Skips: &sources.Skips{}}
	sink := sources.FileSink{Path: *out, Format: outFormat}
	if inFormat == sources.CSV {
		src.Comma = r
	}
	if outFormat == sources.CSV {
		sink.Comma = r
	}
	if *skip {
		src.Policy = sources.Skip
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	var n int
	sink.Sink(env.FromSource(src, nil, "input").Map(func(v any) any { n++; return v }))
	if _, err := env.Execute("convert"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d records written to %s\n", n, *out)
	if bad, last := src.Skips.Count(); bad > 0 {
		fmt.Fprintf(stderr, "%d malformed lines skipped; the last: %v\n", bad, last)
	}
	return nil
}
