package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tui/live"
)

// notebookPane shows one notebook: its prose, its cells with their In[n] counters and states, and each
// cell's output under it. It has two modes, as Jupyter: command mode moves between cells and acts on them,
// edit mode types into the selected cell.
type notebookPane struct {
	nb      *notebook.Notebook
	path    string // where Save writes
	lesson  string // the bundled lesson it was opened from, or ""
	session *interp.Session
	md      *markdown
	keys    keyMap
	lang    i18n.Lang
	// note is what the last Update has to say on the status bar (takeNote hands it to the root model).
	note string

	sel int // index into visible cells
	// prose is the selected Markdown cell, or nil when the code cell sel is selected (markdown_cell.go).
	prose   *notebook.Block
	shown   *notebook.Block // the selection the view last scrolled to
	editing bool
	editor  cellEditor
	// editFrom is the text the editor was given and editTrail the blank lines after it that it was not:
	// leaving an editor whose text did not change leaves the cell's bytes as they were.
	editFrom, editTrail string
	pending             string // the first key of a two-key command (d d, i i, 0 0)

	dirty   bool
	savedAt time.Time
	// conflict is set when a save found the file changed on disk by another writer; the next save
	// overwrites it (the pane's version was kept beside it when the conflict was found).
	conflict  bool
	autosaved time.Time
	// queue holds the ids of cells run while another ran, in order; lastRan is the cell the queue started
	// last, whose failure drops the rest.
	queue   []string
	lastRan string
	// clip is the cell copied or cut (y, x) for pasting (v, V); deleted are the deleted cells, newest last,
	// for z.
	clip    *notebook.Block
	deleted []deletedCell
	// runIDs are the cells the last runAll queued; checking is set while C's run goes on.
	runIDs   []string
	checking bool
	// expanded holds the ids of cells whose output is shown whole (o toggles it).
	expanded map[string]bool
	offset   int // first line shown
	shownEnd int // where the selected cell ended when follow last ran
	width    int
	height   int
	frame    int // spinner frame
	// drawn keeps each block's drawing, laid the last layout; draws and layouts count the blocks drawn
	// and the layouts made (notebook_layout.go); relayout is set by a tick that found the drawing may have
	// changed.
	drawn        map[*notebook.Block]drawnBlock
	laid         layoutState
	draws        int
	layouts      int
	relayout     bool
	lastActivity activity // as the last tick found it
	// replayNow is how far the running cell's replay is, when it knows its length (taken on every tick).
	replayNow replayStatus

	speed  float64 // the replays' speed
	paused bool    // whether the learner paused the replays
	deaths int     // the kernel's deaths the status bar has told of (interp.Runner.Died)
}

// newNotebookPane makes the pane of notebook nb, read from path (lesson names the lesson it is, if any), whose
// cells run in session (newSession), with its replays at speed.
func newNotebookPane(nb *notebook.Notebook, path, lesson string, speed float64, session *interp.Session, md *markdown,
	keys keyMap, lang i18n.Lang) *notebookPane {
	p := &notebookPane{nb: nb, path: path, lesson: lesson, md: md, speed: speed, keys: keys, lang: lang, session: session}
	p.editor = newCellEditor()
	p.shown = p.selected() // the view starts at the top, where the first code cell is selected
	return p
}

// newSession makes the session of notebook nb, read from path, whose cells run in what newRunner makes (nil:
// an interp.Kernel in the workbench's own process), with replays at speed. Starting a kernel process is I/O:
// it runs in the open's command, never in Update.
func newSession(nb *notebook.Notebook, path string, speed float64,
	newRunner func(*notebook.Notebook, interp.Options) (interp.Runner, error)) (*interp.Session, error) {
	opts := interp.Options{Dir: filepath.Dir(path), Replays: interp.NewReplays(speed),
		Config: engine.Config{StateBackend: engine.PebbleState}} // the workbench keeps state on disk by default
	if newRunner == nil {
		return interp.NewSession(nb, opts), nil
	}
	r, err := newRunner(nb, opts.ForNotebook(nb))
	if err != nil {
		return nil, err
	}
	r.Replays().SetSpeed(speed)
	return interp.NewSessionOn(nb, r), nil
}

// replays returns what steers the replays the notebook's cells start.
func (p *notebookPane) replays() interp.ReplayControl { return p.session.Runner().Replays() }

