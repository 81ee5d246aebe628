package interp

import "testing"

// A cell's value is that of its last statement: a call without results (sort.Strings, a method without
// results, delete) shows nothing, and neither does a cell whose last statement is not an expression, even
// when an earlier statement or cell had a value. Before the fix, yaegi's stale value of an earlier
// expression (the recording of the first cell) was shown after each of these cells.
func TestCellValueIsThatOfItsLastStatement(t *testing.T) {
	k := New(Options{})
	mustRun(t, k, "setup", "rec, _ := sources.FindRecording(\"clicks\")\nrec\ntype T struct{ n int }\nfunc (t *T) Inc() { t.n++ }\nfunc (t T) N() int { return t.n }\nfunc noop() {}\ntt := &T{}")
	for _, tc := range []struct {
		name, src, want string
	}{
		{"sort.Strings last", "rows := []string{\"b\", \"a\"}\nsort.Strings(rows)", ""},
		{"sort.Strings before a print", "rows2 := []string{\"b\", \"a\"}\nsort.Strings(rows2)\nfor _, r := range rows2 {\n\tfmt.Println(r)\n}\nfmt.Println(len(rows2))", ""},
		{"an expression, then a statement", "n := 2\nn * 21\nn++", ""},
		{"delete", "m := map[string]int{\"a\": 1}\nlen(m)\ndelete(m, \"a\")", ""},
		{"a method without results", "tt.Inc()", ""},
		{"an interpreted function without results", "noop()", ""},
		{"a method with a result", "tt.N()", "1"},
		{"a compiled function with a result", "strings.ToUpper(\"a\")", `"A"`},
		{"a conversion", "int64(3)", "3"},
		{"an expression after a call without results", "rows3 := []string{\"b\", \"a\"}\nsort.Strings(rows3)\nrows3[0]", `"a"`},
	} {
		if got := mustRun(t, k, "cell", tc.src).Value(); got != tc.want {
			t.Errorf("%s: value %q, want %q", tc.name, got, tc.want)
		}
	}
}
