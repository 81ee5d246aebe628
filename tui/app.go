// Package tui is Weir's workbench: a Bubble Tea program with a start screen of lessons, a notebook pane
// whose Go cells run in a yaegi kernel (package interp), and live views of the engine (package tui/live).
//
// The root Model routes messages and lays out panes. Global keys are handled first, then the focused pane
// gets the rest: each pane (notebook, engine) has its own Update and SetSize, and file I/O (open, save,
// autosave) runs in tea.Cmds. The engine is never waited on: a tick every Options.Poll (200 ms) polls the
// newest job's snapshot into a History that the live views draw, advances spinners and progress bars and
// autosaves unsaved notebooks to a recovery file. Records never cause messages of their own. The notebook
// pane keeps each block's drawing and draws again only what changed, so a notebook of tens of thousands of
// cells answers a key in a fraction of a second and an idle tick lays nothing out.
package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tutorials"
)

// Options configures the workbench. The zero Options is valid.
type Options struct {
	// Lang is the interface language. Default English (the weir command reads --lang and the environment).
	Lang i18n.Lang
	// Open is a notebook to open at start: a file, or a bundled lesson's path such as
	// "en/01-batch-and-stream.md". Default: the start screen.
	Open string
	// Speed is the replay speed of the recordings cells replay: 0 as fast as possible (the default), 1 real
	// time, N times real time. + and - change it while the workbench runs. When it is 0, a notebook that
	// wants its replays slow enough to watch the engine pane says so in its annotation ({"speed": 2}) and
	// opens at that speed.
	Speed float64
	// Store keeps progress and recent files. Default: OpenStore(DefaultStoreDir()).
	Store *Store
	// Poll is how often the engine is polled and the screen refreshed. Default 200ms.
	Poll time.Duration
	// NewRunner, if set, makes what runs the cells of each notebook opened, with the kernel options the
	// workbench chose: the weir command starts a kernel process (package kernel), so that no cell can take
	// the workbench down. Default: an interp.Kernel in the workbench's own process.
	NewRunner func(nb *notebook.Notebook, opts interp.Options) (interp.Runner, error)
}

// The smallest terminal the workbench draws in; below it shows a "too small" message.
const minWidth, minHeight = 60, 16

type screen uint8

const (
	screenStart screen = iota
	screenNotebook
)

type focus uint8

const (
	focusNotebook focus = iota
	focusEngine
)

// Model is the workbench's root model.
type Model struct {
	opts   Options
	lang   i18n.Lang
	keys   keyMap
	store  *Store
	md     *markdown
	width  int
	height int

	screen   screen
	focus    focus
	status   string
	statusAt time.Time

	lessons  []tutorials.Lesson
	startSel int
	// quitArmed is set by a first ctrl+q with unsaved edits; a second one quits.
	quitArmed bool
	opening   bool
	pathIn    textinput.Model

	nb     *notebookPane
	engine enginePane
	// pager, when open, shows a long text over the body (the help, a cell's output, a recovery's difference).
	pager pager
	// recovery, when set, is the choice offered for the open notebook's unsaved edits of a previous run.
	recovery *recoveryOffer
	// conflict, when set, is the choice offered after a save found the file changed on disk.
	conflict *conflictOffer
	find     finder
}

type tickMsg time.Time

type statusMsg string

// New returns the workbench model.
func New(opts Options) *Model {
	if opts.Poll <= 0 {
		opts.Poll = 200 * time.Millisecond
	}
	m := &Model{opts: opts, lang: opts.Lang, keys: defaultKeys(), store: opts.Store, md: &markdown{}}
	if m.store == nil {
		s, err := OpenStore(DefaultStoreDir())
		if err != nil {
			m.setStatus(err.Error())
		}
		m.store = s
	}
	m.pager = newPager()
	m.find = newFinder()
	m.pathIn = textinput.New()
	m.pathIn.Prompt = ""
	m.loadLessons()
	return m
}

func (m *Model) loadLessons() {
	ls, err := tutorials.Lessons(m.lang.String())
	if err != nil {
		m.setStatus(err.Error())
	}
	m.lessons = ls
}

