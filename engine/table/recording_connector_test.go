package table

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/sources"
)

// clicksDDL registers the bundled clicks recording as a table, as lesson 19 does.
const clicksDDL = `CREATE TABLE clicks (
  page STRING,
  user_id BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'weir-recording',
  'name' = 'clicks',
  'fields.page.field' = 'key',
  'fields.user_id.field' = 'user',
  'fields.ts.field' = 'time'
)`

// The clicks recording read through SQL DDL gives the counts its generator promises (1000 clicks per page
// per 15-second window), and lesson 19's shop clicks per 5-second window, at parallelism 1 and 4 (the
// replay runs in one subtask, the window aggregation in all).
func TestRecordingConnectorReadsTheClicks(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, clicksDDL)
		requireClicksPerWindow(t, tenv, "clicks")
		r := mustExec(t, tenv, `SELECT window_start, COUNT(*) AS clicks
			FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
			WHERE page = '/shop' AND user_id >= 500
			GROUP BY window_start, window_end`)
		equalLines(t, "lesson 19's shop clicks", sorted(r.Strings()), []string{
			"+I[1970-01-01 00:00:00.000, 159]", "+I[1970-01-01 00:00:05.000, 179]", "+I[1970-01-01 00:00:10.000, 163]",
			"+I[1970-01-01 00:00:15.000, 160]", "+I[1970-01-01 00:00:20.000, 166]", "+I[1970-01-01 00:00:25.000, 154]",
		})
	}
}

// requireClicksPerWindow checks the clicks per page and 15-second window of a table of the clicks
// recording: 1000 in each, as the generator promises.
func requireClicksPerWindow(t *testing.T, tenv *Environment, table string) {
	t.Helper()
	r := mustExec(t, tenv, `SELECT page, window_start, COUNT(*) AS clicks
		FROM TABLE(TUMBLE(TABLE `+table+`, DESCRIPTOR(ts), INTERVAL '15' SECOND))
		GROUP BY page, window_start, window_end`)
	var want []string
	for _, page := range []string{"/about", "/help", "/index", "/jobs", "/news", "/shop"} {
		want = append(want, "+I["+page+", 1970-01-01 00:00:00.000, 1000]", "+I["+page+", 1970-01-01 00:00:15.000, 1000]")
	}
	equalLines(t, "clicks per page and 15 s window of "+table, sorted(r.Strings()), want)
}

// A generator's seeded events, in arrival order: Learn Flink's sorter sequence (event times 4 2 7 11 9 15
// 12 13 17 14 21 24 22 19 23 s) arrives out of order, so a watermark without a bound drops the late ones
// (9, 12, 13, 14, 19) from their 5-second windows, and one with a bound of 5 seconds keeps them all.
func TestGeneratorConnectorKeepsArrivalOrder(t *testing.T) {
	tenv := newTableEnv(1)
	for _, bound := range []string{"0", "5"} {
		mustExec(t, tenv, `CREATE TABLE sorter`+bound+` (v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '`+bound+`' SECOND)
			WITH ('connector' = 'weir-generator', 'name' = 'sorter', 'seed' = '1', 'fields.v.field' = 'value', 'fields.ts.field' = 'time')`)
	}
	r := mustExec(t, tenv, "SELECT v FROM sorter0")
	equalLines(t, "the sorter's values in arrival order", r.Strings(), []string{
		"+I[4]", "+I[2]", "+I[7]", "+I[11]", "+I[9]", "+I[15]", "+I[12]", "+I[13]", "+I[17]", "+I[14]", "+I[21]", "+I[24]", "+I[22]", "+I[19]", "+I[23]"})
	for _, c := range []struct {
		table string
		want  []string
	}{
		{"sorter0", []string{"+I[0, 2]", "+I[5, 1]", "+I[10, 1]", "+I[15, 2]", "+I[20, 4]"}},
		{"sorter5", []string{"+I[0, 2]", "+I[5, 2]", "+I[10, 4]", "+I[15, 3]", "+I[20, 4]"}},
	} {
		r := mustExec(t, tenv, "SELECT TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', window_start) AS s, COUNT(*) FROM TABLE(TUMBLE(TABLE "+c.table+", DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end")
		equalLines(t, c.table+": events per 5-second window", r.Strings(), c.want)
	}
}

