// Package sqlparse parses the subset of Flink SQL that Weir's table planner runs, into an abstract syntax
// tree whose every node and error carries its line and column.
//
// The grammar is Flink's: Apache Calcite's core SQL grammar (Parser.jj) with the extensions Flink's
// flink-sql-parser adds (parserImpls.ftl): CREATE TABLE with computed columns, METADATA columns,
// WATERMARK FOR col AS expr, PRIMARY KEY (...) NOT ENFORCED and WITH ('key' = 'value', ...); CREATE
// [TEMPORARY] VIEW; DROP TABLE/VIEW [IF EXISTS]; SHOW TABLES/VIEWS; DESCRIBE/DESC; SET and RESET;
// EXPLAIN; INSERT INTO; and queries: SELECT [DISTINCT] ... FROM ... WHERE ... GROUP BY ... HAVING ... ORDER BY
// ... LIMIT n OFFSET m, FROM t MATCH_RECOGNIZE (...) with Calcite's row pattern grammar (quantified variables,
// groups, alternatives, PERMUTE and {- exclusions -}),
// UNION [ALL], VALUES, subqueries (in FROM, IN (SELECT ...), EXISTS (SELECT ...)), JOIN ... ON, and the window table-valued functions
// TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND)) with positional or named (DATA => ...)
// arguments. Expressions follow Calcite's precedence: OR, AND, NOT, comparison (=, <>, !=, <, <=, >, >=,
// IS [NOT] NULL, IS [NOT] TRUE/FALSE, [NOT] BETWEEN, [NOT] IN, [NOT] LIKE), ||, + and -, *, / and %,
// unary sign; CASE, CAST and TRY_CAST, INTERVAL 'n' unit literals, TIMESTAMP '...' and DATE '...'
// literals, function calls with DISTINCT and COUNT(*), and OVER (PARTITION BY ... ORDER BY ... ROWS|RANGE BETWEEN
// ... PRECEDING AND CURRENT ROW) or OVER w with a WINDOW w AS (...) clause. Identifiers are case-sensitive as in Flink;
// keywords are not; `back quotes` quote an identifier.
//
// No library is used because none parses this dialect: the Go SQL parsers available (vitess' and its
// forks such as xwb1989/sqlparser and dolthub's go-mysql-server, TiDB's, CockroachDB's) follow MySQL or
// PostgreSQL and reject DESCRIPTOR(...), TABLE t as a function argument, WATERMARK FOR and Flink's WITH
// options. The parser is a hand-written recursive descent over a hand-written lexer; FuzzParse checks
// that no input makes it panic.
package sqlparse
