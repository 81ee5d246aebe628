package tutorials

// The wrong answers to lesson 19's SQL exercise "shop" (issue 20: at least two per exercise, each rejected by
// the check it names, in both languages). They join the table of wrong_answer_test.go, so that
// TestChecksRejectPlausibleWrongAnswers runs them and TestEveryExerciseHasWrongAnswers counts them.
func init() {
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
