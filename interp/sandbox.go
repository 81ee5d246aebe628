package interp

import (
	"maps"
	"reflect"

	"github.com/de4e/weir/interp/exports"
	"github.com/traefik/yaegi/stdlib"
)

// What a cell can touch. Cells run inside the workbench's process with the learner's rights, so they can
// read and write files, use the network (a Kafka source) and start goroutines. They cannot start or signal
// processes, cannot reach below Go's memory safety and cannot read the recordings' answers: the symbols given
// to the interpreter are yaegi's stdlib.Symbols and Weir's exports without the packages and functions listed
// here, and the kernel refuses an import of a withheld package before running the cell, saying why. (yaegi's
// syscall, unsafe and os/exec symbols live in packages of their own that are never loaded.)
// The packages of the standard library that link os/exec are withheld with it
// (TestNoCellPackageLinksOsExec): a CGI handler runs any program, go/build and go/importer run the go
// command.
var withheldPackages = map[string]string{
	"os/exec":       "a cell cannot start processes",
	"net/http/cgi":  "a cell cannot start processes (a CGI handler runs a program)",
	"net/http/fcgi": "a cell cannot start processes (it links net/http/cgi, whose handler runs a program)",
	"go/build":      "a cell cannot start processes (go/build runs the go command)",
	"go/importer":   "a cell cannot start processes (go/importer runs the go command)",
	"syscall":       "a cell cannot make system calls directly",
	"unsafe":        "a cell cannot step outside Go's memory safety",
	"plugin":        "a cell cannot load compiled plugins",
	"os/signal":     "a cell cannot take over the workbench's signals",
}

// withheldSymbols are the symbols left out of packages a cell may import.
var withheldSymbols = map[string][]string{
	"os/os": {"StartProcess", "FindProcess", "Process", "ProcAttr", "Exit"},
	// Process-wide knobs whose misuse would take the workbench down with the cell.
	"runtime/debug/debug": {"SetMaxStack", "SetMaxThreads", "WriteHeapDump"},
	// The recordings' known answers, and what makes them: only check cells read answers (check.Answer).
	"github.com/de4e/weir/sources/sources": {"Answers", "ComputeAnswers", "WriteBundled"},
}

// The symbol tables cells get: yaegi's stdlib.Symbols and Weir's exports.Symbols without the withheld
// packages and symbols. They are copies; the tables they come from are not changed.
var (
	cellStdlib  = withhold(stdlib.Symbols)
	cellExports = withhold(exports.Symbols)
)

// withhold returns a copy of the symbol tables without the withheld packages and symbols.
func withhold(tables map[string]map[string]reflect.Value) map[string]map[string]reflect.Value {
	out := make(map[string]map[string]reflect.Value, len(tables))
	for key, syms := range tables {
		if _, withheld := withheldPackages[importPathOf(key)]; withheld {
			continue
		}
		if drop, ok := withheldSymbols[key]; ok {
			syms = maps.Clone(syms)
			for _, name := range drop {
				delete(syms, name)
			}
		}
		out[key] = syms
	}
	return out
}

// importPathOf returns the import path of a yaegi symbol-table key ("os/exec/exec" -> "os/exec").
func importPathOf(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return key[:i]
		}
	}
	return key
}