// Init starts the polling tick and opens Options.Open, if set.
func (m *Model) Init() tea.Cmd {
	if m.opts.Open != "" {
		return tea.Batch(m.tick(), m.openCmd(m.opts.Open))
	}
	return m.tick()
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.Poll, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) setStatus(s string) { m.status, m.statusAt = s, time.Now() }

// openedMsg is the outcome of opening a notebook, read by loadNotebook in a command: the notebook, where it
// saves, the lesson it came from, and the unsaved edits of a previous run when there are some; or err.
type openedMsg struct {
	file, lesson string
	nb           *notebook.Notebook
	rec          *notebook.Notebook // the recovery file's version, or nil
	recAt        time.Time
	recErr       error           // the recovery file could not be read (the notebook still opens)
	speed        float64         // the speed its replays start at
	session      *interp.Session // the notebook's session, on the kernel started for it
	err          error
}

// openCmd returns the command that opens a notebook file or a bundled lesson (the user's saved copy of it
// when there is one); openedMsg brings the outcome back to Update, which shows it (opened).
func (m *Model) openCmd(path string) tea.Cmd {
	lang, store, speed, newRunner := m.lang, m.store, m.opts.Speed, m.opts.NewRunner
	return func() tea.Msg {
		msg := loadNotebook(path, lang, store)
		if msg.err != nil {
			return msg
		}
		msg.speed = speed
		if s, ok := msg.nb.Meta()["speed"].(float64); ok && s > 0 && speed == 0 {
			msg.speed = s // the lesson wants its replays watchable
		}
		msg.session, msg.err = newSession(msg.nb, msg.file, msg.speed, newRunner)
		return msg
	}
}

// closeRunnerCmd returns the command that stops a notebook's kernel (for a kernel process, the process) off
// the workbench's goroutine.
func closeRunnerCmd(r interp.Runner) tea.Cmd {
	return func() tea.Msg {
		_ = r.Close() // the notebook is gone from the screen: nowhere left to say it failed
		return nil
	}
}

// loadNotebook does an open's file I/O: it refuses directories and files that are not Markdown (saving
// would turn a go.mod into a notebook by appending a cell to it), reads the notebook or the lesson, reads
// its recovery file and records a file (not a lesson) among the recent ones.
func loadNotebook(path string, lang i18n.Lang, store *Store) openedMsg {
	lesson, file := "", path
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return openedMsg{err: fmt.Errorf(lang.T("open.dir"), path)}
		}
		if ext := strings.ToLower(filepath.Ext(path)); ext != ".md" && ext != ".markdown" {
			return openedMsg{err: fmt.Errorf(lang.T("open.notmd"), path)}
		}
	} else {
		if _, err := tutorials.Source(path); err != nil {
			return openedMsg{err: fmt.Errorf(lang.T("open.missing"), path)}
		}
		lesson, file = path, store.LessonCopy(path)
	}
	var nb *notebook.Notebook
	var err error
	if _, statErr := os.Stat(file); statErr == nil {
		nb, err = notebook.Load(file)
	} else if lesson != "" {
		nb, err = tutorials.Open(lesson)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(file), 0o755)
		}
	}
	if err != nil {
		return openedMsg{err: err}
	}
	msg := openedMsg{file: file, lesson: lesson, nb: nb}
	msg.rec, msg.recAt, msg.recErr = notebook.LoadRecovery(file)
	if lesson == "" {
		if abs, err := filepath.Abs(file); err == nil {
			_ = store.AddRecent(abs) // the recent list is a convenience: the notebook opens without it
		}
	}
	return msg
}

