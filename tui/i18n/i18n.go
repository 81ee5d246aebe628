// Package i18n holds the workbench's user-interface strings in English and Korean.
//
// Korean strings use the terms of the DE4E book (워터마크, 체크포인트, 백프레셔, ...) so that a reader of the
// book meets the words they learned. Every key has an English string; a Korean string may be missing, in which
// case T falls back to English.
//
// Layout code must measure strings with lipgloss.Width (or ansi.StringWidth), never len or
// utf8.RuneCountInString: a Hangul syllable takes two terminal cells.
package i18n

import (
	"os"
	"strings"
)

// Lang is a user-interface language.
type Lang int

// The supported languages. The zero value is English.
const (
	EN Lang = iota
	KO
)

// String returns the language's code, "en" or "ko".
func (l Lang) String() string {
	if l == KO {
		return "ko"
	}
	return "en"
}

// Parse returns the language for a code such as "ko", "ko_KR.UTF-8" or "en"; ok is false for an unknown code.
func Parse(code string) (l Lang, ok bool) {
	c := strings.ToLower(strings.TrimSpace(code))
	switch {
	case strings.HasPrefix(c, "ko"):
		return KO, true
	case strings.HasPrefix(c, "en"), c == "c", c == "posix":
		return EN, true
	}
	return EN, false
}

// FromEnv returns the language the environment asks for: WEIR_LANG first, then LC_ALL, LC_MESSAGES and LANG,
// as the C library orders them. The default is English.
func FromEnv(getenv func(string) string) Lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"WEIR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if l, ok := Parse(v); ok {
				return l
			}
		}
	}
	return EN
}

// Other returns the other language, for the language toggle.
func (l Lang) Other() Lang {
	if l == KO {
		return EN
	}
	return KO
}

// T returns the string for key in l, falling back to English and then to the key itself.
func (l Lang) T(key string) string {
	if l == KO {
		if s, ok := ko[key]; ok {
			return s
		}
	}
	if s, ok := en[key]; ok {
		return s
	}
	return key
}

