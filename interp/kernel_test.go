package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, k *Kernel, id, src string) *Execution {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return k.Run(ctx, Cell{ID: id, Source: src})
}

func mustRun(t *testing.T, k *Kernel, id, src string) *Execution {
	t.Helper()
	ex := run(t, k, id, src)
	if err := ex.Err(); err != nil {
		t.Fatalf("cell %s: %v\noutput: %s", id, err, ex.Output())
	}
	return ex
}

func TestStateIsKeptAcrossCellsThatMixDeclarationsAndStatements(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "a", "import \"fmt\"\ntype Ride struct{ ID int64; Fare float64 }\nrides := []Ride{{1, 2.5}, {2, 4}}\nfunc total(rs []Ride) float64 {\n\tt := 0.0\n\tfor _, r := range rs { t += r.Fare }\n\treturn t\n}\nvar n = len(rides)")
	ex := mustRun(t, k, "b", "import \"strings\"\nfmt.Println(strings.ToUpper(\"sum\"), total(rides), n)\ntotal(rides)")
	if got := ex.Output(); got != "SUM 6.5 2\n" {
		t.Errorf("output %q", got)
	}
	if got := ex.Value(); got != "6.5" {
		t.Errorf("value %q", got)
	}
}

// TestMultiValueDefinitionInATopLevelBlock covers a yaegi v0.16.1 bug: x, y := f() inside the body of a
// top-level if or for leaves x and y undefined. The kernel refuses it with what to write; in a function,
// or with values that are not a single multi-value call, it works.
func TestMultiValueDefinitionInATopLevelBlock(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "f", "func two() (int, int) { return 1, 2 }\ntotal := 0")
	err := run(t, k, "loop", "for _, g := range []int{10, 20} {\n\tx, y := two()\n\ttotal += g + x + y\n}").Err()
	if err == nil || !strings.Contains(err.Error(), "line 2:2: syntax: the interpreter (yaegi v0.16.1) loses variables defined together") {
		t.Errorf("got %v", err)
	}
	ex := mustRun(t, k, "fn", "func sum() {\n\tfor _, g := range []int{10, 20} {\n\t\tx, y := two()\n\t\ttotal += g + x + y\n\t}\n}\nsum()\nif true {\n\ta, b := 1, 2\n\tfmt.Println(a, b, total)\n}")
	if ex.Output() != "1 2 36\n" {
		t.Errorf("output %q", ex.Output())
	}
}

// TestTopLevelMultiValueDefinitionIsReadableFromNestedCalls covers a yaegi v0.16.1 bug the kernel lowers
// away: a global from b, err := f() read by a function that another function calls.
func TestTopLevelMultiValueDefinitionIsReadableFromNestedCalls(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "def", "words, err := sources.FindRecording(\"words\")\nfunc name() string { return words.Name }\nfunc outer() string { return name() }")
	ex := mustRun(t, k, "use", "func() { fmt.Println(outer(), err) }()")
	if ex.Output() != "words <nil>\n" {
		t.Errorf("output %q", ex.Output())
	}
}