// opened shows a notebook that openCmd read, or says why it could not be opened (the notebook shown stays).
// It returns the command that keeps the previous notebook's unsaved edits in its recovery file, so that
// nothing is lost by opening another.
func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(msg.err.Error())
		return nil
	}
	p := newNotebookPane(msg.nb, msg.file, msg.lesson, msg.speed, msg.session, m.md, m.keys, m.lang)
	var keep tea.Cmd
	if m.nb != nil {
		keep = tea.Batch(m.nb.keepUnsaved(), closeRunnerCmd(m.nb.session.Runner()))
	}
	m.recovery, m.conflict = nil, nil
	if msg.recErr != nil {
		m.setStatus(msg.recErr.Error())
	} else if msg.rec != nil {
		// The file's version opens; the recovered edits wait for the learner's choice.
		m.recovery = &recoveryOffer{rec: msg.rec, at: msg.recAt}
	}
	m.nb = p
	m.engine = enginePane{} // the previous notebook's job is not this one's
	m.screen, m.focus = screenNotebook, focusNotebook
	m.layout()
	return keep
}

// layout gives every pane its size.
func (m *Model) layout() {
	bodyH := max(1, m.height-2)
	if m.nb != nil {
		nw := m.width
		if m.split() {
			// Side by side, each pane has a title line that marks the focused one.
			nw = m.width * 3 / 5
			bodyH = max(1, bodyH-1)
			m.engine.SetSize(m.width-nw-1, bodyH)
		} else {
			m.engine.SetSize(m.width, bodyH)
		}
		m.nb.SetSize(nw, bodyH)
	}
	m.pathIn.SetWidth(max(10, m.width-20))
	m.pager.SetSize(m.width, bodyH)
}

// split reports whether the notebook and the engine are shown side by side.
func (m *Model) split() bool { return m.width >= 120 }

// Update handles a message: window size, the tick, then keys (global first, then by screen and focus).
// Then the notebook is laid out and scrolls to follow its selection, here rather than in View, which
// changes nothing.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	if m.nb != nil && m.screen == screenNotebook && m.width > 0 {
		// A tick lays out again only when the notebook's drawing may have changed (a cell or job runs):
		// idle, a large notebook costs nothing between keys.
		if _, tick := msg.(tickMsg); !tick || m.nb.relayout {
			m.nb.follow(m.lang)
		}
	}
	return model, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tickMsg:
		if m.nb != nil {
			cmd := m.updateNotebook(msg)
			if n, why := m.nb.session.Runner().Died(); n > m.nb.deaths {
				m.nb.deaths = n // the notebook and its edits are the workbench's: only the kernel's state is lost
				// The kernel restarts itself when an interrupted cell's goroutines did not stop.
				if errors.Is(why, interp.ErrGoroutinesLeft) {
					m.setStatus(m.lang.T("kernel.stuck"))
				} else {
					m.setStatus(fmt.Sprintf(m.lang.T("kernel.died"), why))
				}
			}
			m.engine.Update(jobsMsg(m.nb.session.Runner().LiveJobs()), m.lang)
			return m, tea.Batch(m.tick(), cmd)
		}
		return m, m.tick()
	case checkedMsg:
		return m, m.checked(msg.rep)
	case statusMsg:
		m.setStatus(string(msg))
		return m, nil
	case openedMsg:
		return m, m.opened(msg)
	case savedMsg:
		return m, m.saved(msg)
	case conflictCopyMsg:
		m.conflictFound(msg)
		return m, nil
	case recoveryDiscardedMsg:
		if msg.err != nil {
			m.setStatus(msg.err.Error())
		} else {
			m.setStatus(m.lang.T("recovery.discarded"))
		}
		return m, nil
	case pagerClosedMsg:
		return m, nil
	case findMsg:
		if m.nb != nil {
			m.setStatus(m.nb.findNext(msg.query, m.lang))
		}
		return m, nil
	case tea.PasteMsg:
		if m.nb != nil {
			return m, m.updateNotebook(msg)
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg, tea.MouseClickMsg:
		return m.mouse(msg.(tea.MouseMsg))
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.keys.Global
	editing := m.nb != nil && m.nb.editing && m.screen == screenNotebook
	armed := m.quitArmed
	m.quitArmed = false // any other key takes back a first ctrl+q
	switch {
	case key.Matches(msg, g.Quit):
		if m.nb != nil && m.nb.dirty && !armed {
			// Unsaved edits: ask first. (They would survive in the recovery file, but a learner expects
			// to be asked, as every editor does.)
			m.quitArmed = true
			m.setStatus(m.lang.T("quit.unsaved"))
			return m, nil
		}
		return m, m.quit()
	case msg.String() == "ctrl+c":
		// Terminal habit: ctrl+c stops what runs. It never quits (ctrl+q does).
		if m.nb != nil && m.nb.session.Runner().Running() {
			m.nb.session.Runner().Interrupt()
			m.setStatus(m.lang.T("act.interrupted"))
		} else {
			m.setStatus(m.lang.T("quit.how"))
		}
		return m, nil
	case m.pager.open && key.Matches(msg, g.Help):
		m.pager.open = false
		return m, nil
	case m.pager.open:
		var cmd tea.Cmd
		m.pager, cmd = m.pager.Update(msg)
		return m, cmd
	case m.recovery != nil && m.screen == screenNotebook && m.nb != nil:
		return m.recoveryKey(msg)
	case m.conflict != nil && m.screen == screenNotebook && m.nb != nil:
		return m.conflictKey(msg)
	case m.find.open:
		var cmd tea.Cmd
		m.find, cmd = m.find.Update(msg)
		return m, cmd
	case key.Matches(msg, g.Lang):
		m.lang = m.lang.Other()
		m.loadLessons()
		if m.nb != nil {
			m.nb.SetLang(m.lang)
		}
		return m, nil
	case key.Matches(msg, g.Help) && !editing && !m.opening:
		m.pager.show(m.lang.T("help.title"), m.helpText())
		return m, nil
	}
	if m.screen == screenStart {
		return m.startKey(msg)
	}
	if key.Matches(msg, g.Focus) && !editing {
		if m.focus == focusNotebook {
			m.focus = focusEngine
		} else {
			m.focus = focusNotebook
		}
		return m, nil
	}
	if !editing {
		if handled, cmd := m.liveKey(msg); handled {
			return m, cmd
		}
	}
	if m.focus == focusEngine && !m.split() {
		// The engine has the whole screen and scrolls.
		if s := msg.String(); s == "esc" || s == "q" {
			m.focus = focusNotebook
			return m, nil
		}
		return m, m.engine.Update(msg, m.lang)
	}
	if editing {
		return m, m.updateNotebook(msg)
	}
	return m.commandKey(msg)
}

