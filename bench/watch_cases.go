//go:build benchpeers

package bench

import (
	"os"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tui/live"
)

// The cost of watching: the workbench polls a running job's snapshot and events every 200 ms and draws the
// live views from them. The same job with and without a watcher shows what that costs the engine. Built only
// with the benchpeers build tag, like the peers, so that the weir binary's bench does not link the workbench's
// views for it.
func init() {
	const scale = 8 // about two seconds: ten polls
	Register(Case{Name: "watched/off", About: "the 1,000-key window count with checkpoints every 1 s, nobody watching",
		Scale: scale,
		Run:   func(n int64) (int64, error) { return n, watchedJob(n, false) }})
	Register(Case{Name: "watched/on", Baseline: "watched/off", Scale: scale,
		About: "the same job while the workbench's poller takes a snapshot every 200 ms and draws the dashboard",
		Run:   func(n int64) (int64, error) { return n, watchedJob(n, true) }})
}

func watchedJob(n int64, watch bool) error {
	dir, err := os.MkdirTemp("", "weir-bench-watch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := engine.NewEnvironment(engine.Config{Parallelism: 2,
		Checkpointing: engine.CheckpointConfig{Interval: time.Second, Dir: dir}})
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: genEvent(1000)}, &s, "events").
		KeyBy(keyOf).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow).
		SinkTo("discard", discard)
	job, err := env.ExecuteAsync("watched")
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	if watch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := live.NewHistory(0, 0)
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-job.Done():
					return
				case <-tick.C:
					h.Add(job.Snapshot(), job.Events(h.NextSeq()))
					_ = live.Dashboard(h, 120, 40, i18n.EN)
				}
			}
		}()
	}
	err = job.Wait()
	wg.Wait()
	return err
}
