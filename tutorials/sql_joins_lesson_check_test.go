package tutorials

// The wrong answers to lesson 20's SQL exercise "rides" (issue 20: at least two per exercise, each rejected by
// the check it names, in both languages). They join the table of wrong_answer_test.go, so that
// TestChecksRejectPlausibleWrongAnswers runs them and TestEveryExerciseHasWrongAnswers counts them.
func init() {
	const (
		lesson    = "20-joins-in-sql.md"
		columns   = "the result's columns are rideId and minutes"
		columnsKo = "결과의 열은 rideId와 minutes"
		rows      = "one row per ride that ended within two hours of its start"
		rowsKo    = "시작 뒤 두 시간 안에 끝난 운행마다 행 하나"
		total     = "the minutes of all those rides, from START to END"
		totalKo   = "그 운행들의 START부터 END까지 분 수"
		longest   = "no ride longer than two hours"
		longestKo = "두 시간보다 긴 운행은 없음"
		bound     = "\n  AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '2' HOUR;"
		minutes   = "TIMESTAMPDIFF(MINUTE, s.ts, e.ts) AS minutes"
	)
	wrongAnswers = append(wrongAnswers,
		wrongAnswer{lesson, "rides", "a regular join without the time bound: the rides over two hours too",
			bound, ";", [2]string{rows, rowsKo}},
		wrongAnswer{lesson, "rides", "a regular join without the time bound: its longest ride is over two hours",
			bound, ";", [2]string{longest, longestKo}},
		wrongAnswer{lesson, "rides", "an interval of one hour instead of two",
			"INTERVAL '2' HOUR", "INTERVAL '1' HOUR", [2]string{rows, rowsKo}},
		wrongAnswer{lesson, "rides", "minutes from END to START, negative",
			minutes, "TIMESTAMPDIFF(MINUTE, e.ts, s.ts) AS minutes", [2]string{total, totalKo}},
		wrongAnswer{lesson, "rides", "minutes of the START's own time: always 0",
			minutes, "TIMESTAMPDIFF(MINUTE, s.ts, s.ts) AS minutes", [2]string{total, totalKo}},
		wrongAnswer{lesson, "rides", "names the column duration",
			minutes, "TIMESTAMPDIFF(MINUTE, s.ts, e.ts) AS duration", [2]string{columns, columnsKo}},
	)
}
