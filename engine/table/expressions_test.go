package table

import (
	"strings"
	"testing"
	"time"
)

// The Table API's filters and projections written as Expressions, each a test of Flink's
// org.apache.flink.table.planner.runtime.stream.table.CalcITCase with its data and expected rows, at
// parallelism 1 and 4.
func TestTableAPIExpressions(t *testing.T) {
	a, b, c := Col("a"), Col("b"), Col("c")
	cases := []struct {
		name  string
		build func(tenv *Environment) *Table
		want  []string
	}{
		{"testSimpleFilter", func(tenv *Environment) *Table { return tenv.From("small3").Filter(a.IsEqual(3)) },
			[]string{"3,2,Hello world"}},
		{"testAllRejectingFilter", func(tenv *Environment) *Table { return tenv.From("small3").Filter(Lit(false)) }, nil},
		{"testAllPassingFilter", func(tenv *Environment) *Table { return tenv.From("small3").Filter(Lit(true)) },
			[]string{"1,1,Hi", "2,2,Hello", "3,2,Hello world"}},
		{"testFilterOnIntegerTupleField", func(tenv *Environment) *Table {
			return tenv.From("t3").Filter(a.Mod(2).IsEqual(0)).Where(b.IsEqual(3).Or(b.IsEqual(4)).Or(b.IsEqual(5)))
		}, []string{"4,3,Hello world, how are you?", "6,3,Luke Skywalker", "8,4,Comment#2", "10,4,Comment#4", "12,5,Comment#6", "14,5,Comment#8"}},
		{"testNotEquals", func(tenv *Environment) *Table {
			return tenv.From("t3").Filter(a.Mod(2).IsNotEqual(0)).Where(b.IsNotEqual(1).And(b.IsNotEqual(2)).And(b.IsNotEqual(3)))
		}, []string{"7,4,Comment#1", "9,4,Comment#3", "11,5,Comment#5", "13,5,Comment#7", "15,5,Comment#9", "17,6,Comment#11",
			"19,6,Comment#13", "21,6,Comment#15"}},
		{"testSimpleSelectWithNaming", func(tenv *Environment) *Table {
			return tenv.From("t3").Where(a.IsLessOrEqual(5)).Select(a.As("x"), b.As("y"), a.As("z")).Select(Col("x"), Col("y"))
		}, []string{"1,1", "2,2", "3,2", "4,3", "5,3"}},
		{"arithmetic, a built-in, a cast, BETWEEN, IN, LIKE, IS NULL and NOT", func(tenv *Environment) *Table {
			return tenv.From("t3").Where(a.Between(2, 4).Or(a.In(10, 20)).Or(c.Like("Luke%"))).
				Select(a.Times(10).Plus(b).As("n"), Call("UPPER", c), a.DividedBy(2), b.Cast("DOUBLE").DividedBy(2), c.IsNull(), a.IsGreater(3).Not())
		}, []string{"22,HELLO,1,1.0,FALSE,TRUE", "32,HELLO WORLD,1,1.0,FALSE,TRUE", "43,HELLO WORLD, HOW ARE YOU?,2,1.5,FALSE,FALSE",
			"63,LUKE SKYWALKER,3,1.5,FALSE,FALSE", "104,COMMENT#4,5,2.0,FALSE,FALSE", "206,COMMENT#14,10,3.0,FALSE,FALSE"}},
		{"OrderBy and Limit with Desc", func(tenv *Environment) *Table {
			return tenv.From("t3").OrderBy(b.Desc(), a.Asc()).Limit(3).Select(a)
		}, []string{"16", "17", "18"}},
	}
	for _, p := range []int{1, 4} {
		tenv := tableAPIEnv(t, p)
		for _, tc := range cases {
			equalLines(t, tc.name, resultTable(t, tc.build(tenv)), sorted(tc.want))
		}
	}
}

// Expressions are SQL text: each builder's SQL, and the mistakes kept in an Expression for the method it
// is given to.
func TestExpressionSQL(t *testing.T) {
	for _, c := range []struct {
		e    Expression
		want string
	}{
		{Col("price").Times(2).IsGreater(Lit(100)), "((`price` * 2) > 100)"},
		{Col("a`b"), "`a``b`"},
		{Lit("it's"), "'it''s'"},
		{Lit(-3), "(-3)"},
		{Lit(int64(1) << 40), "CAST(1099511627776 AS BIGINT)"},
		{Lit(1.5), "CAST(1.5 AS DOUBLE)"},
		{Lit(nil), "NULL"},
		{Lit(10 * time.Second), "INTERVAL '10' SECOND"},
		{Lit(90 * time.Minute), "INTERVAL '90' MINUTE"},
		{Lit(1500 * time.Millisecond), "INTERVAL '1500' MILLISECOND"},
		{Lit(time.Date(2020, 10, 10, 0, 0, 5, 0, time.UTC)), "TIMESTAMP '2020-10-10 00:00:05.000'"},
		{Col("x").Between(1, 5), "(`x` BETWEEN 1 AND 5)"},
		{Col("x").In("a", "b"), "(`x` IN ('a', 'b'))"},
		{Col("url").Count().As("cnt"), "COUNT(`url`) AS `cnt`"},
		{Call("coalesce", Col("x"), 0), "COALESCE(`x`, 0)"},
		{Col("ts").Desc(), "`ts` DESC"},
	} {
		if got := c.e.String(); got != c.want || c.e.Err() != nil {
			t.Errorf("%s (err %v), want %s", got, c.e.Err(), c.want)
		}
	}
	for _, c := range []struct {
		e    Expression
		want string
	}{
		{Lit(struct{}{}), "a literal is an integer, float, string, bool, nil, time.Time or time.Duration, not struct {}"},
		{Col("a").As("x").Plus(1), "As, Asc and Desc name or order a result column and come last"},
		{Col("a").Plus(Col("b").As("x")), "As, Asc and Desc name or order a result column and come last"},
		{Col("a").In(), "the list of values is empty"},
		{Call("DROP TABLE x;"), "not a function name"},
		{Lit(1500 * time.Microsecond), "an interval is a whole, non-negative number of milliseconds"},
	} {
		if err := c.e.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	tenv := tableAPIEnv(t, 1)
	if err := tenv.From("t3").Where(Col("a").As("x")).Err(); err == nil {
		t.Error("Where of an aliased expression planned")
	}
	if err := tenv.From("t3").Select(3.5).Err(); err == nil || !strings.Contains(err.Error(), "argument 1 is a float64; pass a SQL string or an Expression") {
		t.Errorf("Select(3.5): %v", err)
	}
}
