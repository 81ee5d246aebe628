package planner

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
)

// The connectors 'weir-recording' and 'weir-generator' read Weir's bundled recordings and seeded generators
// (package sources) as tables: 'weir-recording' replays the recording 'name' (weir sources lists them),
// 'weir-generator' the events the generator 'name' makes from 'seed' (default 1), 'number-of-events'
// (default: the generator's own count) and the knobs 'disorder' and 'late-by' (milliseconds), 'late',
// 'duplicates' and 'drops' (shares from 0 to 1) and 'rate' (events per second of arrival time). Each
// physical column reads the event's field named by 'fields.<column>.field', by default the column's own
// name: 'key', 'kind', 'time' (event time) and 'arrival' (epoch milliseconds, which a TIMESTAMP column
// takes as such), or an entry of the event's payload; a field the recording's events lack is refused,
// naming the nearest one. Both replay through sources.Replay in one subtask, in arrival order, at
// 'speed' times real time (default 0: as fast as possible, processing time then following the arrival
// times on a virtual clock), and resume from their position after a restore. In the workbench they obey
// its replay controls (pause, step, speed) as a DataStream replay of a bundled recording does
// (Compiler.NewReplayControl), their 'speed', when given, being the speed they start at. The table's time attribute
// and watermark are its WATERMARK FOR clause's, as for every SQL source; the recording's markers are
// left out, except its crash markers with 'crash' = 'true', which fail the job once to show a recovery.
var recordingConnectorOptions = map[string][]string{
	"weir-recording": {"name", "speed", "crash"},
	"weir-generator": {"name", "seed", "number-of-events", "speed", "crash", "disorder", "late", "late-by", "duplicates", "drops", "rate"},
}

// recordingFieldSample is how many events of a recording are read to learn the fields its columns may
// name: enough to meet every kind of event of every bundled recording.
const recordingFieldSample = 2000

// recordingOpener returns the recording the table replays: the bundled recording, or the generator's
// output as NDJSON.
func recordingOpener(t *Table, pos sqlparse.Pos) (sources.Opener, error) {
	name := t.Options["name"]
	if t.Options["connector"] == "weir-recording" {
		b, err := sources.FindRecording(name)
		if err != nil {
			return sources.Opener{}, errAt(pos, ErrValidation, "the weir-recording connector needs 'name' = a bundled recording%s: %v", suggest(name, recordingNames()), err)
		}
		return b.Opener(), nil
	}
	g, err := sources.FindGenerator(name)
	if err != nil {
		var names []string
		for _, g := range sources.Generators() {
			names = append(names, g.Name)
		}
		return sources.Opener{}, errAt(pos, ErrValidation, "the weir-generator connector needs 'name' = a generator%s: %v", suggest(name, names), err)
	}
	num := func(k string) (float64, error) {
		v, ok := t.Options[k]
		if !ok {
			return 0, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return 0, errAt(pos, ErrValidation, "option '%s' must be a number of at least 0, not '%s'", k, v)
		}
		return f, nil
	}
	vals := map[string]float64{}
	for _, k := range []string{"seed", "number-of-events", "disorder", "late", "late-by", "duplicates", "drops", "rate"} {
		f, err := num(k)
		if err != nil {
			return sources.Opener{}, err
		}
		vals[k] = f
	}
	for _, k := range []string{"late", "duplicates", "drops"} {
		if vals[k] > 1 {
			return sources.Opener{}, errAt(pos, ErrValidation, "option '%s' is a share of the events, from 0 to 1, not '%s'", k, t.Options[k])
		}
	}
	seed := uint64(1)
	if _, ok := t.Options["seed"]; ok {
		seed = uint64(vals["seed"])
	}
	knobs := sources.Knobs{Rate: vals["rate"], Disorder: int64(vals["disorder"]), Late: vals["late"], LateBy: int64(vals["late-by"]),
		Duplicates: vals["duplicates"], Drops: vals["drops"]}
	var buf bytes.Buffer
	if err := sources.WriteEvents(&buf, g.Generate(seed, int(vals["number-of-events"]), knobs)); err != nil {
		return sources.Opener{}, errAt(pos, ErrValidation, "generator %s: %v", name, err)
	}
	data := buf.Bytes()
	return sources.Opener{Name: name + ".ndjson", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}, nil
}

func recordingNames() []string {
	var names []string
	for _, b := range sources.Recordings() {
		names = append(names, b.Name)
	}
	return names
}

