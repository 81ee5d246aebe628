package sqlparse

import (
	"fmt"
	"strings"
	"testing"
)

// The row pattern quantifiers of Calcite's grammar, each with its reluctant form, and the clauses of
// MATCH_RECOGNIZE in order.
func TestParseMatchRecognize(t *testing.T) {
	st, err := Parse("SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.x AS ax ONE ROW PER MATCH " +
		"AFTER MATCH SKIP TO LAST B PATTERN (A B* C+? D? E{2} F{2,} G{2,3}? H{,3}) WITHIN INTERVAL '5' SECOND DEFINE A AS x > 1, B AS x < 2) AS m")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := st.(*QueryStatement).Query.(*Select).From.(*MatchRecognize)
	if !ok {
		t.Fatalf("FROM is %T", st.(*QueryStatement).Query.(*Select).From)
	}
	var got string
	for _, p := range m.Pattern {
		got += fmt.Sprintf("%s{%d,%d,%t} ", p.Var, p.Min, p.Max, p.Reluctant)
	}
	if want := "A{1,1,false} B{0,-1,false} C{1,-1,true} D{0,1,false} E{2,2,false} F{2,-1,false} G{2,3,true} H{0,3,false} "; got != want {
		t.Errorf("pattern %s, want %s", got, want)
	}
	if m.Skip != "TO LAST" || m.SkipVar != "B" || m.Alias != "m" || len(m.Define) != 2 || len(m.Measures) != 1 || m.Within == nil || len(m.PartitionBy) != 1 {
		t.Errorf("clauses: %+v", m)
	}
	for _, bad := range []string{
		"SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{x}) DEFINE A AS true)",
		"SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A true)",
		"SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts AFTER MATCH SKIP SOMEWHERE PATTERN (A) DEFINE A AS true)",
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// Calcite's row pattern grammar beyond a sequence: alternation, groups, PERMUTE and exclusion parse, and the
// first such construct is recorded for the planner to refuse; a group without a quantifier, or of one
// variable, is part of the sequence.
func TestParsePatternConstructs(t *testing.T) {
	for _, c := range []struct{ pattern, vars, construct string }{
		{"A (B C) D", "A B C D", ""},
		{"(A)+ B", "A+ B", ""},
		{"A | B", "A B", "alternation A | B"},
		{"(A B | C D) E", "A B C D E", "alternation A B | C D"},
		{"A (B C)+ D", "A B C D", "group (B C)+"},
		{"((A B){2,3}? C)", "A B C", "group (A B){2,3}?"},
		{"PERMUTE(A, B C)", "A B C", "permute PERMUTE(A, B C)"},
		{"A {- B -} C", "A B C", "exclusion {- B -}"},
	} {
		st, err := Parse("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (" + c.pattern + ") DEFINE A AS true)")
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		m := st.(*QueryStatement).Query.(*Select).From.(*MatchRecognize)
		var vars []string
		for _, p := range m.Pattern {
			vars = append(vars, p.Var+p.Quantifier())
		}
		construct := ""
		if m.Construct != nil {
			construct = m.Construct.Kind + " " + m.Construct.Text
		}
		if got := strings.Join(vars, " "); got != c.vars || construct != c.construct {
			t.Errorf("%s: vars %q construct %q, want %q and %q", c.pattern, got, construct, c.vars, c.construct)
		}
	}
	for _, bad := range []string{"()", "A |", "(A B", "{- A }", "A B)"} {
		if _, err := Parse("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (" + bad + ") DEFINE A AS true)"); err == nil {
			t.Errorf("PATTERN (%s): accepted", bad)
		}
	}
}