// A recording's crash marker, kept with 'crash' = 'true', fails the job once; with checkpoints the job
// restarts and its result is the same, each click counted once.
func TestRecordingConnectorCrashMarker(t *testing.T) {
	tenv := newTableEnv(2)
	mustExec(t, tenv, strings.Replace(clicksDDL, "'name' = 'clicks',", "'name' = 'clicks', 'crash' = 'true',", 1))
	mustExec(t, tenv, "SET 'execution.checkpointing.interval' = '20 ms'")
	r := mustExec(t, tenv, "SELECT page, COUNT(*) AS clicks FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY page, window_start, window_end")
	if n := r.Job().Restarts(); n != 1 {
		t.Errorf("the job restarted %d times, want once, at the crash marker", n)
	}
	equalLines(t, "clicks per page after the crash", sorted(r.Strings()), []string{
		"+I[/about, 2000]", "+I[/help, 2000]", "+I[/index, 2000]", "+I[/jobs, 2000]", "+I[/news, 2000]", "+I[/shop, 2000]"})
}

func TestRecordingConnectorErrors(t *testing.T) {
	tenv := newTableEnv(1)
	for _, c := range []struct{ ddl, msg string }{
		{"CREATE TABLE c (page STRING) WITH ('connector' = 'weir-recording', 'name' = 'clicks')",
			"the events of recording 'clicks' have no field 'page' for column page (they have arrival, key, kind, time, user)"},
		{"CREATE TABLE c (u BIGINT) WITH ('connector' = 'weir-recording', 'name' = 'clicks', 'fields.u.field' = 'usr')",
			"have no field 'usr' for column u, did you mean 'user'?"},
		{"CREATE TABLE c (key STRING) WITH ('connector' = 'weir-recording', 'name' = 'click')",
			"needs 'name' = a bundled recording, did you mean 'clicks'?"},
		{"CREATE TABLE c (key STRING) WITH ('connector' = 'weir-generator', 'name' = 'clicks', 'late' = '2')",
			"option 'late' is a share of the events, from 0 to 1, not '2'"},
		{"CREATE TABLE c (key STRING) WITH ('connector' = 'weir-recording', 'name' = 'clicks', 'sped' = '1')",
			"Unsupported options found for 'weir-recording': sped, did you mean 'speed'?"},
		{"CREATE TABLE c (key STRING) WITH ('connector' = 'weir-recordings', 'name' = 'clicks')",
			"Could not find any factory for identifier 'weir-recordings', did you mean 'weir-recording'?"},
	} {
		_, err := tenv.ExecuteSQL(c.ddl)
		if !errors.Is(err, planner.ErrValidation) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s:\nerror %v\nwant %q", c.ddl, err, c.msg)
		}
	}
}

// A recording table obeys the replay controls that SetReplayControl hands it, as a DataStream replay of a
// bundled recording obeys the workbench's: paused, it emits only the rows it is stepped through; resumed,
// the rest. Without the hook the table would replay on a controller of its own, which nothing pauses.
func TestRecordingConnectorObeysReplayControls(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		var mu sync.Mutex
		var made []*sources.Controller
		tenv.SetReplayControl(func() *sources.Controller {
			c := sources.NewController(0)
			c.Pause()
			mu.Lock()
			made = append(made, c)
			mu.Unlock()
			return c
		})
		mustExec(t, tenv, clicksDDL)
		r, err := tenv.ExecuteSQL("SELECT page, user_id FROM clicks")
		if err != nil {
			t.Fatal(err)
		}
		controller := func() *sources.Controller {
			mu.Lock()
			defer mu.Unlock()
			if len(made) != 1 {
				return nil
			}
			return made[0]
		}
		// The job makes the controller when it builds its source; step it three times and wait for the
		// three rows (a job the controls did not steer would emit all 12000).
		c := controller()
		if c == nil {
			t.Fatalf("p%d: the table's replay took no controller from SetReplayControl", p)
		}
		for range 3 {
			c.Step()
		}
	wait:
		for len(r.Changes()) < 3 {
			select {
			case <-r.Job().Done():
				break wait
			case <-time.After(time.Millisecond):
			}
		}
		if n, pos := len(r.Changes()), c.Progress().Position; n != 3 || pos != 3 {
			t.Fatalf("p%d: stepped 3 times while paused: %d rows, the replay at %d, want 3 and 3", p, n, pos)
		}
		c.Resume()
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
		if n := len(r.Changes()); n != 12000 {
			t.Errorf("p%d: %d rows after resuming, want the 12000 clicks", p, n)
		}
	}
}