func TestModernSyntaxIsLoweredOrRefusedWithWhatToWrite(t *testing.T) {
	k := New(Options{})
	ex := mustRun(t, k, "range", "s := 0\nfor i := range 4 { s += i }\nn := 3\nfor range n { s++ }\nfunc f(m int) int { t := 0; for j := range m { t += j }; return t }\nfmt.Println(s, f(5))")
	if ex.Output() != "9 10\n" {
		t.Errorf("range over int: %q", ex.Output())
	}
	for _, tc := range []struct{ src, want string }{
		{"x := 1\ny := min(x, 2)", "line 2:6: syntax: the min builtin (Go 1.21) is not supported by the interpreter: write math.Min"},
		{"m := map[string]int{}\nclear(m)", "line 2:1: syntax: the clear builtin"},
	} {
		err := run(t, k, "bad", tc.src).Err()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
	mustRun(t, k, "own-min", "func min(a, b int) int { if a < b { return a }; return b }\nfmt.Println(min(3, 2))")
}

// TestBadCellsGiveClearErrorsAndLeaveTheKernelUsable is the suite of bad cells of issue 5: each gives its
// message with the cell's own line and column, and the next cell still sees what earlier cells declared.
func TestBadCellsGiveClearErrorsAndLeaveTheKernelUsable(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	mustRun(t, k, "setup", "base := 40")
	for _, tc := range []struct {
		name, src string
		kind      string
		want      string
	}{
		// An error at the end of the cell points at the end of its last line, not at a line after it
		// holding a brace the learner never typed (issue 19).
		{"syntax", "x := 1\ny := (x +\n", "syntax", "cell bad, line 2:10: syntax: expected operand, found the end of the cell"},
		{"syntax-brace", "if true {\n\tfmt.Println(1)\n", "syntax", "line 2:16: syntax: unexpected end of the cell"},
		{"syntax-one-line", "x := ", "syntax", "cell bad, line 1:5: syntax: expected operand, found the end of the cell"},
		{"type", "x := 1\nvar s string = x", "compile", "cell bad, line 2:"},
		{"undefined", "\n\nfmt.Println(nope)", "compile", "line 3:13: compile: undefined: nope"},
		{"panic", "var xs []int\nfmt.Println(xs[3])", "panic", "cell bad, line 2:"},
		{"panic-in-job", "env := engine.NewEnvironment(engine.Config{})\nenv.FromElements(1, 2, 3).\n\tMap(func(v any) any { var s []int; return s[v.(int)] }).\n\tPrint()\n_, err := env.Execute(\"boom\")\nif err != nil { panic(err) }",
			"panic", `operator "Map"`},
	} {
		ex := run(t, k, "bad", tc.src)
		var ce *CellError
		if !errors.As(ex.Err(), &ce) || ce.Kind != tc.kind || !strings.Contains(ce.Error(), tc.want) {
			t.Errorf("%s: got %v (kind %v), want a %s error containing %q", tc.name, ex.Err(), ce, tc.kind, tc.want)
		}
		if ex := run(t, k, "after", "base + 2"); ex.Err() != nil || ex.Value() != "42" {
			t.Fatalf("%s left the kernel unusable: %v %q", tc.name, ex.Err(), ex.Value())
		}
	}
}

func TestPanicInAJobPointsAtTheCellThatDefinedTheFunction(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	mustRun(t, k, "fn", "\nfunc price(v any) any {\n\tvar s []float64\n\treturn s[v.(int)]\n}")
	ex := run(t, k, "job2", "env := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1).Map(price).Print()\nif _, err := env.Execute(\"prices\"); err != nil { panic(err) }")
	var ce *CellError
	if !errors.As(ex.Err(), &ce) || !strings.Contains(ce.Msg, `operator "Map"`) || ce.Cell != "fn" || ce.Line < 2 || ce.Line > 4 {
		// yaegi places a panic on the line of the value involved (here the slice's declaration, line 3).
		t.Errorf("got %v, want the operator and a line of cell fn's function", ex.Err())
	}
}

func TestInterruptStopsAnInfiniteLoopAndItsJobs(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	mustRun(t, k, "setup", "n := 1")
	for _, src := range []string{
		"for { n++ }",
		"env := engine.NewEnvironment(engine.Config{})\nenv.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement { return engine.SourceElement{Value: i, Timestamp: i} }}, nil, \"forever\").Print()\nenv.Execute(\"forever\")",
	} {
		ex, err := k.Start(context.Background(), Cell{ID: "loop", Source: src})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if !ex.Running() {
			t.Fatalf("%q ended by itself: %v", src, ex.Err())
		}
		k.Interrupt()
		select {
		case <-ex.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: interrupt did not stop the cell", src)
		}
		var ce *CellError
		if !errors.As(ex.Err(), &ce) || ce.Kind != "interrupted" {
			t.Errorf("%q: got %v, want interrupted", src, ex.Err())
		}
		for _, j := range ex.Jobs() {
			select {
			case <-j.Done():
			case <-time.After(10 * time.Second):
				t.Errorf("the cell's job still runs after the interrupt")
			}
		}
		if ex := run(t, k, "after", "n > 0"); ex.Err() != nil || ex.Value() != "true" {
			t.Fatalf("kernel unusable after interrupt: %v %q", ex.Err(), ex.Value())
		}
	}
}

func TestTimeoutStopsACell(t *testing.T) {
	k := New(Options{})
	ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, errors.New("too slow"))
	defer cancel()
	ex := k.Run(ctx, Cell{ID: "slow", Source: "for {}"})
	if err := ex.Err(); err == nil || !strings.Contains(err.Error(), "too slow") {
		t.Errorf("got %v", err)
	}
}

// The end of a cell's context (weir run's cell timeout) stopped the interpreter but left the cell's job
// running, beside the cells after it. It stops the cell's jobs as an interrupt does, and the cell says why;
// a job a cell left running with ExecuteAsync outlives the end of the cell's context.
func TestTheEndOfACellsContextStopsItsJobs(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	forever := "env := engine.NewEnvironment(engine.Config{})\nenv.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement { return engine.SourceElement{Value: i, Timestamp: i} }}, nil, \"forever\").Print()\n"
	ctx, cancel := context.WithTimeoutCause(context.Background(), 300*time.Millisecond, errors.New("it ran longer than 300ms"))
	defer cancel()
	ex := k.Run(ctx, Cell{ID: "sync", Source: forever + "env.Execute(\"forever\")"})
	if err := ex.Err(); err == nil || !strings.Contains(err.Error(), "interrupted: the cell was stopped: it ran longer than 300ms") {
		t.Errorf("the timed-out cell ended with %v", err)
	}
	async, cancelAsync := context.WithCancel(context.Background())
	bg := k.Run(async, Cell{ID: "async", Source: forever + "job, err := env.ExecuteAsync(\"forever\")"})
	cancelAsync()
	for _, tc := range []struct {
		ex     *Execution
		status string
	}{{ex, "CANCELED"}, {bg, "RUNNING"}} {
		jobs := tc.ex.Jobs()
		if len(jobs) != 1 {
			t.Fatalf("cell %s started %d jobs (%v)", tc.ex.CellID(), len(jobs), tc.ex.Err())
		}
		if tc.status == "CANCELED" {
			select {
			case <-jobs[0].Done():
			case <-time.After(10 * time.Second):
			}
		} else {
			time.Sleep(100 * time.Millisecond) // the context's end had time to reach the job, if it would
		}
		if got := jobs[0].Status().String(); got != tc.status {
			t.Errorf("cell %s's job is %s after the end of its context, want %s", tc.ex.CellID(), got, tc.status)
		}
	}
	k.Close()
}

func TestRestartForgetsDeclarations(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "a", "x := 1")
	k.Restart()
	if err := run(t, k, "b", "x").Err(); err == nil || !strings.Contains(err.Error(), "undefined: x") {
		t.Errorf("after restart: %v", err)
	}
	mustRun(t, k, "c", "fmt.Sprint(engine.HeapState)")
}
