package live

import (
	"fmt"

	"github.com/de4e/weir/tui/i18n"
)

// Memory draws each TaskManager's memory (engine.MemorySnapshot): its managed memory as a bar of used
// against the budget with the peak, then its network buffers in flight against its credits, the estimated
// heap state, the Pebble state and what its sorts spilled to disk. The title's sparkline is the managed
// memory in use over the History, summed over TaskManagers.
func Memory(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	series := make([]float64, 0, h.Len())
	for _, snap := range h.Snapshots() {
		var used int64
		for _, m := range snap.Memory {
			used += m.ManagedUsed
		}
		series = append(series, float64(used))
	}
	ls := []string{title(lang.T("mem.title"), Sparkline(series, min(30, max(5, width/3))), width)}
	if len(s.Memory) == 0 {
		return limit(append(ls, dimStyle.Render(" "+lang.T("mem.none"))), height)
	}
	for _, m := range s.Memory {
		frac := 0.0
		if m.ManagedBudget > 0 {
			frac = float64(m.ManagedUsed) / float64(m.ManagedBudget)
		}
		ls = append(ls, fit(fmt.Sprintf(" %s %d  %s %s %s / %s %s", lang.T("mem.tm"), m.TaskManager, lang.T("mem.managed"),
			Bar(frac, 10), Bytes(m.ManagedUsed), Bytes(m.ManagedBudget), dimStyle.Render(lang.T("mem.peak")+" "+Bytes(m.ManagedPeak))), width))
		spilled := dimStyle.Render(fmt.Sprintf("%s 0", lang.T("mem.spills")))
		if m.Spills > 0 {
			spilled = fmt.Sprintf("%s %d %s, %s", lang.T("mem.spills"), m.Spills, lang.T("mem.runs"), Bytes(m.SpilledBytes))
		}
		ls = append(ls, fit(fmt.Sprintf("      %s %d/%d  %s ≈%s  %s %s  %s", lang.T("mem.net"), m.NetworkBuffersUsed, m.NetworkBuffersTotal,
			lang.T("mem.heap"), Bytes(m.HeapStateBytes), lang.T("mem.pebble"), Bytes(m.PebbleStateBytes), spilled), width))
	}
	return limit(ls, height)
}
