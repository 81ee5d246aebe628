package table

import (
	"fmt"
	"testing"
)

// Flink's documentation, "Joins: Event Time Temporal Join" (dev/table/sql/queries/joins): orders joined
// with the currency rate valid at each order's time, from the versioned table currency_rates (primary key
// currency, event time update_time). Expected rows follow its rule: the version with the latest
// update_time not after order_time.
const (
	temporalOrders = `{"order_id":"o1","price":2,"currency":"EUR","ts":"2020-10-10 10:15:00"}
{"order_id":"o2","price":1,"currency":"USD","ts":"2020-10-10 10:30:00"}
{"order_id":"o3","price":50,"currency":"JPY","ts":"2020-10-10 10:32:00"}
{"order_id":"o4","price":3,"currency":"EUR","ts":"2020-10-10 10:52:00"}
{"order_id":"o5","price":4,"currency":"GBP","ts":"2020-10-10 11:00:00"}
{"order_id":"o6","price":5,"currency":"EUR","ts":"2020-10-10 11:20:00"}
`
	temporalRates = `{"currency":"JPY","rate":102,"ts":"2020-10-10 09:00:00"}
{"currency":"EUR","rate":114,"ts":"2020-10-10 09:00:00"}
{"currency":"USD","rate":1,"ts":"2020-10-10 09:00:00"}
{"currency":"EUR","rate":119,"ts":"2020-10-10 11:15:13"}
{"currency":"GBP","rate":108,"ts":"2020-10-10 11:49:23"}
`
)

func TestTemporalJoin(t *testing.T) {
	for _, c := range []struct {
		join string
		want []string
	}{
		{"JOIN", []string{"o1,228", "o2,1", "o3,5100", "o4,342", "o6,595"}},
		{"LEFT JOIN", []string{"o1,228", "o2,1", "o3,5100", "o4,342", "o5,null", "o6,595"}},
	} {
		for _, p := range []int{1, 4} {
			tenv := newTableEnv(p)
			mustExec(t, tenv, fmt.Sprintf("CREATE TABLE orders (order_id STRING, price INT, currency STRING, ts STRING, order_time AS TO_TIMESTAMP(ts), "+
				"WATERMARK FOR order_time AS order_time) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", writeFile(t, "orders.json", temporalOrders)))
			mustExec(t, tenv, fmt.Sprintf("CREATE TABLE currency_rates (currency STRING, rate INT, ts STRING, update_time AS TO_TIMESTAMP(ts), "+
				"WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')",
				writeFile(t, "rates.json", temporalRates)))
			q := "SELECT order_id, price * rate FROM orders " + c.join + " currency_rates FOR SYSTEM_TIME AS OF orders.order_time ON orders.currency = currency_rates.currency"
			r := mustExec(t, tenv, q)
			equalLines(t, fmt.Sprintf("%s at parallelism %d", c.join, p), flinkRows(r), sorted(c.want))
			for _, ch := range r.Changes() {
				if ch.Kind != Insert {
					t.Errorf("a temporal join emitted %v: it is insert-only", ch)
				}
			}
		}
	}
	tenv := newTableEnv(1)
	mustExec(t, tenv, "CREATE TABLE o (id STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '1')")
	mustExec(t, tenv, "CREATE TABLE r (id STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '1')")
	if _, err := tenv.ExecuteSQL("SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.id = r.id"); err == nil {
		t.Error("a temporal join against a table without a primary key was accepted")
	}
}