// quit stops the kernel and quits, writing the unsaved edits to the recovery file first (in a command).
func (m *Model) quit() tea.Cmd {
	if m.nb == nil {
		return tea.Quit
	}
	closing := closeRunnerCmd(m.nb.session.Runner())
	if keep := m.nb.keepUnsaved(); keep != nil {
		return tea.Sequence(closing, keep, tea.Quit)
	}
	return tea.Sequence(closing, tea.Quit)
}

func (m *Model) startKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	s := m.keys.Start
	if m.opening {
		switch msg.String() {
		case "esc":
			m.opening = false
			m.pathIn.Blur()
		case "enter":
			m.opening = false
			m.pathIn.Blur()
			return m, m.openCmd(strings.TrimSpace(m.pathIn.Value()))
		default:
			var cmd tea.Cmd
			m.pathIn, cmd = m.pathIn.Update(msg)
			return m, cmd
		}
		return m, nil
	}
	items := m.startItems()
	switch {
	case key.Matches(msg, s.Up):
		m.startSel = max(0, m.startSel-1)
	case key.Matches(msg, s.Down):
		m.startSel = min(len(items)-1, m.startSel+1)
	case key.Matches(msg, s.Open):
		if m.startSel < len(items) {
			return m, m.openCmd(items[m.startSel])
		}
	case key.Matches(msg, s.OpenPath):
		m.opening = true
		m.pathIn.SetValue("")
		return m, m.pathIn.Focus()
	case msg.String() == "q" && m.nb != nil:
		m.screen = screenNotebook
	case msg.String() == "q":
		return m, m.quit()
	}
	return m, nil
}

// startItems are the start screen's rows: the lessons, then the recent files.
func (m *Model) startItems() []string {
	var out []string
	for _, l := range m.lessons {
		out = append(out, l.Path)
	}
	return append(out, m.store.Recent()...)
}