// cells returns the cells a learner sees: not solutions, not hidden ones.
func (p *notebookPane) cells() []*notebook.Block {
	var out []*notebook.Block
	for _, c := range p.nb.Blocks {
		if visibleCell(c) {
			out = append(out, c)
		}
	}
	return out
}

// visibleCell reports whether b is a code cell a learner sees.
func visibleCell(b *notebook.Block) bool {
	return b.Kind == notebook.Code && b.Meta.Solution == "" && !b.Meta.Hidden
}

// selected returns the selected code cell (sel, kept within the cells), or nil when there is none. It walks
// the blocks without gathering them: a notebook may have tens of thousands.
func (p *notebookPane) selected() *notebook.Block {
	p.sel = max(0, p.sel)
	var last *notebook.Block
	n := 0
	for _, c := range p.nb.Blocks {
		if !visibleCell(c) {
			continue
		}
		if n == p.sel {
			return c
		}
		last = c
		n++
	}
	p.sel = max(0, n-1)
	return last
}

// startEdit puts the selected cell (code, or a Markdown cell's source) into the editor.
func (p *notebookPane) startEdit() tea.Cmd {
	c := p.cursor()
	if c == nil || c.Meta.ReadOnly {
		return nil
	}
	p.editing = true
	if c.Kind == notebook.Prose {
		p.editFrom, p.editTrail = proseSource(c.Text)
		p.editor.SetValue(p.editFrom)
		p.editor.tabs = false // Markdown's indentation is spaces
	} else {
		p.editFrom, p.editTrail = strings.TrimSuffix(c.Text, "\n"), ""
		p.editor.SetValue(p.editFrom)
	}
	p.editor.SetSize(p.width-4, p.height-6)
	return p.editor.Focus()
}

// commitEdit writes the editor's text back into the cell when it changed.
func (p *notebookPane) commitEdit() {
	c := p.cursor()
	if c == nil || !p.editing {
		return
	}
	text := p.editor.Value()
	if text == p.editFrom {
		return
	}
	p.editFrom = text
	switch {
	case c.Kind == notebook.Prose && p.editTrail == "":
		text += "\n"
	case c.Kind == notebook.Prose:
		text += p.editTrail
	case text != "" && !strings.HasSuffix(text, "\n"):
		text += "\n"
	}
	if text != c.Text {
		c.Text = text
		p.dirty = true
	}
}

func (p *notebookPane) leaveEdit() {
	p.commitEdit()
	p.editing = false
	p.editor.Blur()
}

// run starts the selected cell, or queues it behind the running one as Jupyter does (queued is then true);
// it reports an error as a status line.
func (p *notebookPane) run() (queued bool, err error) {
	c := p.selected()
	if c == nil {
		return false, nil
	}
	if p.editing {
		p.commitEdit()
	}
	if p.session.Runner().Running() || len(p.queue) > 0 {
		if !slices.Contains(p.queue, c.Meta.ID) {
			p.queue = append(p.queue, c.Meta.ID)
		}
		return true, nil
	}
	_, err = p.session.Start(context.Background(), c.Meta.ID, c.Text)
	p.lastRan = c.Meta.ID
	return false, err
}

// runQueued starts the next queued cell once the kernel is free, with the cell's text as it is then. When
// the cell that ran last failed or was interrupted, the queue is dropped instead (Jupyter's stop on error)
// and dropped names the cells it held.
func (p *notebookPane) runQueued() (started string, dropped []string, err error) {
	if len(p.queue) == 0 || p.session.Runner().Running() {
		return "", nil, nil
	}
	if p.lastRan != "" {
		if st := p.session.State(p.lastRan).Status; st == interp.Failed || st == interp.Interrupted {
			dropped, p.queue = p.queue, nil
			return "", dropped, nil
		}
	}
	id := p.queue[0]
	p.queue = p.queue[1:]
	c := p.nb.Cell(id)
	if c == nil { // deleted while it waited
		return "", nil, nil
	}
	if _, err := p.session.Start(context.Background(), id, c.Text); err != nil {
		return "", nil, err
	}
	p.lastRan = id
	return id, nil, nil
}

// queued reports whether the cell id waits in the run queue.
func (p *notebookPane) queued(id string) bool { return slices.Contains(p.queue, id) }

