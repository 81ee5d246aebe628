package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// The notebook's layout. A notebook of 50,000 cells took about 30 s a key when every update and every
// redraw drew every cell (issue 18). Each block is drawn once and kept with a key of everything its drawing
// depends on; a layout draws again only the blocks whose key changed (the old and new selection after a
// key, the running cell on a tick) and View copies out only the lines on screen. A cell is first drawn
// plain, its code not highlighted (highlighting is most of a cell's cost, and does not change its lines),
// and highlighted when it comes on screen. The tick lays out again
// only while something can change the notebook's drawing (a cell runs or waits, a job runs), and once more
// when that ends.

// laidBlock is one block of the layout: its lines, from line start of the whole notebook.
type laidBlock struct {
	b     *notebook.Block // nil for the line that says the notebook is empty
	start int
	lines []string
}

// layoutState is the last layout: its blocks in order, the span of each visible code cell and of the
// selected item, and its length in lines.
type layoutState struct {
	blocks []laidBlock
	spans  [][2]int
	cur    [2]int
	total  int
}

// blockKey is everything a block's drawing depends on; a block whose key has not changed is not drawn again.
type blockKey struct {
	text, lang                string
	id, mode, exercise, check string
	readOnly                  bool
	selected, editing         bool
	width                     int
	lng                       i18n.Lang
	count                     int
	status                    interp.Status
	exec                      interp.CellRun
	queued, expanded          bool
	jobs                      string // the cell's jobs' statuses and restarts, which change after it ends
	checks                    string // a check cell's results
}

// drawnBlock is a block's drawing and the key it was drawn for; plain when its code is not highlighted.
type drawnBlock struct {
	key   blockKey
	lines []string
	plain bool
}

// layout lays the notebook out, drawing only the blocks whose key changed, and keeps the result for View and
// the mouse. It returns the span [start, end) of lines of each visible code cell, that of the selected item
// and the notebook's length in lines.
func (p *notebookPane) layout(lang i18n.Lang) (spans [][2]int, cur [2]int, total int) {
	sel := p.cursor()
	if p.drawn == nil || len(p.drawn) > 2*len(p.nb.Blocks)+64 {
		p.drawn = map[*notebook.Block]drawnBlock{} // forget deleted blocks now and then
	}
	var checks *string
	ls := layoutState{blocks: make([]laidBlock, 0, len(p.laid.blocks))}
	if p.selected() == nil && p.prose == nil {
		ls.blocks = append(ls.blocks, laidBlock{lines: []string{dimStyle.Render(lang.T("nb.empty"))}})
		ls.total = 1
	}
	for _, b := range p.nb.Blocks {
		if !isMarkdownCell(b) && !visibleCell(b) {
			continue
		}
		lines := p.draw(b, b == sel, lang, &checks, p.drawn[b].lines == nil || p.drawn[b].plain)
		span := [2]int{ls.total, ls.total + len(lines)}
		ls.blocks = append(ls.blocks, laidBlock{b: b, start: ls.total, lines: lines})
		ls.total += len(lines)
		if b.Kind == notebook.Code {
			ls.spans = append(ls.spans, span)
		}
		if b == sel {
			ls.cur = span
		}
	}
	p.laid = ls
	p.layouts++
	return ls.spans, ls.cur, ls.total
}

// draw returns a block's lines: the kept drawing when its key is unchanged (and it is highlighted, unless
// plain will do), else a new one (counted in draws). A running cell and the cell being edited are drawn
// every time.
func (p *notebookPane) draw(b *notebook.Block, selected bool, lang i18n.Lang, checks **string, plain bool) []string {
	key := blockKey{text: b.Text, lang: b.Lang, selected: selected, editing: selected && p.editing, width: p.width, lng: lang}
	if b.Kind == notebook.Code {
		st := p.session.State(b.Meta.ID)
		key.id, key.mode, key.exercise, key.check, key.readOnly = b.Meta.ID, b.Meta.Mode, b.Meta.Exercise, b.Meta.Check, b.Meta.ReadOnly
		key.count, key.status, key.exec = st.Count, st.Status, st.Exec
		key.queued, key.expanded = p.queued(b.Meta.ID), p.expanded[b.Meta.ID]
		if st.Exec != nil {
			var js strings.Builder
			for _, j := range st.Exec.JobStates() {
				fmt.Fprintf(&js, "%s/%d;", j.Status, j.Restarts)
			}
			key.jobs = js.String()
		}
		if b.Meta.Check != "" {
			if *checks == nil {
				s := fmt.Sprint(p.session.Runner().Checks())
				*checks = &s
			}
			key.checks = **checks
		}
	}
	volatile := key.editing || key.status == interp.Running
	plain = plain && b.Kind == notebook.Code && !volatile
	if d, ok := p.drawn[b]; ok && !volatile && d.key == key && (plain || !d.plain) {
		return d.lines
	}
	p.draws++
	var lines []string
	if b.Kind == notebook.Prose {
		lines = p.proseView(b, selected, lang)
	} else {
		lines = p.cellView(b, selected, lang, plain)
	}
	if !volatile {
		p.drawn[b] = drawnBlock{key: key, lines: lines, plain: plain}
	}
	return lines
}