func (m *Model) liveKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	l := m.keys.Live
	p := m.nb
	switch {
	case key.Matches(msg, l.Checkpoint):
		return true, m.engine.Update(actCheckpoint, m.lang)
	case key.Matches(msg, l.Savepoint):
		return true, m.engine.Update(actSavepoint, m.lang)
	case key.Matches(msg, l.Kill):
		return true, m.engine.Update(actKill, m.lang)
	case key.Matches(msg, l.Pause):
		if p.togglePause() {
			m.setStatus(m.lang.T("job.paused"))
		} else {
			m.setStatus(m.lang.T("job.speed") + " " + speedLabel(m.lang, p.speed))
		}
	case key.Matches(msg, l.Step):
		return true, p.replayStep(m.lang)
	case key.Matches(msg, l.Faster):
		p.setSpeed(nextSpeed(p.speed, +1))
		m.setStatus(m.lang.T("job.speed") + " " + speedLabel(m.lang, p.speed))
	case key.Matches(msg, l.Slower):
		p.setSpeed(nextSpeed(p.speed, -1))
		m.setStatus(m.lang.T("job.speed") + " " + speedLabel(m.lang, p.speed))
	case key.Matches(msg, l.Guarantee):
		cfg := p.session.Runner().Config()
		cfg.Checkpointing.Guarantee = nextGuarantee(cfg.Checkpointing.Guarantee)
		p.session.Runner().SetConfig(cfg)
		m.setStatus(fmt.Sprintf(m.lang.T("act.guarantee"), guaranteeName(cfg.Checkpointing.Guarantee)))
	default:
		return false, nil
	}
	return true, nil
}

// nextGuarantee is the delivery guarantee the workbench's control switches to from g: exactly-once (also
// when g is the engine's default), at-least-once, at-most-once, and round again. It is the default of cells
// that do not choose one; a cell's own choice wins.
func nextGuarantee(g engine.Guarantee) engine.Guarantee {
	switch g {
	case engine.AtLeastOnce:
		return engine.AtMostOnce
	case engine.AtMostOnce:
		return engine.ExactlyOnce
	}
	return engine.AtLeastOnce
}

func guaranteeName(g engine.Guarantee) string { return g.String() }

// checked says how C's run went and returns the command that saves the lesson's progress (file I/O runs
// as a command, never in Update).
func (m *Model) checked(rep *interp.Report) tea.Cmd {
	cells, failed := rep.Failed()
	total := len(rep.Checks)
	m.setStatus(fmt.Sprintf(m.lang.T("check.result"), total-failed, failed+cells))
	lesson, store := m.nb.lesson, m.store
	if lesson == "" || total == 0 {
		return nil
	}
	return func() tea.Msg {
		if err := store.SetProgress(lesson, Progress{Passed: total - failed, Total: total}); err != nil {
			return statusMsg(err.Error())
		}
		return nil
	}
}

// saved takes the outcome of a save's write.
func (m *Model) saved(msg savedMsg) tea.Cmd {
	p := m.nb
	if p == nil || p.path != msg.ps.Path {
		return nil // another notebook was opened meanwhile
	}
	switch {
	case errors.Is(msg.err, notebook.ErrChangedOnDisk):
		// Another workbench or an editor saved the file since it was opened: keep this version beside it,
		// so that nothing is lost whatever the learner chooses next.
		p.dirty = true
		ps := msg.ps
		return keepConflictCopy(ps, func() (string, error) { return ps.WriteConflictCopy(time.Now()) })
	case msg.err != nil:
		p.dirty = true
		m.setStatus(msg.err.Error())
		return nil
	}
	p.nb.Saved(msg.ps)
	p.savedAt, p.conflict = time.Now(), false
	m.setStatus(fmt.Sprintf(m.lang.T("saved"), p.path))
	return nil
}

