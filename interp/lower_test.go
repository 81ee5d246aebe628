package interp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestFragileValuesAreParenthesizedKeepingColumns pins the text lower makes of values yaegi v0.16.1 stores
// wrongly into interfaces: every parenthesis takes a blank's place where there is one, so what follows on
// the line keeps its column.
func TestFragileValuesAreParenthesizedKeepingColumns(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"f := func(v any) any { return v.(int64) % 1000 }", "f := func(v any) any { return(v.(int64) % 1000)}"},
		{"return x % 3, nil", "return(x % 3),nil"},
		{"return -x, y > 2", "return(-x),(y > 2)"},
		{"return a<<1,b", "return(a<<1),b"},
		{"r = !ok", "r =(!ok)"},
		{"m[k], n = x >= 1, -y", "m[k], n =(x >= 1),(-y)"},
		// Left as written: := (stored right), operators yaegi stores right, and parenthesized values.
		{"r := x % 3", "r := x % 3"},
		{"return x + 1, x * 2, x / 3, x - 1, x & 1, x | 1, x ^ 1, x &^ 1, a && b, a || b", "return x + 1, x * 2, x / 3, x - 1, x & 1, x | 1, x ^ 1, x &^ 1, a && b, a || b"},
		{"return (x % 3)", "return (x % 3)"},
		{"r += x % 3", "r += x % 3"},
		// With the lowering of a top-level x, y := f(), which then copies the parenthesized text.
		{"a, b := two(func(v any) any { return v.(int) % 3 })", "_wv2_23_0, _wv2_23_1 := two(func(v any) any { return(v.(int) % 3)}); a := _wv2_23_0; b := _wv2_23_1"},
	} {
		got := lower(chunk{text: tc.src, line: 1, col: 1}, nil).text
		if got != tc.want {
			t.Errorf("lower(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
	decl := lower(chunk{decl: true, text: "func key(v any) any {\n\treturn v.(int64) % 1000\n}", line: 1, col: 1}, nil).text
	if want := "func key(v any) any {\n\treturn(v.(int64) % 1000)\n}"; decl != want {
		t.Errorf("declaration lowered to %q, want %q", decl, want)
	}
}

// TestFragileValuesIntoInterfacesRunInACell covers a yaegi v0.16.1 bug the kernel lowers away: a value whose
// outermost operator is %, <<, >>, a comparison, !, unary - or unary ^, returned or assigned with = into an
// interface, panicked ("reflect: call of reflect.Value.SetInt on interface Value", "...SetBool...") or
// became nil. Each form now gives its value, called from the cell and from a compiled caller (a job).
func TestFragileValuesIntoInterfacesRunInACell(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	for _, tc := range []struct {
		body string
		arg  string
		want string
	}{
		{"return v.(int64) % 1000", "int64(12345)", "345 int64"},
		{"return v.(int) << 2", "3", "12 int"},
		{"return v.(int) >> 1", "6", "3 int"},
		{"return v.(int) > 2", "3", "true bool"},
		{"return v.(string) == \"a\"", `"a"`, "true bool"},
		{"return v.(float64) <= 1.5", "2.5", "false bool"},
		{"return !v.(bool)", "true", "false bool"},
		{"return v != nil", "1", "true bool"},
		{"return -v.(int)", "4", "-4 int"},
		{"return ^v.(int)", "4", "-5 int"},
		{"x := v.(int); if x > 0 { return x % 3 }; return 0", "7", "1 int"},
		{"r, _ := func(x int) (any, error) { return x % 3, nil }(v.(int)); return r", "7", "1 int"},
		{"var r any; r = -v.(int); return r", "4", "-4 int"},
		{"m := map[string]any{}; m[\"k\"] = v.(int) % 5; return m[\"k\"]", "7", "2 int"},
		// Forms that worked before, for comparison.
		{"return v.(int) + 1", "4", "5 int"},
		{"return v.(string) + \"x\"", `"a"`, "ax string"},
		{"return float64(v.(int))", "4", "4 float64"},
	} {
		src := fmt.Sprintf("f := func(v any) any { %s }\nr := f(%s)\nfmt.Printf(\"%%v %%T\", r, r)", tc.body, tc.arg)
		ex := run(t, k, "form", src)
		if err := ex.Err(); err != nil || ex.Output() != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.body, ex.Output(), err, tc.want)
		}
	}
	// The natural key selector, called by the engine (compiled code).
	ex := mustRun(t, k, "job", `env := engine.NewEnvironment(engine.Config{Parallelism: 2})
counts := env.FromElements(int64(1001), int64(7), int64(2001), int64(3)).
	KeyBy(func(v any) any { return v.(int64) % 1000 }).
	Reduce(func(a, b any) any { return a.(int64) + b.(int64) }).Collect()
if _, err := env.Execute("keys"); err != nil { panic(err) }
got := counts.Strings()
sort.Strings(got)
fmt.Println(got)`)
	if ex.Output() != "[1001 3 3002 7]\n" {
		t.Errorf("keyed job: %q", ex.Output())
	}
}

// TestErrorsInALoweredLineNameTheCellsColumns checks that an error after a parenthesized value still names
// the cell's own line and column.
func TestErrorsInALoweredLineNameTheCellsColumns(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	for _, tc := range []struct{ src, want string }{
		{"x := 1\nf := func(v any) any { return v.(int64) % nope }", "line 2:43: compile: undefined: nope"},
		{"x := 1\nf := func(v any) (any, any) { return v.(int) % 2, nope }", "line 2:51: compile: undefined: nope"},
		{"x := 1\nf := func(v any) any { return -nope }", "line 2:32: compile: undefined: nope"},
	} {
		var ce *CellError
		err := run(t, k, "bad", tc.src).Err()
		if !errors.As(err, &ce) || !strings.Contains(ce.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}
