package table_test

import (
	"fmt"
	"sort"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table"
)

// A user's clicks form a session until they pause for 30 seconds: WindowSession, grouped by user, counts
// each user's sessions apart. Mary's pause from 12:00:20 to 12:00:55 ends her first session, at 12:00:50.
func ExampleTable_WindowSession() {
	type click struct {
		User string
		At   time.Time
	}
	at := func(s int) time.Time { return time.Date(2020, 10, 10, 12, 0, s, 0, time.UTC) }
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	tenv := table.NewEnvironment(env)
	clicks, err := tenv.FromDataStream(env.FromSlice([]any{
		click{"Mary", at(0)}, click{"Bob", at(5)}, click{"Mary", at(20)}, click{"Bob", at(50)}, click{"Mary", at(55)},
	}), table.Schema{
		Columns: []table.SchemaColumn{{Name: "user_name", Type: "STRING", Field: "User"}, {Name: "ts", Type: "TIMESTAMP(3)", Field: "At"}},
		Rowtime: "ts",
	})
	if err != nil {
		panic(err)
	}
	res, err := clicks.WindowSession("ts", "INTERVAL '30' SECOND").
		GroupBy("user_name", "window_start", "window_end").
		Select("user_name", "window_start", "window_end", "COUNT(*) AS clicks").
		Execute()
	if err != nil {
		panic(err)
	}
	if err := res.Await(); err != nil {
		panic(err)
	}
	rows := res.Strings()
	sort.Strings(rows)
	for _, r := range rows {
		fmt.Println(r)
	}
	// Output:
	// +I[Bob, 2020-10-10 12:00:05.000, 2020-10-10 12:00:35.000, 1]
	// +I[Bob, 2020-10-10 12:00:50.000, 2020-10-10 12:01:20.000, 1]
	// +I[Mary, 2020-10-10 12:00:00.000, 2020-10-10 12:00:50.000, 2]
	// +I[Mary, 2020-10-10 12:00:55.000, 2020-10-10 12:01:25.000, 1]
}