// commandKey handles a command-mode key: those that act on the workbench (back to the start screen, find,
// the output's pager, writing an output to a file) here, the rest in the notebook pane.
func (m *Model) commandKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	c := m.keys.Command
	p := m.nb
	switch {
	case key.Matches(msg, c.Find):
		p.pending = ""
		return m, m.find.start()
	case key.Matches(msg, c.FindNext):
		p.pending = ""
		m.setStatus(p.findNext(m.find.query, m.lang))
	case key.Matches(msg, c.WriteOutput):
		p.pending = ""
		return m, m.writeOutput()
	case key.Matches(msg, c.OutputPager):
		p.pending = ""
		if id, text := p.selectedOutput(m.lang); text != "" {
			m.pager.show(fmt.Sprintf(m.lang.T("out.title"), id), text)
		} else {
			m.setStatus(m.lang.T("out.none"))
		}
	case key.Matches(msg, c.Back):
		p.pending = ""
		m.screen = screenStart
	default:
		return m, m.updateNotebook(msg)
	}
	return m, nil
}

// updateNotebook routes msg to the notebook pane and shows what it has to say.
func (m *Model) updateNotebook(msg tea.Msg) tea.Cmd {
	cmd := m.nb.Update(msg)
	if n := m.nb.takeNote(); n != "" {
		m.setStatus(n)
	}
	return cmd
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion // the wheel scrolls, a click selects a cell
	v.WindowTitle = "Weir"
	if m.nb != nil && m.nb.editing && m.screen == screenNotebook && !m.pager.open {
		v.Cursor = nil // the textarea draws its own cursor
	}
	return v
}

// render returns the screen's text; tests read it directly.
func (m *Model) render() string {
	if m.width == 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	var body string
	switch {
	case m.pager.open:
		body = m.pager.View(m.lang)
	case m.screen == screenStart:
		body = m.startView()
	case m.split():
		sepStyle := dimStyle
		if m.focus == focusEngine {
			sepStyle = selStyle
		}
		sep := sepStyle.Render(strings.Repeat("│\n", m.height-4) + "│")
		titles := pad(paneTitle(m.lang.T("pane.notebook"), m.focus == focusNotebook), m.nb.width) + sepStyle.Render("│") +
			paneTitle(m.lang.T("pane.live"), m.focus == focusEngine)
		body = titles + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, m.nb.view(m.lang), sep, m.engine.view(m.lang))
	case m.focus == focusEngine:
		body = m.engine.full(m.lang)
	default:
		body = m.nb.view(m.lang)
	}
	if m.recovery != nil && m.screen == screenNotebook && !m.pager.open {
		body = recoveryView(m.recovery, m.lang, m.width) + "\n" + body
	}
	if m.conflict != nil && m.screen == screenNotebook && !m.pager.open {
		body = conflictView(m.conflict, m.lang, m.width) + "\n" + body
	}
	return m.header() + "\n" + fitBlock(body, m.width, m.height-2) + "\n" + m.statusBar()
}

func (m *Model) tooSmall() string {
	msg := titleStyle.Render(m.lang.T("small.title")) + "\n" +
		fmt.Sprintf(m.lang.T("small.body"), minWidth, minHeight, m.width, m.height)
	box := lipgloss.NewStyle().Width(max(1, m.width-2)).Render(msg)
	return fitBlock(box, m.width, m.height)
}

func (m *Model) header() string {
	left := titleStyle.Render("Weir") + " " + dimStyle.Render(m.lang.T("app.tagline"))
	if m.screen == screenNotebook && m.nb != nil {
		name := m.nb.nb.Title()
		if name == "" {
			name = filepath.Base(m.nb.path)
		}
		left = titleStyle.Render("Weir") + " " + name
	}
	right := dimStyle.Render(m.lang.String() + " · " + m.lang.T("help.hint"))
	gap := max(1, m.width-lipgloss.Width(left)-lipgloss.Width(right))
	return ansi.Truncate(left+strings.Repeat(" ", gap)+right, m.width, "…")
}

