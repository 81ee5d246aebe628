package interp

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// Cells write a stream of interpreted structs as CSV and read the file back into the same struct type, with
// a bad line skipped and counted: FileSource and FileSink need no generics and take a cell's types.
func TestFilesFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/sources/sources"]["FileSource"]; !ok {
		t.Skip("interp/exports predates sources.FileSource: run go generate ./interp/exports")
	}
	k := New(Options{})
	file := filepath.Join(t.TempDir(), "trips.csv")
	path := strconv.Quote(file)
	mustRun(t, k, "write", `type Trip struct { City string; Km float64; Minutes int }
env := engine.NewEnvironment(engine.Config{Parallelism: 1})
sources.FileSink{Path: `+path+`, Format: sources.CSV}.Sink(env.FromElements(Trip{"Oslo", 2.5, 9}, Trip{"Rome", 10, 31}))
if _, err := env.Execute("write"); err != nil { panic(err) }`)
	b, err := os.ReadFile(file)
	if want := "City,Km,Minutes\nOslo,2.5,9\nRome,10,31\n"; err != nil || string(b) != want {
		t.Fatalf("wrote %q (%v), want %q", b, err, want)
	}
	if err := os.WriteFile(file, append(b, "Paris,far,3\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	ex := mustRun(t, k, "read", `env := engine.NewEnvironment(engine.Config{Parallelism: 1})
skips := &sources.Skips{}
trips := env.FromSource(sources.FileSource{Paths: []string{`+path+`}, Format: sources.CSV, Prototype: Trip{},
	Policy: sources.Skip, Skips: skips}, nil, "trips").Map(func(v any) any { t := v.(Trip); return fmt.Sprintf("%s %.1f/%d", t.City, t.Km, t.Minutes) }).Collect()
if _, err := env.Execute("read"); err != nil { panic(err) }
n, _ := skips.Count()
fmt.Println(trips.Strings(), n)`)
	if got, want := ex.Output(), "[Oslo 2.5/9 Rome 10.0/31] 1\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
