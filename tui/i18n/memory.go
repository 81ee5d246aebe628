package i18n

// The memory view's strings (tui/live's Memory), kept beside the others in en and ko.
func init() {
	for k, v := range map[string]string{
		"mem.title":   "Memory",
		"mem.none":    "no TaskManager yet",
		"mem.tm":      "TM",
		"mem.managed": "managed",
		"mem.net":     "network buffers",
		"mem.heap":    "heap state",
		"mem.pebble":  "Pebble",
		"mem.spills":  "spilled",
		"mem.runs":    "runs",
		"mem.peak":    "peak",
	} {
		en[k] = v
	}
	for k, v := range map[string]string{
		"mem.title":   "메모리",
		"mem.none":    "아직 TaskManager가 없습니다",
		"mem.tm":      "TM",
		"mem.managed": "관리 메모리",
		"mem.net":     "네트워크 버퍼",
		"mem.heap":    "힙 상태",
		"mem.pebble":  "Pebble",
		"mem.spills":  "디스크로 내보냄",
		"mem.runs":    "런",
		"mem.peak":    "최대",
	} {
		ko[k] = v
	}
}
