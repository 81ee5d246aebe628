package sqlparse

import (
	"fmt"
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
