package interp

import (
	"strings"
	"testing"

	"github.com/de4e/weir/notebook"
)

// Panics of interpreted code said reflect's words ("reflect: slice index out of range"), where Go says
// "runtime error: index out of range"; inside a job's function too.
func TestPanicsSayGosWords(t *testing.T) {
	k := New(Options{})
	for _, c := range []struct{ src, want string }{
		{"s := []int{1, 2, 3}\ni := 5\nfmt.Println(s[i])", "line 3:1: panic: runtime error: index out of range"},
		{"var a [3]int\ni := 4\nfmt.Println(a[i])", "runtime error: index out of range"},
		{"str := \"abc\"\ni := 7\nfmt.Println(str[i])", "runtime error: index out of range"},
		{"s := []int{1, 2, 3}\nfmt.Println(s[1:5])", "runtime error: slice bounds out of range"},
		{"var p *struct{ X int }\nfmt.Println(p.X)", "runtime error: invalid memory address or nil pointer dereference"},
		{"env := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1, 2).Map(func(v any) any { s := []int{1}; return s[v.(int)] }).Collect()\n_, err := env.Execute(\"boom\")\nif err != nil { panic(err) }",
			`operator "Map" (subtask 1/1) failed on record 1: runtime error: index out of range`},
	} {
		err := run(t, k, "c", c.src).Err()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "reflect") {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}

// Running a cell before the cells it needs said "undefined: total", or for a constant the interpreter's
// "constant definition loop". Both name the name and the cell above that defines it, and say to run it.
func TestUndefinedNamesPointAtTheCellsAbove(t *testing.T) {
	src := "# N\n" +
		"<!-- weir:{\"id\":\"defs\"} -->\n```go\nconst limit = 10\nfunc total(xs []int) int { return len(xs) }\nrate, unit := 2, \"s\"\nvar (\n\tgrouped = 1\n)\n```\n" +
		"<!-- weir:{\"id\":\"use\"} -->\n```go\nfmt.Println(total(nil))\n```\n"
	nb, err := notebook.Parse("n.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(nb, Options{})
	for _, c := range []struct{ src, want string }{
		{"fmt.Println(total(nil))", "undefined: total; total defined in cell defs above: run the cells above first"},
		{"const c = limit * 2\nfmt.Println(c)", `undefined: limit (the interpreter says "constant definition loop"); limit defined in cell defs above`},
		{"fmt.Println(unit)", "unit defined in cell defs above"},
		{"fmt.Println(grouped)", "grouped defined in cell defs above"},
		{"fmt.Println(nowhere)", "undefined: nowhere"},
	} {
		ex, err := s.Start(t.Context(), "use", c.src)
		if err != nil {
			t.Fatal(err)
		}
		<-ex.Done()
		if err := ex.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
		if strings.Contains(c.want, "nowhere") && strings.Contains(ex.Err().Error(), "above") {
			t.Errorf("a name no cell defines: %v", ex.Err())
		}
	}
}

// A job's error that the cell prints carried the interpreter's internal positions ("1002:9: interface
// conversion ...") and reflect's words ("reflect.Value.Call: call of nil function"); it names the cell's own
// line and says Go's words.
func TestPrintedJobErrorsNameTheCell(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "fns", "func conv(v any) any {\n\treturn v.(string)\n}")
	ex := mustRun(t, k, "job", "env := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1, 2).Map(conv).Collect()\n_, err := env.Execute(\"boom\")\nfmt.Println(err)")
	if got := ex.Output(); !strings.Contains(got, "fns:2:9: interface conversion: interface {} is int, not string") {
		t.Errorf("printed job error: %q", got)
	}
	ex = mustRun(t, k, "nilfn", "var f func(int) int\nenv := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1).Map(func(v any) any { return f(v.(int)) }).Collect()\n_, err := env.Execute(\"boom\")\nfmt.Println(err)")
	if got := ex.Output(); !strings.Contains(got, "runtime error: invalid memory address or nil pointer dereference") {
		t.Errorf("printed nil-call error: %q", got)
	}
	ex = mustRun(t, k, "plain", "fmt.Println(\"12:30: lunch\")")
	if got := ex.Output(); got != "12:30: lunch\n" {
		t.Errorf("plain output changed: %q", got)
	}
}