var en = map[string]string{
	"app.title":               "Weir",
	"app.tagline":             "learn stream processing the way Apache Flink does it",
	"start.tutorials":         "Tutorials",
	"start.none":              "No tutorials are installed yet. Open a notebook file, or watch the live demo.",
	"start.demo":              "Live engine demo",
	"start.demo.about":        "a keyed event-time window count with checkpoints, running now",
	"start.open":              "Open a notebook file",
	"start.recent":            "Recent files",
	"start.more":              "lessons %d-%d of %d (↑/↓ to see the others)",
	"start.norecent":          "none yet",
	"start.path":              "path: ",
	"recovery.found":          "This notebook has unsaved edits from %s, kept when the workbench last stopped. The file's own version is shown.",
	"recovery.choice":         "r: restore the edits · x: discard them · d: show the difference",
	"recovery.restored":       "the unsaved edits are restored (ctrl+s saves them to the file)",
	"recovery.discarded":      "the unsaved edits were discarded",
	"recovery.diff":           "Unsaved edits against the file",
	"recovery.label":          "unsaved edits",
	"recovery.same":           "The unsaved edits are the same as the file.",
	"status.paused":           "waiting on the paused replay (p resumes, . steps)",
	"step.none":               "nothing to step: no replay is paused (p pauses the replay)",
	"step.done":               "stepped one event: the replay is at event %d, which arrived at %s",
	"step.waiting":            "stepped: the replay has not emitted its next event yet (it may be at its end)",
	"out.job":                 "job %q: %s",
	"out.more":                "… %d more lines (o: show all · O: open in a pager)",
	"out.cut":                 "… wide lines are cut (o: wrap them · O: open in a pager that scrolls sideways)",
	"out.title":               "Output of %s",
	"out.none":                "this cell has no output yet: run it first",
	"pager.lines":             "lines %d-%d of %d",
	"pager.column":            ", from column %d",
	"pager.keys":              "↑↓ pgup pgdn ←→: scroll · esc: close",
	"col.title":               "title",
	"col.section":             "DE4E",
	"col.progress":            "progress",
	"col.lang":                "lang",
	"small.title":             "The terminal is too small",
	"small.body":              "Weir needs at least %d×%d cells; this one is %d×%d. Enlarge the window or reduce the font size.",
	"help.title":              "Keys",
	"help.global":             "everywhere",
	"help.start":              "start screen",
	"help.command":            "notebook: command mode",
	"help.edit":               "notebook: edit mode",
	"help.live":               "live engine view",
	"pane.notebook":           "Notebook",
	"pane.live":               "Engine",
	"status.idle":             "idle",
	"status.running":          "running",
	"status.queued":           "queued",
	"run.queued":              "queued: it runs when the running cell ends (%d in the queue)",
	"run.dropped":             "%s failed, so the queued cells did not run: %s",
	"status.done":             "done",
	"status.error":            "error",
	"status.stale":            "stale",
	"status.saved":            "saved %s",
	"status.modified":         "modified",
	"nb.empty":                "This notebook has no cells.",
	"job.none":                "No job yet. Run a cell that executes a job: its graph, watermarks, windows, state and checkpoints appear here.",
	"job.status":              "job",
	"job.restarts":            "restarts",
	"job.uptime":              "uptime",
	"job.paused":              "paused",
	"job.paused.bar":          "replay paused (p resumes, . steps)",
	"job.speed":               "speed",
	"job.guarantee":           "default guarantee",
	"graph.title":             "Job graph",
	"graph.tm":                "TaskManager",
	"graph.slots":             "slots",
	"graph.bp":                "backpressure",
	"wm.title":                "Watermarks",
	"wm.none":                 "no watermark yet",
	"wm.idle":                 "idle",
	"wm.idleIn":               "idle in",
	"wm.lag":                  "lag",
	"wm.now":                  "now",
	"wm.paused":               "paused",
	"wm.group":                "aligned in",
	"wm.allowed":              "allowed",
	"stage.title":             "Stages",
	"stage.finished":          "finished",
	"stage.running":           "running",
	"stage.waiting":           "waiting",
	"stage.failed":            "failed",
	"stage.attempt":           "attempt",
	"stage.in":                "in",
	"stage.out":               "out",
	"stage.reads":             "reads",
	"win.title":               "Windows",
	"win.open":                "open",
	"win.fired":               "fired",
	"win.late":                "late-fired",
	"win.purged":              "purged",
	"win.lateRecord":          "late record",
	"win.none":                "no window yet",
	"state.title":             "State size",
	"state.none":              "no keyed state",
	"state.keys":              "keys",
	"cp.title":                "Checkpoints",
	"cp.none":                 "no checkpoint yet",
	"cp.inflight":             "barriers in flight",
	"cp.id":                   "id",
	"cp.status":               "status",
	"cp.duration":             "duration",
	"cp.size":                 "size",
	"cp.new":                  "new",
	"cp.align":                "align",
	"cep.title":               "Patterns (CEP)",
	"cep.matches":             "matches",
	"cep.timeouts":            "timeouts",
	"cep.late":                "late",
	"cep.state":               "state",
	"cep.key":                 "key",
	"cep.buffer":              "buffer",
	"cep.events":              "ev",
	"cep.entries":             "entries",
	"cep.none":                "no partial match waiting",
	"cep.more":                "at most the %d busiest keys",
	"tp.title":                "Throughput and lag",
	"tp.in":                   "source rec/s",
	"tp.out":                  "sink rec/s",
	"tp.lag":                  "event-time lag",
	"act.checkpoint":          "checkpoint %d triggered",
	"act.savepoint":           "savepoint %d triggered into %s",
	"act.kill":                "TaskManager %d killed: watch the job recover",
	"act.guarantee":           "next run: %s, for cells that do not choose a guarantee (a cell's own CheckpointConfig.Guarantee wins)",
	"act.failed":              "%s failed: %v",
	"saved":                   "saved to %s",
	"quit.unsaved":            "unsaved changes: ctrl+s saves them, ctrl+q again quits (they stay in the recovery file)",
	"quit.how":                "nothing is running; ctrl+q quits",
	"act.interrupted":         "interrupted",
	"check.running":           "checking: running the notebook's %d cells again from the top, checks included…",
	"check.result":            "%d passed, %d failed",
	"save.conflict":           "%s changed on disk since it was opened; your version was kept as %s. ctrl+s again overwrites the file with yours; reopen it to see the other",
	"key.global.help":         "help",
	"key.global.quit":         "quit",
	"key.global.focus":        "notebook / engine",
	"key.global.lang":         "한국어 / English",
	"key.start.up":            "up",
	"key.start.down":          "down",
	"key.start.open":          "open",
	"key.start.openpath":      "open a file",
	"key.command.up":          "previous cell",
	"key.command.down":        "next cell",
	"key.command.edit":        "edit the cell",
	"key.command.run":         "run the cell",
	"key.command.runnext":     "run, then next cell",
	"key.command.runall":      "run all cells",
	"key.command.insertabove": "insert a cell above",
	"key.command.insertbelow": "insert a cell below",
	"key.command.delete":      "delete the cell",
	"key.command.moveup":      "move the cell up",
	"key.command.movedown":    "move the cell down",
	"key.command.mode":        "result mode",
	"key.command.interrupt":   "interrupt",
	"key.command.restart":     "restart the kernel",
	"key.command.save":        "save",
	"key.command.check":       "check the exercises",
	"key.command.pageup":      "scroll up",
	"key.command.pagedown":    "scroll down",
	"key.command.back":        "back to the tutorials",
	"key.command.output":      "show the whole output / collapse it",
	"key.command.outputpager": "open the output in a pager (scrolls sideways)",
	"key.edit.run":            "run the cell",
	"key.edit.runnext":        "run, then next cell",
	"key.edit.leave":          "command mode",
	"key.edit.save":           "save",
	"key.live.checkpoint":     "trigger a checkpoint",
	"key.live.savepoint":      "take a savepoint",
	"key.live.kill":           "kill a TaskManager",
	"key.live.pause":          "pause / resume the replay",
	"key.live.step":           "step the replay",
	"key.live.faster":         "replay faster",
	"key.live.slower":         "replay slower",
	"key.live.guarantee":      "delivery guarantee of the next run",
	"help.hint":               "? help",
}