func (m *Model) statusBar() string {
	var parts []string
	if m.screen == screenNotebook && m.nb != nil {
		mode := m.lang.T("mode.command")
		if m.nb.editing {
			mode = m.lang.T("mode.edit")
		}
		parts = append(parts, barStyle.Render(" "+mode+" "))
		if m.nb.dirty {
			parts = append(parts, warnStyle.Render(m.lang.T("status.modified")))
		} else if !m.nb.savedAt.IsZero() {
			parts = append(parts, fmt.Sprintf(m.lang.T("status.saved"), m.nb.savedAt.Format("15:04:05")))
		}
		if m.nb.replayPaused() {
			// Shown for as long as the pause lasts, not only as a passing message: a cell waiting on a
			// paused replay otherwise looks hung.
			hint := m.lang.T("job.paused.bar")
			if m.find.open || (m.status != "" && time.Since(m.statusAt) < 8*time.Second) {
				hint = m.lang.T("job.paused") // short: the message needs the room
			}
			parts = append(parts, warnStyle.Render("⏸ "+hint))
		}
	}
	// The passing message comes before the settings, so that on a narrow or full bar it is the settings
	// that are cut (a step's or a check's result was cut away in Korean at 120 columns).
	if m.find.open {
		parts = append(parts, m.find.View())
	} else if m.status != "" && time.Since(m.statusAt) < 8*time.Second {
		parts = append(parts, m.status)
	}
	if m.screen == screenNotebook && m.nb != nil {
		parts = append(parts, m.lang.T("job.speed")+" "+speedLabel(m.lang, m.nb.speed))
		parts = append(parts, m.lang.T("job.guarantee")+" "+guaranteeName(m.nb.session.Runner().Config().Checkpointing.Guarantee))
	}
	return ansi.Truncate(strings.Join(parts, "  "), m.width, "…")
}

func (m *Model) startView() string {
	var b strings.Builder
	b.WriteString(titleStyle.Render(m.lang.T("start.tutorials")) + "\n")
	if len(m.lessons) == 0 {
		b.WriteString(dimStyle.Render(m.lang.T("start.none")) + "\n")
	}
	titleW := max(10, m.width-30)
	recent := m.store.Recent()
	first, last := lessonWindow(len(m.lessons), m.startSel, m.height-2-5-max(1, len(recent)))
	for i, l := range m.lessons {
		if i < first || i >= last {
			continue
		}
		prog := dimStyle.Render("—")
		if p, ok := m.store.Progress(l.Path); ok && p.Total > 0 {
			prog = fmt.Sprintf("%d/%d", p.Passed, p.Total)
			if p.Passed == p.Total {
				prog = okStyle.Render("✓ " + prog)
			}
		}
		title := ansi.Truncate(l.Title, titleW, "…")
		row := fmt.Sprintf("%s%s  %s  %s  %s", pad(title, titleW), "", pad(dimStyle.Render(ansi.Truncate(l.DE4E, 12, "…")), 12), pad(prog, 8), l.Lang)
		if i == m.startSel {
			row = selStyle.Render("▌") + row
		} else {
			row = " " + row
		}
		b.WriteString(row + "\n")
	}
	if first > 0 || last < len(m.lessons) {
		b.WriteString(" " + dimStyle.Render(fmt.Sprintf(m.lang.T("start.more"), first+1, last, len(m.lessons))) + "\n")
	}
	b.WriteString("\n" + titleStyle.Render(m.lang.T("start.recent")) + "\n")
	if len(recent) == 0 {
		b.WriteString(" " + dimStyle.Render(m.lang.T("start.norecent")) + "\n")
	}
	for i, r := range recent {
		row := r
		if len(m.lessons)+i == m.startSel {
			row = selStyle.Render("▌") + row
		} else {
			row = " " + row
		}
		b.WriteString(row + "\n")
	}
	b.WriteString("\n")
	if m.opening {
		b.WriteString(m.lang.T("start.path") + m.pathIn.View() + "\n")
	} else {
		b.WriteString(dimStyle.Render(m.lang.T("start.keys")) + "\n")
	}
	return b.String()
}

// lessonWindow returns the range [first, last) of n lessons that the start screen shows in rows lines,
// keeping the selected one in view (sel beyond the lessons selects a recent file: the last lessons show). When
// the lessons do not fit, one of the rows is kept for the line that says which are shown.
func lessonWindow(n, sel, rows int) (first, last int) {
	if n <= rows {
		return 0, n
	}
	shown := max(1, rows-1)
	first = min(max(0, sel-shown/2), n-shown)
	return first, first + shown
}

