package table

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
)

// OptionStateTTL is Flink's 'table.exec.state.ttl': how long a stateful SQL operator (a regular join)
// keeps a row it has not written since, in processing time. Default '0': forever. The value is a
// duration as Flink writes it: a number with an optional unit ('3600000', '1 h', '10 min', '30 s',
// '500 ms', '1d').
const OptionStateTTL = "table.exec.state.ttl"

// parseDuration reads a duration as Flink's TimeUtils.parseDuration does: a number of milliseconds, or a
// number followed by a unit (d, h, min, m, s, ms and their long forms).
func parseDuration(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("'%s' is not a duration: it must start with a number", v)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("'%s' is not a duration: %v", v, err)
	}
	units := map[string]time.Duration{
		"": time.Millisecond, "ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
		"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
		"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
		"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
		"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	}
	u, ok := units[strings.TrimSpace(s[i:])]
	if !ok {
		return 0, fmt.Errorf("'%s' is not a duration: unknown unit '%s' (ms, s, min, h or d)", v, strings.TrimSpace(s[i:]))
	}
	return time.Duration(n) * u, nil
}

// compiler returns a compiler for env with the options SET.
func (t *Environment) compiler(env *engine.Environment) *planner.Compiler {
	ttl, _ := parseDuration(t.conf[OptionStateTTL])
	t.baseMu.Lock()
	replays := t.newReplays
	t.baseMu.Unlock()
	return &planner.Compiler{Env: env, Batch: env.Config().RuntimeMode == engine.Batch, StateTTL: ttl, NewReplayControl: replays}
}
