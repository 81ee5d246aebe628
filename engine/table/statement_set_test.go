package table

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A statement set runs its INSERT INTO statements as one job (Flink's documentation, "INSERT Statement":
// EXECUTE STATEMENT SET BEGIN INSERT INTO ...; INSERT INTO ...; END; and the SQL client's BEGIN
// STATEMENT SET; ... END;), in SQL, in a script and from Go.
func TestStatementSet(t *testing.T) {
	const ddl = `CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6');
CREATE TABLE evens (id BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'evens');
CREATE TABLE odds (id BIGINT, cnt BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'odds');`
	inserts := []string{"INSERT INTO evens SELECT id FROM seq WHERE MOD(id, 2) = 0",
		"INSERT INTO odds SELECT MOD(id, 2), COUNT(*) FROM seq WHERE MOD(id, 2) = 1 GROUP BY MOD(id, 2)"}
	check := func(what string, out *bytes.Buffer) {
		t.Helper()
		var evens, odds []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			id, row, _ := strings.Cut(l, "> ")
			switch {
			case strings.HasPrefix(id, "evens"):
				evens = append(evens, row)
			case strings.HasPrefix(id, "odds"):
				odds = append(odds, row)
			}
		}
		equalLines(t, what+": evens", sorted(evens), []string{"+I[2]", "+I[4]", "+I[6]"})
		equalLines(t, what+": odds", odds, []string{"+I[1, 1]", "-U[1, 1]", "+U[1, 2]", "-U[1, 2]", "+U[1, 3]"})
	}
	for _, p := range []int{1, 4} {
		var out bytes.Buffer
		tenv := NewEnvironment(newEngineEnv(p, &out))
		if _, err := tenv.ExecuteScript(ddl); err != nil {
			t.Fatal(err)
		}
		r := mustExec(t, tenv, "EXECUTE STATEMENT SET BEGIN\n"+strings.Join(inserts, ";\n")+";\nEND")
		if name := r.Rows()[0][0].(string); name != "insert-into_default_catalog.default_database.evens,default_catalog.default_database.odds" {
			t.Errorf("one job for both statements, named as Flink names it: %q", name)
		}
		check(fmt.Sprintf("EXECUTE STATEMENT SET, parallelism %d", p), &out)

		out.Reset()
		tenv = NewEnvironment(newEngineEnv(p, &out))
		results, err := tenv.ExecuteScript(ddl + "\nBEGIN STATEMENT SET;\n" + strings.Join(inserts, ";\n") + ";\nEND;\n")
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 4 {
			t.Errorf("the script's statement set is one statement, got %d results", len(results))
		}
		check(fmt.Sprintf("BEGIN STATEMENT SET in a script, parallelism %d", p), &out)

		out.Reset()
		tenv = NewEnvironment(newEngineEnv(p, &out))
		if _, err := tenv.ExecuteScript(ddl); err != nil {
			t.Fatal(err)
		}
		set := tenv.CreateStatementSet()
		for _, ins := range inserts {
			if err := set.AddInsertSQL(ins); err != nil {
				t.Fatal(err)
			}
		}
		r, err = set.Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("StatementSet, parallelism %d", p), &out)
	}
	tenv := newTableEnv(1)
	if err := tenv.CreateStatementSet().AddInsertSQL("SELECT 1"); err == nil {
		t.Error("AddInsertSQL took a query")
	}
	if _, err := tenv.CreateStatementSet().Execute(); err == nil {
		t.Error("an empty statement set ran")
	}
	for _, bad := range []string{"EXECUTE STATEMENT SET BEGIN END", "EXECUTE STATEMENT SET BEGIN SELECT 1; END", "EXECUTE STATEMENT SET BEGIN INSERT INTO x SELECT 1 END"} {
		if _, err := tenv.ExecuteSQL(bad); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
