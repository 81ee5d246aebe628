package table

import (
	"fmt"
	"io"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// StatementSet is Flink's StatementSet: INSERT INTO statements gathered to run as one job, which starts,
// checkpoints and ends as one (each statement still reads its own sources: Weir does not reuse a source
// between statements as Flink's optimizer can). Build one with
// Environment.CreateStatementSet, or in SQL with EXECUTE STATEMENT SET BEGIN ... END (the SQL client's
// BEGIN STATEMENT SET; ... END; in a script). It is not safe for concurrent use.
type StatementSet struct {
	tenv    *Environment
	inserts []*sqlparse.Insert
}

// CreateStatementSet returns an empty statement set of the Environment.
func (t *Environment) CreateStatementSet() *StatementSet {
	return &StatementSet{tenv: t}
}

// AddInsertSQL adds an INSERT INTO statement (Flink's addInsertSql); it is planned when the set runs.
func (s *StatementSet) AddInsertSQL(statement string) error {
	st, err := sqlparse.Parse(statement)
	if err != nil {
		return err
	}
	ins, ok := st.(*sqlparse.Insert)
	if !ok {
		return fmt.Errorf("%w: AddInsertSQL takes an INSERT INTO statement", ErrStatement)
	}
	s.inserts = append(s.inserts, ins)
	return nil
}

// Execute runs the set's statements as one job and returns at once (TableResult.Await waits for it),
// as ExecuteSQL runs an INSERT INTO. A set without statements is refused.
func (s *StatementSet) Execute() (*TableResult, error) {
	if len(s.inserts) == 0 {
		return nil, fmt.Errorf("%w: the statement set has no INSERT INTO statements", ErrStatement)
	}
	return s.tenv.statementSet(&sqlparse.StatementSet{Pos: s.inserts[0].Pos, Inserts: s.inserts})
}

// statementSet plans every INSERT of a set, compiles them into one job (on the Environment's engine
// Environment if any of them reads a table made from a DataStream) and starts it.
func (t *Environment) statementSet(set *sqlparse.StatementSet) (*TableResult, error) {
	type planned struct {
		ins  *sqlparse.Insert
		tab  *planner.Table
		node planner.Node
	}
	var plans []planned
	stream := false
	for _, ins := range set.Inserts {
		tab, n, err := t.planInsert(ins)
		if err != nil {
			return nil, err
		}
		plans = append(plans, planned{ins, tab, n})
		stream = stream || readsStream(n)
	}
	env := t.env
	if !stream {
		env = engine.NewEnvironment(t.config())
	}
	c := t.compiler(env)
	var names []string
	var sinks []*engine.DataStream
	var closers []io.Closer
	for _, p := range plans {
		s, err := c.Build(p.node)
		if err != nil {
			closeWhenDone(nil, closers...)
			return nil, err
		}
		sink, closer, err := planner.Sink(c.Checked(s), p.tab, p.node, p.ins.Columns, env.Config(), p.ins.Pos)
		if err != nil {
			closeWhenDone(nil, closers...)
			return nil, err
		}
		sinks, closers = append(sinks, sink), append(closers, closer)
		names = append(names, "default_catalog.default_database."+p.tab.Name)
	}
	job, err := t.run(env, "insert-into_"+strings.Join(names, ","), append(c.ErrorSinks(), sinks...)...)
	closeWhenDone(job, closers...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	return &TableResult{job: job, cols: []Column{{Name: "job id", Type: planner.TypeString}}, static: [][]any{{job.Name()}}}, nil
}