// checkRecording validates a weir-recording or weir-generator table and returns its recording and the
// event field each physical column reads.
func checkRecording(t *Table, pos sqlparse.Pos) (sources.Opener, []string, error) {
	fail := func(err error) (sources.Opener, []string, error) { return sources.Opener{}, nil, err }
	if v, ok := t.Options["speed"]; ok {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
			return fail(errAt(pos, ErrValidation, "option 'speed' must be 0 (as fast as possible) or a positive factor of real time, not '%s'", v))
		}
	}
	if v, ok := t.Options["crash"]; ok && v != "true" && v != "false" {
		return fail(errAt(pos, ErrValidation, "option 'crash' must be 'true' or 'false', not '%s'", v))
	}
	rec, err := recordingOpener(t, pos)
	if err != nil {
		return fail(err)
	}
	rc, err := rec.Open()
	if err != nil {
		return fail(errAt(pos, ErrValidation, "opening %s: %v", rec.Name, err))
	}
	defer rc.Close()
	have := map[string]bool{"key": true, "kind": true, "time": true, "arrival": true}
	rd := sources.NewReader(rc, rec.Name, sources.Fail)
	for seen := 0; seen < recordingFieldSample; {
		l, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(errAt(pos, ErrValidation, "%v", err))
		}
		if l.Event != nil {
			for k := range l.Event.Payload {
				have[k] = true
			}
			seen++
		}
	}
	var names []string
	for n := range have {
		names = append(names, n)
	}
	sort.Strings(names)
	var fields []string
	for _, c := range t.physical() {
		f := t.Options["fields."+c.Name+".field"]
		if f == "" {
			f = c.Name
		}
		if !have[f] {
			return fail(errAt(pos, ErrValidation, "the events of %s '%s' have no field '%s' for column %s%s (they have %s)",
				strings.TrimPrefix(t.Options["connector"], "weir-"), t.Options["name"], f, c.Name, suggest(f, names), strings.Join(names, ", ")))
		}
		fields = append(fields, f)
	}
	return rec, fields, nil
}

// recordingSource replays the table's events as rows of its physical columns, steered by a controller from
// newControl when it is set (a 'speed' option then sets that controller's starting speed), else by its own
// at the table's 'speed'.
func recordingSource(env *engine.Environment, t *Table, cols []Column, newControl func() *sources.Controller) (*engine.DataStream, error) {
	rec, fields, err := checkRecording(t, sqlparse.Pos{})
	if err != nil {
		return nil, err
	}
	speed, _ := strconv.ParseFloat(t.Options["speed"], 64)
	var control *sources.Controller
	if newControl != nil {
		control = newControl()
		if _, ok := t.Options["speed"]; ok {
			control.SetSpeed(speed)
		}
	} else {
		control = sources.NewController(speed)
	}
	replay := sources.Replay{Recordings: []sources.Opener{rec}, Control: control}
	src := eventsOnly{replay: replay, crash: t.Options["crash"] == "true"}
	return env.FromSource(src, nil, t.Name).Map(func(v any) any {
		e := v.(sources.Event)
		row := make([]any, len(cols))
		for i, c := range cols {
			f, _ := e.Field(fields[i])
			row[i] = ensure(fromGo(f, c.Type), c.Type)
		}
		return Row{Kind: Insert, Fields: row}
	}).Name("Map to rows").SetParallelism(1), nil
}

// eventsOnly is a replay that hands on its events and drops its markers (a SQL table's watermarks are its
// WATERMARK FOR clause's), except crash markers when crash is set.
type eventsOnly struct {
	replay sources.Replay
	crash  bool
}

func (s eventsOnly) Boundedness() engine.Boundedness { return s.replay.Boundedness() }
func (s eventsOnly) MaxParallelism() int             { return s.replay.MaxParallelism() }

func (s eventsOnly) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	r, err := s.replay.Reader(ctx)
	if err != nil {
		return nil, err
	}
	rr, ok := r.(engine.ReplayableReader)
	if !ok {
		return nil, fmt.Errorf("%w: a replay's reader has no offsets", ErrUnsupported)
	}
	return &eventsOnlyReader{ReplayableReader: rr, crash: s.crash}, nil
}

// eventsOnlyReader's position (Offset, Seek) is the replay's, its offset in checkpoints.
type eventsOnlyReader struct {
	engine.ReplayableReader
	crash bool
}

// Read returns the next event, or a crash marker's crash when they are kept.
func (r *eventsOnlyReader) Read() (engine.SourceElement, error) {
	for {
		e, err := r.ReplayableReader.Read()
		if err != nil {
			return e, err
		}
		switch e.Value.(type) {
		case sources.Event:
			return e, nil
		case engine.Crash:
			if r.crash {
				return e, nil
			}
		}
	}
}
