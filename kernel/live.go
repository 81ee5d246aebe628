package kernel

import (
	"errors"
	"slices"
	"sync"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
)

// maxEvents is how many of a job's newest events a remoteJob keeps.
const maxEvents = 4096

// remoteJob is a job of the kernel process as its pictures tell it: an interp.LiveJob.
type remoteJob struct {
	c     *Client
	index int

	mu     sync.Mutex
	name   string
	snap   engine.JobSnapshot
	events []engine.Event
	iter   *engine.IterationSnapshot
	tms    []engine.TaskManager
}

// live takes a job's picture. c.mu must be held.
func (c *Client) live(l *liveJob) {
	if l == nil || l.Job < 0 {
		return
	}
	for len(c.jobs) <= l.Job {
		c.jobs = append(c.jobs, &remoteJob{c: c, index: len(c.jobs)})
	}
	j := c.jobs[l.Job]
	j.mu.Lock()
	defer j.mu.Unlock()
	j.name, j.snap, j.iter, j.tms = l.Name, l.Snapshot, l.Iteration, l.TaskManagers
	j.events = append(j.events, l.Events...)
	if n := len(j.events); n > maxEvents {
		j.events = slices.Clone(j.events[n-maxEvents:])
	}
}

// LiveJobs implements interp.Runner: the jobs the kernel process has sent pictures of. Only the newest job
// is followed; an older one keeps its last picture.
func (c *Client) LiveJobs() []interp.LiveJob {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]interp.LiveJob, 0, len(c.jobs))
	for _, j := range c.jobs {
		if j.Name() != "" || j.index == len(c.jobs)-1 {
			out = append(out, j)
		}
	}
	return out
}

func (j *remoteJob) Name() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.name
}

func (j *remoteJob) Status() engine.JobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.snap.Status
}

func (j *remoteJob) Snapshot() engine.JobSnapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.snap
}

func (j *remoteJob) Events(since uint64) []engine.Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, _ := slices.BinarySearchFunc(j.events, since, func(e engine.Event, s uint64) int {
		switch {
		case e.Seq < s:
			return -1
		case e.Seq > s:
			return 1
		}
		return 0
	})
	return slices.Clone(j.events[i:])
}

func (j *remoteJob) IterationSnapshot() (engine.IterationSnapshot, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.iter == nil {
		return engine.IterationSnapshot{}, false
	}
	return *j.iter, true
}

func (j *remoteJob) TaskManagers() []engine.TaskManager {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.tms)
}

func (j *remoteJob) TriggerCheckpoint() (int64, error) {
	return j.c.act(request{Op: opCheckpoint, Job: j.index})
}

func (j *remoteJob) TriggerSavepoint(dir string) (int64, error) {
	return j.c.act(request{Op: opSavepoint, Job: j.index, Dir: dir})
}

func (j *remoteJob) KillTaskManager(id int) error {
	_, err := j.c.act(request{Op: opKillTM, Job: j.index, TM: id})
	return err
}

// act sends a request to a job and waits for its reply.
func (c *Client) act(req request) (int64, error) {
	c.mu.Lock()
	if c.proc == nil {
		c.mu.Unlock()
		return 0, ErrClosed
	}
	c.seq++
	req.Seq = c.seq
	ch := make(chan event, 1)
	c.replies[req.Seq] = ch
	c.proc.send(req)
	c.mu.Unlock()
	ev := <-ch
	if ev.Error != "" {
		return ev.ID, errors.New(ev.Error)
	}
	return ev.ID, nil
}
