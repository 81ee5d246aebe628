package tutorials

// The wrong answers to the SQL lessons' exercises: lesson 19's "shop" and lesson 20's "rides" (issue 20: at least
// two per exercise, each rejected by the check it names, in both languages). They join the table of
// wrong_answer_test.go, so that TestChecksRejectPlausibleWrongAnswers runs them and
// TestEveryExerciseHasWrongAnswers counts them. Each lesson's constants sit in their own function so that the
// names can repeat.
func init() {
	sqlAndDynamicTablesWrongAnswers()
	joinsInSQLWrongAnswers()
}

func sqlAndDynamicTablesWrongAnswers() {
	const (
		lesson    = "19-sql-and-dynamic-tables.md"
		columns   = "the result's columns are window_start and clicks"
		columnsKo = "결과의 열은 window_start와 clicks"
		windows   = "one row per 5-second window of the 30 seconds"
		windowsKo = "30초 동안 5초 윈도우마다 행 하나"
		counts    = "the shop clicks of users 500 and up in each 5-second window"
		countsKo  = "5초 윈도우마다 500번 이상 사용자의 shop 클릭 수"
		where     = "WHERE page = '/shop' AND user_id >= 500"
	)
	wrongAnswers = append(wrongAnswers,
		wrongAnswer{lesson, "shop", "takes users above 500, not 500 and up (off by one)",
			where, "WHERE page = '/shop' AND user_id > 500", [2]string{counts, countsKo}},
		wrongAnswer{lesson, "shop", "forgets the user filter",
			where, "WHERE page = '/shop'", [2]string{counts, countsKo}},
		wrongAnswer{lesson, "shop", "forgets the page filter",
			where, "WHERE user_id >= 500", [2]string{counts, countsKo}},
		wrongAnswer{lesson, "shop", "a 10-second window instead of 5",
			"INTERVAL '5' SECOND", "INTERVAL '10' SECOND", [2]string{windows, windowsKo}},
		wrongAnswer{lesson, "shop", "groups by page without a window: an updating table",
			"SELECT window_start, COUNT(*) AS clicks\nFROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))\n" + where + "\nGROUP BY window_start, window_end;",
			"SELECT page, COUNT(*) AS clicks\nFROM clicks\n" + where + "\nGROUP BY page;", [2]string{columns, columnsKo}},
		wrongAnswer{lesson, "shop", "names the count cnt",
			"COUNT(*) AS clicks", "COUNT(*) AS cnt", [2]string{columns, columnsKo}},
	)
}

func joinsInSQLWrongAnswers() {
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
