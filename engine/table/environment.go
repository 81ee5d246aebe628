package table

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
)

// Row is one row of a table's changelog (planner.Row): its RowKind and its fields.
type Row = planner.Row

// RowKind is a row's change kind: Insert (+I), UpdateBefore (-U), UpdateAfter (+U), Delete (-D).
type RowKind = planner.RowKind

// Column is a column of a table's schema (planner.Column).
type Column = planner.Column

// The row kinds.
const (
	Insert       = planner.Insert
	UpdateBefore = planner.UpdateBefore
	UpdateAfter  = planner.UpdateAfter
	Delete       = planner.Delete
)

// ErrStatement is a statement that cannot run; every error of ExecuteSQL wraps it or a parse or
// validation error (sqlparse.Error, planner.ErrValidation, planner.ErrUnsupported).
var ErrStatement = errors.New("table: statement failed")

// Environment is Flink's TableEnvironment on Weir: a catalog of tables and views, the options SET, and the
// engine Environment that tables made from DataStreams live on. It is not safe for concurrent use.
type Environment struct {
	env     *engine.Environment
	catalog *planner.Catalog
	conf    map[string]string

	baseMu     sync.Mutex
	base       engine.Config              // the Config jobs start from, below the options SET (SetConfig)
	newReplays func() *sources.Controller // SetReplayControl
}

// NewEnvironment returns a TableEnvironment over env (nil: a new Environment with the default Config).
func NewEnvironment(env *engine.Environment) *Environment {
	if env == nil {
		env = engine.NewEnvironment(engine.Config{})
	}
	return &Environment{env: env, catalog: planner.NewCatalog(), conf: map[string]string{}, base: env.Config()}
}

// SetConfig makes c the Config that the jobs of later statements start from, before the options SET are
// applied (which win over it); it is the Config of the Environment given to NewEnvironment until then. A
// workbench calls it when its defaults change, such as its delivery guarantee. A statement that reads
// only connector tables runs with all of c; one that reads a table made by FromDataStream runs on that
// Environment, whose operators are already built, and takes only c's checkpointing (and the restart
// strategy that goes with it). SetConfig may be called while a statement runs.
func (t *Environment) SetConfig(c engine.Config) {
	t.baseMu.Lock()
	t.base = c
	t.baseMu.Unlock()
}

// SetReplayControl makes newControl the maker of the controllers of the replays that the 'weir-recording'
// and 'weir-generator' tables of later statements start, as sources.Bundled.NewControl is for a DataStream
// replay: a workbench passes its own (interp.Replays.NewController), so that its pause, step and speed keys
// steer SQL tables as they steer DataStream replays. nil (the default) gives each replay a controller of
// its own at the table's 'speed'.
func (t *Environment) SetReplayControl(newControl func() *sources.Controller) {
	t.baseMu.Lock()
	t.newReplays = newControl
	t.baseMu.Unlock()
}

// The options SET understands; others are kept and listed but have no effect. Each applies to the jobs of
// the statements after it, as in Flink.
const (
	OptionParallelism = "parallelism.default"
	OptionRuntimeMode = "execution.runtime-mode"
	OptionResultMode  = "sql-client.execution.result-mode"
	// OptionCheckpointInterval is Flink's 'execution.checkpointing.interval': the interval of periodic
	// checkpoints, a duration ('10 s', '1 min', '500 ms'); '0' disables them. Default: the Config's
	// (Weir's default: none).
	OptionCheckpointInterval = "execution.checkpointing.interval"
	// OptionCheckpointMode is Flink's 'execution.checkpointing.mode': 'EXACTLY_ONCE' or 'AT_LEAST_ONCE',
	// the delivery guarantee of the jobs. Default: the Config's (Weir's default: exactly-once).
	OptionCheckpointMode = "execution.checkpointing.mode"
)

// ExecuteSQL runs one statement: CREATE TABLE/VIEW, DROP, SHOW TABLES/VIEWS, DESCRIBE, SET, RESET, EXPLAIN,
// INSERT INTO or EXECUTE STATEMENT SET BEGIN ... END (which start a job and return at once;
// TableResult.Await waits for it) or a query (which starts a job collecting its changelog). Errors name the statement's line and column.
func (t *Environment) ExecuteSQL(statement string) (*TableResult, error) {
	st, err := sqlparse.Parse(statement)
	if err != nil {
		return nil, err
	}
	return t.execute(st, statement)
}

