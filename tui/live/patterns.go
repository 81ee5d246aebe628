package live

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/tui/i18n"
)

// cepOperator is one CEP operator in a snapshot: its name, the Stats it published through the gauge
// cep.StatsGauge, and the bytes its keyed state (NFA states, shared buffer, waiting events) holds.
type cepOperator struct {
	name  string
	stats cep.Stats
	bytes int64
}

// cepOperators finds the operators of s that publish CEP Stats, in the job graph's order.
func cepOperators(s engine.JobSnapshot) []cepOperator {
	var out []cepOperator
	for _, v := range s.Vertices {
		for _, op := range v.Operators {
			g, ok := op.Gauge(cep.StatsGauge)
			st, isStats := g.(cep.Stats)
			if !ok || !isStats {
				continue
			}
			c := cepOperator{name: op.Name, stats: st}
			for _, sub := range v.Subtasks {
				for _, ss := range sub.State {
					if ss.Operator == op.Name {
						c.bytes += ss.Bytes
					}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// hasCEP reports whether the latest snapshot has a CEP operator.
func hasCEP(h *History) bool {
	s, ok := h.Latest()
	return ok && len(cepOperators(s)) > 0
}

// Patterns draws each CEP operator (engine/cep): its matches and timeouts, in all and per second since the
// previous snapshot, its late events, the partial matches its KeyLimit dropped (once there are some) and the
// bytes its keyed state holds; then, for the busiest keys
// (cep.LiveKeys of them), how many partial matches wait in each of the NFA's stages, in the pattern's
// order, as bars, and the size of the key's shared buffer (events held / entries linking them).
func Patterns(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	ops := cepOperators(s)
	prev := map[string]cep.Stats{}
	dt := 0.0
	if h.Len() >= 2 {
		p := h.Snapshot(h.Len() - 2)
		dt = s.Time.Sub(p.Time).Seconds()
		for _, c := range cepOperators(p) {
			prev[c.name] = c.stats
		}
	}
	perSec := func(now, before int64, had bool) string {
		if !had || dt <= 0 {
			return ""
		}
		r := float64(now-before) / dt
		if r < 10 { // matches are rare: keep a decimal so that one in a few seconds shows
			return fmt.Sprintf(" (%.1f/s)", r)
		}
		return fmt.Sprintf(" (%s/s)", Rate(r))
	}
	ls := []string{title(lang.T("cep.title"), fmt.Sprintf(lang.T("cep.more"), cep.LiveKeys), width)}
	for _, c := range ops {
		st := c.stats
		p, had := prev[c.name]
		dropped := "" // partial matches dropped by the operator's KeyLimit, shown once there are some
		if st.Dropped > 0 {
			dropped = fmt.Sprintf(" · %s %s", lang.T("cep.dropped"), warnStyle.Render(fmt.Sprint(st.Dropped)))
		}
		ls = append(ls, fit(fmt.Sprintf(" %s · %s %s · %s %s · %s %d%s · %s %s", c.name,
			lang.T("cep.matches"), okStyle.Render(fmt.Sprint(st.Matches)+perSec(st.Matches, p.Matches, had)),
			lang.T("cep.timeouts"), warnStyle.Render(fmt.Sprint(st.Timeouts)+perSec(st.Timeouts, p.Timeouts, had)),
			lang.T("cep.late"), st.LateEvents, dropped, lang.T("cep.state"), Bytes(c.bytes)), width))
		if len(st.Keys) == 0 {
			ls = append(ls, dimStyle.Render(fit("   "+lang.T("cep.none"), width)))
			continue
		}
		most := 1
		for _, k := range st.Keys {
			for _, n := range k.PartialMatches {
				most = max(most, n)
			}
		}
		const keyW, barW = 10, 5
		colW := barW + 5
		for _, name := range st.Stages {
			colW = max(colW, len([]rune(name))+1)
		}
		head := "   " + fit(lang.T("cep.key"), keyW)
		for _, name := range st.Stages {
			head += " " + fit(name, colW)
		}
		ls = append(ls, dimStyle.Render(fit(head+" "+lang.T("cep.buffer"), width)))
		for _, k := range st.Keys {
			row := "   " + fit(fmt.Sprint(k.Key), keyW)
			for _, name := range st.Stages {
				n := k.PartialMatches[name]
				cell := dimStyle.Render("·")
				if n > 0 {
					full := max(1, n*barW/most)
					cell = warnStyle.Render(strings.Repeat("▮", full)) + fmt.Sprintf(" %d", n)
				}
				row += " " + fit(cell, colW)
			}
			row += fmt.Sprintf(" %d %s / %d %s", k.BufferedEvents, lang.T("cep.events"), k.BufferEntries, lang.T("cep.entries"))
			ls = append(ls, fit(row, width))
		}
	}
	return limit(ls, height)
}