// runAll queues every visible cell in order (the check cells too when checks is set), as Jupyter's run
// all: they run one after the other from the tick, on the workbench's goroutine like every other run (a
// goroutine of its own raced with the learner's edits), and a failure drops the rest. It returns how many
// cells it queued; runIDs keeps them, for the check's report.
func (p *notebookPane) runAll(checks bool) int { return p.runCells(0, len(p.cells()), checks) }

// runCells queues the visible cells from index first up to (not including) last, as runAll does.
func (p *notebookPane) runCells(first, last int, checks bool) int {
	p.queue, p.lastRan, p.runIDs = nil, "", nil
	if p.editing {
		p.commitEdit()
	}
	cells := p.cells()
	for _, c := range cells[max(0, first):min(len(cells), last)] {
		if c.Meta.Check != "" && !checks {
			continue
		}
		p.queue = append(p.queue, c.Meta.ID)
	}
	p.runIDs = append([]string(nil), p.queue...)
	if p.session.Runner().Running() {
		return len(p.queue)
	}
	if _, _, err := p.runQueued(); err != nil {
		p.queue = nil
	}
	return len(p.runIDs)
}

// runReport returns the report of the last runAll once it has ended (ok false while it runs): the cells it
// ran, in order, and the kernel's checks.
func (p *notebookPane) runReport() (rep *interp.Report, ok bool) {
	if len(p.queue) > 0 || p.session.Runner().Running() {
		return nil, false
	}
	rep = &interp.Report{Checks: p.session.Runner().Checks()}
	for _, id := range p.runIDs {
		if ex := p.session.State(id).Exec; ex != nil {
			rep.Cells = append(rep.Cells, ex)
		}
	}
	return rep, true
}

func (p *notebookPane) insert(below bool) { p.insertBlock(p.nb.NewCell(), below) }

// insertBlock puts c above or below the selected cell (code or Markdown) and selects it.
func (p *notebookPane) insertBlock(c *notebook.Block, below bool) {
	at := len(p.nb.Blocks)
	if cur := p.cursor(); cur != nil {
		for i, b := range p.nb.Blocks {
			if b == cur {
				at = i
				if below {
					at++
				}
			}
		}
	}
	p.nb.Blocks = append(p.nb.Blocks[:at], append([]*notebook.Block{c}, p.nb.Blocks[at:]...)...)
	p.selectItem(c)
	p.dirty = true
}

func (p *notebookPane) deleteCell() {
	cur := p.selected()
	if cur == nil || cur.Meta.ReadOnly {
		return
	}
	for i, b := range p.nb.Blocks {
		if b == cur {
			p.nb.Blocks = append(p.nb.Blocks[:i], p.nb.Blocks[i+1:]...)
			p.deleted = append(p.deleted, deletedCell{block: cur, at: i})
			break
		}
	}
	p.dirty = true
	p.selected()
}

// move swaps the selected cell with the previous (dir -1) or next (dir +1) visible cell.
func (p *notebookPane) move(dir int) {
	cells := p.cells()
	j := p.sel + dir
	if j < 0 || j >= len(cells) {
		return
	}
	a, b := -1, -1
	for i, bl := range p.nb.Blocks {
		if bl == cells[p.sel] {
			a = i
		}
		if bl == cells[j] {
			b = i
		}
	}
	p.nb.Blocks[a], p.nb.Blocks[b] = p.nb.Blocks[b], p.nb.Blocks[a]
	p.sel = j
	p.dirty = true
}

// cycleMode switches the selected cell's result mode.
func (p *notebookPane) cycleMode() string {
	c := p.selected()
	if c == nil {
		return ""
	}
	modes, cur := cellModes(c)
	for i, m := range modes {
		if m == cur {
			c.Meta.Mode = modes[(i+1)%len(modes)]
			break
		}
	}
	p.dirty = true
	return c.Meta.Mode
}

// save prepares the save of the notebook (an overwrite after a conflict) and returns the command that writes
// it; savedMsg reports the outcome. The pane counts as saved from now on; a failed write marks it modified
// again.
func (p *notebookPane) save() tea.Cmd {
	if p.editing {
		p.commitEdit()
	}
	ps := p.nb.PrepareSave(p.path, p.conflict)
	p.dirty = false
	return func() tea.Msg { return savedMsg{ps: ps, err: ps.Write()} }
}