// ExecuteScript runs statements separated by semicolons, in order, waiting for the job of each query or
// INSERT INTO to end before the next statement (as Flink's SQL client does with 'table.dml-sync'), so a
// query over an unbounded source never returns. It returns the results so far and stops at the first
// error, whose line and column count in the whole script.
func (t *Environment) ExecuteScript(script string) ([]*TableResult, error) {
	stmts, err := sqlparse.ParseScript(script)
	if err != nil {
		return nil, err
	}
	var out []*TableResult
	for _, st := range stmts {
		r, err := t.execute(st, "")
		if err != nil {
			return out, err
		}
		out = append(out, r)
		if err := r.Await(); err != nil {
			return out, fmt.Errorf("%w: the job of the statement at %s failed: %v", ErrStatement, st.StmtPos(), err)
		}
	}
	return out, nil
}

func (t *Environment) execute(st sqlparse.Statement, text string) (*TableResult, error) {
	switch s := st.(type) {
	case *sqlparse.CreateTable:
		tab, err := planner.TableFromDDL(s)
		if err != nil {
			return nil, err
		}
		if t.catalog.Lookup(tab.Name) != nil {
			if s.IfNotExists {
				return okResult(), nil
			}
			return nil, fmt.Errorf("%w at %s: Table %s already exists", planner.ErrValidation, s.Name.Pos, tab.Name)
		}
		return okResult(), t.catalog.Register(tab, false)
	case *sqlparse.CreateView:
		p := &planner.Planner{Catalog: t.catalog}
		n, err := p.PlanQuery(s.Query)
		if err != nil {
			return nil, err
		}
		cols := n.Columns()
		if len(s.Columns) > 0 {
			if len(s.Columns) != len(cols) {
				return nil, fmt.Errorf("%w at %s: view %s names %d columns but its query has %d", planner.ErrValidation, s.Pos, s.Name.Last(), len(s.Columns), len(cols))
			}
			for i := range cols {
				cols[i].Name = s.Columns[i]
			}
		}
		if t.catalog.Lookup(s.Name.Last()) != nil {
			if s.IfNotExists {
				return okResult(), nil
			}
			return nil, fmt.Errorf("%w at %s: View %s already exists", planner.ErrValidation, s.Name.Pos, s.Name.Last())
		}
		return okResult(), t.catalog.Register(&planner.Table{Name: s.Name.Last(), Columns: cols, View: s.Query, Temporary: s.Temporary}, false)
	case *sqlparse.Drop:
		tab := t.catalog.Lookup(s.Name.Last())
		if tab == nil || (tab.View != nil) != s.View {
			if s.IfExists {
				return okResult(), nil
			}
			what := "Table"
			if s.View {
				what = "View"
			}
			return nil, fmt.Errorf("%w at %s: %s with identifier 'default_catalog.default_database.%s' does not exist", planner.ErrValidation, s.Name.Pos, what, s.Name.Last())
		}
		t.catalog.Drop(tab.Name)
		return okResult(), nil
	case *sqlparse.ShowTables:
		col := "table name"
		if s.Views {
			col = "view name"
		}
		var rows [][]any
		for _, n := range t.catalog.Names(s.Views) {
			rows = append(rows, []any{n})
		}
		return staticResult([]Column{{Name: col, Type: planner.TypeString}}, rows), nil
	case *sqlparse.Describe:
		tab := t.catalog.Lookup(s.Name.Last())
		if tab == nil {
			return nil, fmt.Errorf("%w at %s: Tables or views with the identifier '%s' doesn't exist%s", planner.ErrValidation, s.Name.Pos, s.Name.Last(), nearest(s.Name.Last(), t.catalog.Names(false)))
		}
		var rows [][]any
		for _, r := range tab.Describe() {
			row := make([]any, len(r))
			for i, v := range r {
				if i == 2 {
					row[i] = v == "TRUE"
					continue
				}
				if v == "" {
					row[i] = nil
				} else {
					row[i] = v
				}
			}
			rows = append(rows, row)
		}
		str := planner.TypeString
		cols := []Column{{Name: "name", Type: str}, {Name: "type", Type: str}, {Name: "null", Type: planner.TypeBoolean}, {Name: "key", Type: str}, {Name: "extras", Type: str}, {Name: "watermark", Type: str}}
		return staticResult(cols, rows), nil
	case *sqlparse.Set:
		if s.Option == nil {
			var keys []string
			for k := range t.conf {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var rows [][]any
			for _, k := range keys {
				rows = append(rows, []any{k, t.conf[k]})
			}
			return staticResult([]Column{{Name: "key", Type: planner.TypeString}, {Name: "value", Type: planner.TypeString}}, rows), nil
		}
		if err := checkOption(s.Option.Key, s.Option.Value); err != nil {
			return nil, fmt.Errorf("%w at %s: %v", planner.ErrValidation, s.Option.Pos, err)
		}
		t.conf[s.Option.Key] = s.Option.Value
		return okResult(), nil
	case *sqlparse.Reset:
		if s.Key == "" {
			t.conf = map[string]string{}
		} else {
			delete(t.conf, s.Key)
		}
		return okResult(), nil
	case *sqlparse.Explain:
		return t.explain(s)
	case *sqlparse.Insert:
		return t.insert(s)
	case *sqlparse.StatementSet:
		return t.statementSet(s)
	case *sqlparse.QueryStatement:
		p := &planner.Planner{Catalog: t.catalog}
		n, err := p.PlanQuery(s.Query)
		if err != nil {
			return nil, err
		}
		name := firstLine(text)
		if name == "" {
			name = "collect"
		}
		return t.collect(n, name)
	}
	return nil, fmt.Errorf("%w: statement %T", ErrStatement, st)
}

func nearest(name string, names []string) string {
	best, bd := "", 1<<30
	for _, n := range names {
		if d := distance(strings.ToLower(name), strings.ToLower(n)); d < bd {
			best, bd = n, d
		}
	}
	if best == "" || bd > max(2, len(name)/2) {
		return ""
	}
	return fmt.Sprintf(", did you mean '%s'?", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(b)]
}

func checkOption(k, v string) error {
	switch k {
	case OptionParallelism:
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			return fmt.Errorf("'%s' must be a positive number, not '%s'", k, v)
		}
	case OptionRuntimeMode:
		switch strings.ToLower(v) {
		case "streaming", "batch", "automatic":
		default:
			return fmt.Errorf("'%s' must be 'streaming', 'batch' or 'automatic', not '%s'", k, v)
		}
	case OptionStateTTL:
		if _, err := parseDuration(v); err != nil {
			return fmt.Errorf("'%s': %v", k, err)
		}
	case OptionCheckpointInterval:
		if _, err := parseDuration(v); err != nil {
			return fmt.Errorf("'%s': %v", k, err)
		}
	case OptionCheckpointMode:
		if _, ok := checkpointModes[strings.ToUpper(v)]; !ok {
			return fmt.Errorf("'%s' must be 'EXACTLY_ONCE' or 'AT_LEAST_ONCE', not '%s'", k, v)
		}
	case OptionResultMode:
		switch ResultMode(strings.ToLower(v)) {
		case ResultTable, ResultChangelog, ResultTableau:
		default:
			return fmt.Errorf("'%s' must be 'table', 'changelog' or 'tableau', not '%s'", k, v)
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// checkpointModes are the values of OptionCheckpointMode, Flink's CheckpointingMode.
var checkpointModes = map[string]engine.Guarantee{"EXACTLY_ONCE": engine.ExactlyOnce, "AT_LEAST_ONCE": engine.AtLeastOnce}

// config is the Config of a job made for a statement: the base Config (SetConfig), with the options SET.
func (t *Environment) config() engine.Config {
	t.baseMu.Lock()
	cfg := t.base
	t.baseMu.Unlock()
	if v, ok := t.conf[OptionParallelism]; ok {
		cfg.Parallelism, _ = strconv.Atoi(v)
	}
	switch strings.ToLower(t.conf[OptionRuntimeMode]) {
	case "batch":
		cfg.RuntimeMode = engine.Batch
	case "automatic":
		cfg.RuntimeMode = engine.Automatic
	case "streaming":
		cfg.RuntimeMode = engine.Streaming
	}
	if v, ok := t.conf[OptionCheckpointInterval]; ok {
		before := cfg.Checkpointing.Interval
		cfg.Checkpointing.Interval, _ = parseDuration(v)
		if before == 0 && cfg.Checkpointing.Interval > 0 && cfg.Restart.Attempts < 0 {
			// No restarts was the default of a job without checkpoints: take that of a checkpointed job,
			// as Flink's fixed-delay default when checkpointing is enabled.
			cfg.Restart = engine.RestartStrategy{}
		}
	}
	if g, ok := checkpointModes[strings.ToUpper(t.conf[OptionCheckpointMode])]; ok {
		cfg.Checkpointing.Guarantee = g
	}
	return cfg
}

// streamConfig is the Config of a job run on the Environment of the tables made from DataStreams: that
// Environment's, with the checkpointing of config (its restart strategy too, so that a job that gains
// periodic checkpoints also gains the default restarts).
func (t *Environment) streamConfig() engine.Config {
	cfg, own := t.config(), t.env.Config()
	if cfg.Checkpointing.Interval != own.Checkpointing.Interval {
		own.Restart = cfg.Restart
	}
	own.Checkpointing = cfg.Checkpointing
	return own
}

// run starts the job of the given streams of env (the Environment jobEnv returned).
func (t *Environment) run(env *engine.Environment, name string, streams ...*engine.DataStream) (*engine.Job, error) {
	if env == t.env {
		return env.ExecuteAsyncOfConfig(name, t.streamConfig(), streams...)
	}
	return env.ExecuteAsyncOf(name, streams...)
}

// readsStream reports whether a plan reads a table made from a DataStream (it must then run on t.env).
func readsStream(n planner.Node) bool {
	if s, ok := n.(*planner.ScanNode); ok && s.Table.Stream != nil {
		return true
	}
	for _, in := range n.Inputs() {
		if readsStream(in) {
			return true
		}
	}
	return false
}

// jobEnv returns the Environment a plan is compiled on, and a compiler for it.
func (t *Environment) jobEnv(n planner.Node) (*engine.Environment, *planner.Compiler) {
	env := t.env
	if !readsStream(n) {
		env = engine.NewEnvironment(t.config())
	}
	return env, t.compiler(env)
}

func (t *Environment) collect(n planner.Node, name string) (*TableResult, error) {
	env, c := t.jobEnv(n)
	s, err := c.Build(n)
	if err != nil {
		return nil, err
	}
	r := &TableResult{cols: n.Columns(), isQuery: true, mode: ResultMode(strings.ToLower(t.conf[OptionResultMode]))}
	sink := planner.Collect(s, func(row Row) { r.add(row) })
	job, err := t.run(env, name, append(c.ErrorSinks(), sink)...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	r.job = job
	return r, nil
}

// planInsert finds the table of an INSERT INTO and plans its query.
func (t *Environment) planInsert(s *sqlparse.Insert) (*planner.Table, planner.Node, error) {
	tab := t.catalog.Lookup(s.Table.Last())
	if tab == nil {
		return nil, nil, fmt.Errorf("%w at %s: Object '%s' not found%s", planner.ErrValidation, s.Table.Pos, s.Table.Last(), nearest(s.Table.Last(), t.catalog.Names(false)))
	}
	p := &planner.Planner{Catalog: t.catalog}
	n, err := p.PlanQuery(s.Query)
	if err != nil {
		return nil, nil, err
	}
	return tab, n, nil
}

func (t *Environment) insert(s *sqlparse.Insert) (*TableResult, error) {
	tab, n, err := t.planInsert(s)
	if err != nil {
		return nil, err
	}
	env, c := t.jobEnv(n)
	stream, err := c.Build(n)
	if err != nil {
		return nil, err
	}
	sink, closer, err := planner.Sink(c.Checked(stream), tab, n, s.Columns, env.Config(), s.Pos)
	if err != nil {
		return nil, err
	}
	job, err := t.run(env, "insert-into_default_catalog.default_database."+tab.Name, append(c.ErrorSinks(), sink)...)
	closeWhenDone(job, closer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	return &TableResult{job: job, cols: []Column{{Name: "job id", Type: planner.TypeString}}, static: [][]any{{job.Name()}}}, nil
}

// closeWhenDone closes the sinks' closers once job has ended (at once if it did not start).
func closeWhenDone(job *engine.Job, closers ...io.Closer) {
	var cs []io.Closer
	for _, c := range closers {
		if c != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return
	}
	closeAll := func() {
		for _, c := range cs {
			c.Close()
		}
	}
	if job == nil {
		closeAll()
		return
	}
	go func() {
		<-job.Done()
		closeAll()
	}()
}

func (t *Environment) explain(s *sqlparse.Explain) (*TableResult, error) {
	var q sqlparse.Query
	switch x := s.Statement.(type) {
	case *sqlparse.QueryStatement:
		q = x.Query
	case *sqlparse.Insert:
		q = x.Query
	default:
		return nil, fmt.Errorf("%w at %s: EXPLAIN explains a query or an INSERT", planner.ErrUnsupported, s.Pos)
	}
	p := &planner.Planner{Catalog: t.catalog}
	n, err := p.PlanQuery(q)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.WriteString("== Optimized Physical Plan ==\n")
	sb.WriteString(planner.Explain(n))
	sb.WriteString("\n== Physical Execution Plan (Weir job graph) ==\n")
	if readsStream(n) {
		sb.WriteString("(the query reads a DataStream: its job graph is that of the DataStream program)\n")
	} else {
		env := engine.NewEnvironment(t.config())
		c := t.compiler(env)
		stream, err := c.Build(n)
		if err != nil {
			return nil, err
		}
		planner.Collect(stream, func(Row) {})
		plan, err := env.Plan()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrStatement, err)
		}
		sb.WriteString(plan.String())
	}
	return staticResult([]Column{{Name: "result", Type: planner.TypeString}}, [][]any{{sb.String()}}), nil
}