// helpText returns the help overlay's text: each group of keys under its title, drawn by bubbles' help in
// the interface language; one column, or two side by side from 100 cells. The pager shows it and scrolls it.
func (m *Model) helpText() string {
	h := help.New()
	h.Styles.FullKey = selStyle
	h.Styles.FullDesc = lipgloss.NewStyle()
	var blocks []string
	for _, g := range m.keys.groups() {
		bs := make([]key.Binding, len(g.keys))
		for i, k := range g.keys {
			bs[i] = key.NewBinding(key.WithKeys(k.Keys()...), key.WithHelp(k.Help().Key, m.lang.T(k.Help().Desc)))
		}
		blocks = append(blocks, titleStyle.Render(m.lang.T(g.title))+"\n"+h.FullHelpView([][]key.Binding{bs})+"\n")
	}
	if m.width < 100 {
		return strings.Join(blocks, "\n")
	}
	half := (len(blocks) + 1) / 2
	colW := m.width / 2
	left := lipgloss.NewStyle().Width(colW).Render(strings.Join(blocks[:half], "\n"))
	right := lipgloss.NewStyle().Width(m.width - colW).Render(strings.Join(blocks[half:], "\n"))
	return lipgloss.JoinHorizontal(lipgloss.Top, left, right)
}

// pad pads s with spaces to w cells (measured, so that Korean lines up).
func pad(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// fitBlock makes s exactly h lines of at most w cells.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Run runs the workbench until the user quits.
func Run(opts Options) error {
	_, err := tea.NewProgram(New(opts)).Run()
	return err
}

// writeOutput returns the command that writes the selected cell's whole output, without colours, to a file
// beside the notebook (NAME.CELL.txt) and says where; a cell without output says so.
func (m *Model) writeOutput() tea.Cmd {
	id, text := m.nb.selectedOutput(m.lang)
	if text == "" {
		m.setStatus(m.lang.T("out.none"))
		return nil
	}
	path := strings.TrimSuffix(m.nb.path, filepath.Ext(m.nb.path)) + "." + id + ".txt"
	lang := m.lang
	return func() tea.Msg {
		if err := notebook.WriteFileAtomic(path, []byte(ansi.Strip(text)+"\n")); err != nil {
			return statusMsg(fmt.Sprintf(lang.T("act.failed"), lang.T("op.writeoutput"), err))
		}
		return statusMsg(fmt.Sprintf(lang.T("out.written"), path))
	}
}

// paneTitle is a pane's title line: the focused pane's marked and in the accent colour, the other dim.
func paneTitle(name string, focused bool) string {
	if focused {
		return selStyle.Render("● " + name)
	}
	return dimStyle.Render("○ " + name)
}

// mouse scrolls with the wheel (the pager, or the notebook: 3 lines a notch) and selects the cell clicked in
// the notebook.
func (m *Model) mouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.pager.open {
		var cmd tea.Cmd
		m.pager, cmd = m.pager.Update(msg)
		return m, cmd
	}
	p := m.nb
	if p == nil || m.screen != screenNotebook || m.recovery != nil || m.conflict != nil {
		return m, nil
	}
	ms := msg.Mouse()
	top := 1 // the header line
	if m.split() {
		top = 2 // and the panes' titles
		if ms.X >= p.width {
			return m, nil // the engine pane
		}
	} else if m.focus == focusEngine {
		return m, nil
	}
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch ms.Button {
		case tea.MouseWheelUp:
			p.scroll(-3)
		case tea.MouseWheelDown:
			p.scroll(3)
		}
	case tea.MouseClickMsg:
		if ms.Button != tea.MouseLeft || p.editing {
			return m, nil
		}
		if i := p.cellAt(ms.Y-top, m.lang); i >= 0 {
			p.sel, p.prose = i, nil
			p.shown = p.cursor() // selected where it is: the view does not jump
		}
	}
	return m, nil
}