// highlightVisible draws again, highlighted, the plainly drawn cells of the last layout that show from the
// scroll offset: highlighting does not change a cell's lines, only their colours.
func (p *notebookPane) highlightVisible(lang i18n.Lang) {
	h := max(1, p.height)
	offset := max(0, min(p.offset, max(0, p.laid.total-h)))
	bs := p.laid.blocks
	sel := p.cursor()
	var checks *string
	for i := sort.Search(len(bs), func(i int) bool { return bs[i].start+len(bs[i].lines) > offset }); i < len(bs) && bs[i].start < offset+h; i++ {
		b := bs[i].b
		if b == nil || b.Kind != notebook.Code || !p.drawn[b].plain {
			continue
		}
		if lines := p.draw(b, b == sel, lang, &checks, false); len(lines) == len(bs[i].lines) {
			bs[i].lines = lines
		}
	}
}

// view draws the notebook into width × height cells from the scroll offset that follow set, copying out the
// lines on screen from the last layout (laid out here only when there is none yet). It changes no state
// that shows (View is pure): the scrolling is follow's, in Update.
func (p *notebookPane) view(lang i18n.Lang) string {
	if p.laid.blocks == nil {
		p.layout(lang)
		p.highlightVisible(lang)
	}
	h := max(1, p.height)
	offset := max(0, min(p.offset, max(0, p.laid.total-h)))
	bs := p.laid.blocks
	i := sort.Search(len(bs), func(i int) bool { return bs[i].start+len(bs[i].lines) > offset })
	out := make([]string, 0, h)
	for ; i < len(bs) && len(out) < h; i++ {
		from := max(0, offset-bs[i].start)
		for _, l := range bs[i].lines[from:] {
			if len(out) == h {
				break
			}
			if lipgloss.Width(l) > p.width {
				l = ansi.Truncate(l, p.width, "…")
			}
			out = append(out, l)
		}
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// follow lays the notebook out after an update and scrolls it: when the selection moved, the editor is open
// or the selected cell grew (its output came) the selected item comes into view, its top when it is taller
// than the pane; otherwise the view stays where the user scrolled it.
func (p *notebookPane) follow(lang i18n.Lang) {
	_, span, total := p.layout(lang)
	selStart, selEnd := span[0], span[1]
	h := max(1, p.height)
	cur := p.cursor()
	grew := p.shownEnd != 0 && cur == p.shown && selEnd != p.shownEnd
	p.shownEnd = selEnd
	if cur != p.shown || p.editing || grew {
		if selStart < p.offset {
			p.offset = selStart
		}
		if selEnd > p.offset+h {
			p.offset = max(selStart, selEnd-h)
			if selEnd-selStart > h {
				p.offset = selStart
			}
		}
		p.shown = cur
	}
	p.offset = max(0, min(p.offset, max(0, total-h)))
	p.highlightVisible(lang)
}

// cellAt returns the index of the visible cell drawn on line row of the pane (0 at its top, as scrolled), or
// -1 when that line is prose or empty.
func (p *notebookPane) cellAt(row int, lang i18n.Lang) int {
	if p.laid.blocks == nil {
		p.layout(lang)
	}
	line := row + p.offset
	for i, s := range p.laid.spans {
		if line >= s[0] && line < s[1] {
			return i
		}
	}
	return -1
}

// activity is what a tick compares to know whether the notebook's drawing may have changed since the
// last: whether a cell runs, the queue, the cell run last and how it stands, and the jobs and how many
// have ended (a job's status shows under its cell).
type activity struct {
	running     bool
	queued      int
	last        interp.CellRun
	lastStatus  interp.Status
	jobs, ended int
	checks      int
}

// activity takes the notebook's activity now.
func (p *notebookPane) activity() activity {
	a := activity{running: p.session.Runner().Running(), queued: len(p.queue), checks: len(p.session.Runner().Checks())}
	if p.lastRan != "" {
		st := p.session.State(p.lastRan)
		a.last, a.lastStatus = st.Exec, st.Status
	}
	for _, j := range p.session.Runner().LiveJobs() {
		a.jobs++
		if j.Status().Terminal() {
			a.ended++
		}
	}
	return a
}

// changing reports whether the notebook's drawing may change without a key: a cell runs or waits in the
// queue, or a job a cell started still runs.
func (a activity) changing() bool { return a.running || a.queued > 0 || a.ended < a.jobs }