var ko = map[string]string{
	"app.tagline":             "아파치 플링크 방식으로 스트림 프로세싱 배우기",
	"start.tutorials":         "튜토리얼",
	"start.none":              "아직 설치된 튜토리얼이 없습니다. 노트북 파일을 열거나 라이브 데모를 보세요.",
	"start.demo":              "엔진 라이브 데모",
	"start.demo.about":        "체크포인트가 있는 키별 이벤트 시간 윈도우 집계, 지금 실행 중",
	"start.open":              "노트북 파일 열기",
	"start.recent":            "최근 파일",
	"start.more":              "레슨 %d-%d / 전체 %d (↑/↓로 나머지 보기)",
	"start.norecent":          "아직 없음",
	"start.path":              "경로: ",
	"recovery.found":          "이 노트북에는 %s에 저장하지 않은 편집이 있습니다. 워크벤치가 지난번에 끝날 때 보관했습니다. 지금은 파일의 버전이 보입니다.",
	"recovery.choice":         "r: 편집 복원 · x: 버리기 · d: 차이 보기",
	"recovery.restored":       "저장하지 않은 편집을 복원했습니다(ctrl+s로 파일에 저장)",
	"recovery.discarded":      "저장하지 않은 편집을 버렸습니다",
	"recovery.diff":           "파일과 비교한 저장하지 않은 편집",
	"recovery.label":          "저장하지 않은 편집",
	"recovery.same":           "저장하지 않은 편집이 파일과 같습니다.",
	"out.job":                 "잡 %q: %s",
	"out.more":                "… %d줄 더 있음 (o: 모두 보기 · O: 페이저로 열기)",
	"out.cut":                 "… 긴 줄은 잘렸습니다 (o: 줄바꿈해서 보기 · O: 옆으로 스크롤되는 페이저로 열기)",
	"out.title":               "%s 셀의 출력",
	"out.none":                "이 셀에는 아직 출력이 없습니다. 먼저 실행하세요",
	"pager.lines":             "%d-%d행 / 전체 %d행",
	"pager.column":            ", %d열부터",
	"pager.keys":              "↑↓ pgup pgdn ←→: 스크롤 · esc: 닫기",
	"col.title":               "제목",
	"col.section":             "DE4E",
	"col.progress":            "진행",
	"col.lang":                "언어",
	"small.title":             "터미널이 너무 작습니다",
	"small.body":              "Weir에는 최소 %d×%d 칸이 필요합니다. 지금은 %d×%d입니다. 창을 키우거나 글꼴을 줄이세요.",
	"help.title":              "키",
	"help.global":             "어디서나",
	"help.start":              "시작 화면",
	"help.command":            "노트북: 명령 모드",
	"help.edit":               "노트북: 편집 모드",
	"help.live":               "엔진 라이브 보기",
	"pane.notebook":           "노트북",
	"pane.live":               "엔진",
	"status.idle":             "대기",
	"status.running":          "실행 중",
	"status.queued":           "대기열",
	"run.queued":              "대기열에 넣었습니다: 실행 중인 셀이 끝나면 실행합니다(대기 %d개)",
	"run.dropped":             "%s 셀이 실패해서 대기열의 셀을 실행하지 않았습니다: %s",
	"status.done":             "완료",
	"status.error":            "오류",
	"status.stale":            "오래됨",
	"status.saved":            "%s 저장됨",
	"status.modified":         "수정됨",
	"nb.empty":                "이 노트북에는 셀이 없습니다.",
	"job.none":                "아직 잡이 없습니다. 잡을 실행하는 셀을 실행하면 잡 그래프, 워터마크, 윈도우, 상태, 체크포인트가 여기에 나타납니다.",
	"job.status":              "잡",
	"job.restarts":            "재시작",
	"job.uptime":              "실행 시간",
	"job.paused":              "일시 정지",
	"job.paused.bar":          "재생 일시 정지 (p: 계속, .: 한 단계)",
	"job.speed":               "속도",
	"job.guarantee":           "기본 이벤트 처리 보장",
	"graph.title":             "잡 그래프",
	"graph.tm":                "TaskManager",
	"graph.slots":             "슬롯",
	"graph.bp":                "백프레셔",
	"wm.title":                "워터마크",
	"wm.none":                 "아직 워터마크 없음",
	"wm.idle":                 "유휴",
	"wm.idleIn":               "유휴 입력",
	"wm.lag":                  "지연",
	"wm.now":                  "처리 시간",
	"wm.paused":               "일시 정지",
	"wm.group":                "정렬 그룹",
	"wm.allowed":              "허용",
	"stage.title":             "스테이지",
	"stage.finished":          "완료",
	"stage.running":           "실행 중",
	"stage.waiting":           "대기",
	"stage.failed":            "실패",
	"stage.attempt":           "시도",
	"stage.in":                "입력",
	"stage.out":               "출력",
	"stage.reads":             "읽는 스테이지",
	"win.title":               "윈도우",
	"win.open":                "열림",
	"win.fired":               "발화",
	"win.late":                "늦은 발화",
	"win.purged":              "제거",
	"win.lateRecord":          "늦은 이벤트",
	"win.none":                "아직 윈도우 없음",
	"state.title":             "상태 크기",
	"state.none":              "키 상태 없음",
	"state.keys":              "키",
	"cp.title":                "체크포인트",
	"cp.none":                 "아직 체크포인트 없음",
	"cp.inflight":             "진행 중인 배리어",
	"cp.id":                   "번호",
	"cp.status":               "상태",
	"cp.duration":             "시간",
	"cp.size":                 "크기",
	"cp.new":                  "신규",
	"cp.align":                "배리어 정렬",
	"cep.title":               "패턴 (CEP)",
	"cep.matches":             "매치",
	"cep.timeouts":            "타임아웃",
	"cep.late":                "늦은 이벤트",
	"cep.state":               "상태",
	"cep.key":                 "키",
	"cep.buffer":              "버퍼",
	"cep.events":              "이벤트",
	"cep.entries":             "항목",
	"cep.none":                "기다리는 부분 매치 없음",
	"cep.more":                "가장 바쁜 키 최대 %d개",
	"tp.title":                "처리량과 지연",
	"tp.in":                   "소스 건/초",
	"tp.out":                  "싱크 건/초",
	"tp.lag":                  "이벤트 시간 지연",
	"act.checkpoint":          "체크포인트 %d 시작",
	"act.savepoint":           "세이브포인트 %d 시작: %s",
	"act.kill":                "TaskManager %d 종료: 잡의 복구를 지켜보세요",
	"act.guarantee":           "다음 실행: %s (보장을 정하지 않은 셀에만 적용되고, 셀의 CheckpointConfig.Guarantee가 우선합니다)",
	"act.failed":              "%s 실패: %v",
	"saved":                   "%s에 저장했습니다",
	"quit.unsaved":            "저장하지 않은 변경이 있습니다: ctrl+s로 저장하거나, ctrl+q를 한 번 더 누르면 끝냅니다(변경은 복구 파일에 남습니다)",
	"quit.how":                "실행 중인 것이 없습니다. 끝내려면 ctrl+q",
	"act.interrupted":         "중단했습니다",
	"check.running":           "확인 중: 노트북의 셀 %d개를 처음부터 다시 실행합니다(확인 셀 포함)…",
	"check.result":            "%d개 통과, %d개 실패",
	"save.conflict":           "%s 파일이 연 뒤에 디스크에서 바뀌었습니다. 지금 버전은 %s에 따로 두었습니다. ctrl+s를 한 번 더 누르면 파일을 지금 버전으로 덮어쓰고, 다른 버전은 파일을 다시 열면 보입니다",
	"key.global.help":         "도움말",
	"key.global.quit":         "끝내기",
	"key.global.focus":        "노트북 / 엔진",
	"key.global.lang":         "한국어 / English",
	"key.start.up":            "위로",
	"key.start.down":          "아래로",
	"key.start.open":          "열기",
	"key.start.openpath":      "파일 열기",
	"key.command.up":          "이전 셀",
	"key.command.down":        "다음 셀",
	"key.command.edit":        "셀 편집",
	"key.command.run":         "셀 실행",
	"key.command.runnext":     "실행하고 다음 셀로",
	"key.command.runall":      "모든 셀 실행",
	"key.command.insertabove": "위에 셀 추가",
	"key.command.insertbelow": "아래에 셀 추가",
	"key.command.delete":      "셀 삭제",
	"key.command.moveup":      "셀을 위로 옮기기",
	"key.command.movedown":    "셀을 아래로 옮기기",
	"key.command.mode":        "결과 모드",
	"key.command.interrupt":   "중단",
	"key.command.restart":     "커널 다시 시작",
	"key.command.save":        "저장",
	"key.command.check":       "연습 문제 확인",
	"key.command.pageup":      "위로 스크롤",
	"key.command.pagedown":    "아래로 스크롤",
	"key.command.back":        "튜토리얼 목록으로",
	"key.command.output":      "출력 모두 보기 / 접기",
	"key.command.outputpager": "출력을 페이저로 열기(옆으로 스크롤)",
	"key.edit.run":            "셀 실행",
	"key.edit.runnext":        "실행하고 다음 셀로",
	"key.edit.leave":          "명령 모드",
	"key.edit.save":           "저장",
	"key.live.checkpoint":     "체크포인트 시작",
	"key.live.savepoint":      "세이브포인트 만들기",
	"key.live.kill":           "TaskManager 종료",
	"key.live.pause":          "재생 일시 정지 / 계속",
	"key.live.step":           "재생 한 단계",
	"key.live.faster":         "재생 빠르게",
	"key.live.slower":         "재생 느리게",
	"key.live.guarantee":      "다음 실행의 이벤트 처리 보장",
	"help.hint":               "? 도움말",
}