// keepUnsaved returns the command that writes the unsaved edits to the recovery file, or nil when there are
// none: for when the pane closes (the workbench quits, another notebook opens), so that nothing is lost.
func (p *notebookPane) keepUnsaved() tea.Cmd {
	if p.editing {
		p.commitEdit()
	}
	if !p.dirty {
		return nil
	}
	data, path, lang := p.nb.Render(), p.path, p.lang
	return func() tea.Msg {
		if err := notebook.WriteFileAtomic(notebook.RecoveryPath(path), data); err != nil {
			return statusMsg(fmt.Sprintf(lang.T("autosave.failed"), path, err))
		}
		return nil
	}
}

// savedMsg is the outcome of a save's write.
type savedMsg struct {
	ps  *notebook.PendingSave
	err error
}

// autosave returns the command that writes the recovery file when there are unsaved changes not autosaved
// in the last 2 s, or nil. The notebook is rendered here, on the workbench's goroutine; the command only
// writes the bytes.
func (p *notebookPane) autosave() tea.Cmd {
	if p.editing {
		p.commitEdit()
	}
	if !p.dirty || time.Since(p.autosaved) < 2*time.Second {
		return nil
	}
	p.autosaved = time.Now()
	return p.keepUnsaved()
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// scroll moves the view by n lines.
func (p *notebookPane) scroll(n int) { p.offset = max(0, p.offset+n) }

// cellView draws one cell: its header, its code (or the editor) and its output.
//
// Plain leaves the code unhighlighted, for a cell off screen: the same lines, drawn at a fraction of the
// cost (the layout highlights it when it comes on screen).
func (p *notebookPane) cellView(b *notebook.Block, selected bool, lang i18n.Lang, plain bool) []string {
	st := p.session.State(b.Meta.ID)
	count := " "
	if st.Count > 0 {
		count = fmt.Sprint(st.Count)
	}
	status, style := lang.T("status.idle"), dimStyle
	if p.queued(b.Meta.ID) {
		status, style = "⧗ "+lang.T("status.queued"), warnStyle
		count = "*"
	}
	switch st.Status {
	case interp.Running:
		status, style = spinner[p.frame%len(spinner)]+" "+lang.T("status.running"), warnStyle
		if p.replayNow.cell == b.Meta.ID {
			status = "▶ " + lang.T("status.running") // the bar under the header shows the progress
		}
		if p.replayPaused() {
			// Not hung: it waits on the paused replay, for as long as the pause lasts.
			status = "⏸ " + lang.T("status.paused")
		}
	case interp.Done:
		status, style = "✓ "+lang.T("status.done"), okStyle
	case interp.Failed, interp.Interrupted:
		status, style = "✗ "+lang.T("status.error"), errStyle
	case interp.Stale:
		status, style = "~ "+lang.T("status.stale"), warnStyle
	}
	tags := []string{b.Meta.ID}
	if b.Meta.Mode != "" {
		tags = append(tags, b.Meta.Mode)
	}
	if b.Meta.Exercise != "" {
		tags = append(tags, "✎ "+b.Meta.Exercise)
	}
	if b.Meta.Check != "" {
		tags = append(tags, "✔ "+lang.T("tag.check"))
	}
	if b.Meta.ReadOnly {
		tags = append(tags, lang.T("tag.readonly"))
	}
	in := fmt.Sprintf("In [%s]", count)
	head := in + " " + dimStyle.Render(strings.Join(tags, " · ")) + "  " + style.Render(status)
	if st.Exec != nil && !st.Exec.Running() {
		head += dimStyle.Render(" " + live.Dur(st.Exec.Duration()))
	}
	if selected {
		head = selStyle.Render("▌") + head
	} else {
		head = " " + head
	}
	boxStyle := lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(dim).Width(max(10, p.width-1))
	if selected {
		boxStyle = boxStyle.BorderForeground(accent)
		if p.editing {
			boxStyle = editBoxStyle(p.width)
		}
	}
	var body string
	if selected && p.editing {
		body = p.editor.View()
	} else {
		body = strings.TrimSuffix(b.Text, "\n")
		if !plain {
			body = p.md.code(body, cellLexer(b))
		}
		if body == "" {
			body = dimStyle.Render("// " + lang.T("nb.emptycell"))
		}
	}
	lines := []string{head}
	if st.Status == interp.Running && p.replayNow.cell == b.Meta.ID {
		lines = append(lines, "  "+replayBar(p.replayNow, p.replayPaused(), lang))
	}
	lines = append(lines, strings.Split(boxStyle.Render(body), "\n")...)
	lines = append(lines, p.outputLines(b, st, lang)...)
	lines = append(lines, "")
	return lines
}

// editBoxStyle is the box around the editor in a pane w cells wide.
func editBoxStyle(w int) lipgloss.Style {
	return lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(lipgloss.Color("3")).Width(max(10, w-1))
}

// maxOutputLines bounds a cell's output in the notebook while it is collapsed; the rest is counted.
const maxOutputLines = 18

// outputText returns everything a cell's last run showed: its printed output, its results' tables, its
// value, its jobs, its checks and its error, one part after the other; "" when it has not run. full draws a
// SQL result with all the rows it keeps (resultLines) rather than its newest few.
func (p *notebookPane) outputText(b *notebook.Block, st interp.CellState, full bool, lang i18n.Lang) string {
	ex := st.Exec
	if ex == nil {
		return ""
	}
	var parts []string
	if out := strings.TrimRight(ex.Output(), "\n"); out != "" {
		parts = append(parts, out)
	}
	for _, r := range ex.Results() {
		parts = append(parts, resultLines(r, b.Meta, full, lang)...)
	}
	if v := ex.Value(); v != "" {
		parts = append(parts, dimStyle.Render("= ")+v)
	}
	for _, j := range ex.JobStates() {
		line := fmt.Sprintf(lang.T("out.job"), j.Name, j.Status)
		if r := j.Restarts; r > 0 {
			line += fmt.Sprintf(", %s %d", lang.T("job.restarts"), r)
		}
		parts = append(parts, dimStyle.Render(line))
	}
	if b.Meta.Check != "" {
		for _, c := range p.session.Runner().Checks() {
			if c.Cell == b.Meta.ID {
				if c.OK {
					parts = append(parts, okStyle.Render("✓ "+c.Name))
				} else {
					parts = append(parts, errStyle.Render("✗ "+c.Name+": "+c.Detail))
				}
			}
		}
	}
	if err := ex.Err(); err != nil {
		parts = append(parts, errStyle.Render(err.Error()))
	}
	return strings.Join(parts, "\n")
}

// outputLines draws a cell's output under it, indented by two cells. Collapsed (the default) it shows the
// first maxOutputLines lines and cuts lines wider than the pane, and says how much is hidden and how to see
// it; expanded (o) it shows every line, wrapping the wide ones. O opens the output in a pager that also
// scrolls sideways, for tables.
func (p *notebookPane) outputLines(b *notebook.Block, st interp.CellState, lang i18n.Lang) []string {
	expanded := p.expanded[b.Meta.ID]
	text := p.outputText(b, st, expanded, lang)
	if text == "" {
		return nil
	}
	w := max(1, p.width-2)
	var lines []string
	if expanded {
		for _, l := range strings.Split(text, "\n") {
			lines = append(lines, strings.Split(ansi.Hardwrap(l, w, true), "\n")...)
		}
	} else {
		all := strings.Split(text, "\n")
		lines = all
		hidden, cut := 0, false
		if len(all) > maxOutputLines {
			lines, hidden = all[:maxOutputLines-1], len(all)-maxOutputLines+1
		}
		for i, l := range lines {
			if lipgloss.Width(l) > w {
				lines[i], cut = ansi.Truncate(l, w, "…"), true
			}
		}
		switch {
		case hidden > 0:
			lines = append(lines[:len(lines):len(lines)], dimStyle.Render(fmt.Sprintf(lang.T("out.more"), hidden)))
		case cut:
			lines = append(lines[:len(lines):len(lines)], dimStyle.Render(lang.T("out.cut")))
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "  " + l
	}
	return out
}

// toggleOutput expands or collapses the selected cell's output.
func (p *notebookPane) toggleOutput() {
	if c := p.selected(); c != nil {
		if p.expanded == nil {
			p.expanded = map[string]bool{}
		}
		p.expanded[c.Meta.ID] = !p.expanded[c.Meta.ID]
	}
}

// selectedOutput returns the selected cell's id and whole output, its SQL results with all the rows they
// keep, for the pager and the file w writes.
func (p *notebookPane) selectedOutput(lang i18n.Lang) (id, text string) {
	c := p.selected()
	if c == nil {
		return "", ""
	}
	return c.Meta.ID, p.outputText(c, p.session.State(c.Meta.ID), true, lang)
}
