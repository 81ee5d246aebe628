package sqlparse

import "testing"

// SplitScript splits where ParseScript does: not at a semicolon inside a string, a quoted identifier or a
// comment; WithClause finds a CREATE TABLE's options, comments and multi-byte text included.
func TestSplitScriptAndWithClause(t *testing.T) {
	script := "-- a; comment\nSET 'k' = 'a;b';;\n/* ; */ CREATE TABLE `t;ä` (x BIGINT) with ( -- opts\n 'connector' = 'datagen',\n 'number-of-rows' = '3' /* ) */ )\n;SELECT 1"
	spans, err := SplitScript(script)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range spans {
		got = append(got, script[s.Start:s.End])
	}
	want := []string{"SET 'k' = 'a;b'", "CREATE TABLE `t;ä` (x BIGINT) with ( -- opts\n 'connector' = 'datagen',\n 'number-of-rows' = '3' /* ) */ )\n", "SELECT 1"}
	if len(got) != len(want) {
		t.Fatalf("spans %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("span %d: %q, want %q", i, got[i], want[i])
		}
	}
	if spans[1].Pos != (Pos{3, 9}) {
		t.Errorf("CREATE TABLE at %v, want line 3, column 9", spans[1].Pos)
	}
	stmts, err := ParseScript(script)
	if err != nil {
		t.Fatal(err)
	}
	start, end, err := WithClause(script, stmts[1].(*CreateTable))
	if err != nil {
		t.Fatal(err)
	}
	if w := "with ( -- opts\n 'connector' = 'datagen',\n 'number-of-rows' = '3' /* ) */ )"; script[start:end] != w {
		t.Errorf("WITH clause %q, want %q", script[start:end], w)
	}
	if _, _, err := WithClause("SELECT 1", stmts[1].(*CreateTable)); err == nil {
		t.Error("WithClause found the options of a statement in another script")
	}
}
