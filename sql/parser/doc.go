// Package parser turns SQL text into statements: TiDB's MySQL-dialect parser
// (github.com/pingcap/tidb/pkg/parser) for everything it knows, after a few small rewrites
// that give it the Spark forms analytic users type, and a recogniser of Ember's own for the
// statements TiDB cannot parse.
//
// # What it owns
//
//   - [Parse]: a script of ';'-separated statements into []Statement, each a *[Query] (a TiDB
//     AST plus what the rewrites recorded) or one of Ember's statements ([CreateTableUsing],
//     [CreateView]). each parse uses a TiDB parser of its own (one is not goroutine-safe, and it reuses the memory of the tree it returned, so pooling parsers would let trees overwrite each other); the test_driver value
//     driver is imported here; TiDB's driver panics on decimal literals of more than 81 digits,
//     so TiDB runs under recover and such a literal is a parse error.
//   - [Error]: every error of Parse, at a 1-based line and column (in characters) of the text
//     the user wrote, also after rewrites and in scripts of several statements.
//   - [SplitStatements]: the statement splitter of the interactive shell.
//
// # Place in the import table
//
// sql/parser imports nothing from this repository (not even internal/errs: it returns its own
// *Error, which callers wrap). sql/planner/binder imports it; exec, sql/planner and
// sql/optimizer must not.
//
// # Lexing
//
// Ember's own lexer (lexer.go) follows TiDB's rules for what is code: '...' and "..." strings
// with backslash escapes and doubled quotes, `...` identifiers, # and "-- " line comments
// ("--" needs white space after it: 1--1 is arithmetic), /* */ comments. MySQL's executable
// comments /*! ... */ count as comments here (TiDB parses their content, so a rewrite never
// applies inside them and a ';' inside does not split). Rewrites only replace or insert at
// word tokens; the text of strings, quoted identifiers and comments is never changed. A word
// after '.' is a name (t.full, db.cast), never a keyword.
//
// # Ember's extensions
//
// Rewrites (rewrite.go), each checked against the AST after parsing (collect in
// extensions.go fails when the markers found differ from the rewrites made):
//
//   - FULL [OUTER] JOIN (TiDB has none; worse, it reads "t full JOIN u" as an inner join with
//     alias full). Trick: every user-written join operator STRAIGHT_JOIN, an inner join with a
//     join-order hint, is first written JOIN (same meaning); then FULL [OUTER] JOIN becomes
//     STRAIGHT_JOIN, which TiDB parses with the same ON or USING clause. After parsing, every
//     *ast.Join with StraightJoin set is a FULL join: it is recorded for [Query.IsFullJoin]
//     and the flag is cleared. SELECT STRAIGHT_JOIN (the select option) is left alone. Not
//     rewritten: FULL after AS (an alias) or NATURAL (NATURAL FULL JOIN is unsupported and
//     TiDB rejects it).
//   - ORDER BY expr [ASC|DESC] NULLS FIRST|LAST (any ORDER BY list: queries, set operations,
//     windows, GROUP_CONCAT). The item becomes __ember_nulls_first(expr) [ASC|DESC]; after
//     parsing the call is unwrapped (an integer literal becomes a position again, as TiDB's
//     grammar does) and recorded for [Query.NullsOrder]. Identifiers starting with __ember_
//     are reserved: a statement using one is rejected, so every marker is a rewrite's.
//   - CAST(x AS type) for types TiDB lacks: INTEGER, INT, BIGINT → SIGNED; VARCHAR, TEXT,
//     STRING without a length → CHAR; TIMESTAMP[(n)] → DATETIME[(n)]; BOOLEAN or BOOL → a cast
//     whose type is TINYINT(1) with mysql.IsBooleanFlag, which TiDB's CAST never produces (see
//     [IsBooleanCast]; it travels through TiDB as CAST(x AS SIGNED ARRAY), so a user's CAST
//     ... ARRAY is refused). FLOAT, DOUBLE, REAL, DECIMAL, DATE, CHAR, SIGNED are native.
//     VARCHAR(n) stays a syntax error.
//   - EXPLAIN VERBOSE (Spark, DataFusion, PostgreSQL) → TiDB's EXPLAIN FORMAT='verbose';
//     EXPLAIN LOGICAL and EXPLAIN PHYSICAL → FORMAT='logical' and FORMAT='physical'.
//   - Grouping sets (grouping.go): in a GROUP BY list, an element ROLLUP (...), CUBE (...),
//     GROUPING SETS (...) or () becomes a call of __ember_rollup, __ember_cube,
//     __ember_grouping_sets or __ember_set (inside GROUPING SETS, each parenthesized set is an
//     __ember_set call; ROLLUP, CUBE and GROUPING SETS nest there). Only whole elements are
//     rewritten, and the list ends at a clause word (HAVING, ORDER, LIMIT, WITH, UNION, ...),
//     ';' or an enclosing ')'. collect expands the markers (and TiDB's WITH ROLLUP) into the
//     grouping sets [Query.GroupingSets] returns (cross product of the elements, at most
//     [MaxGroupingSets]; an integer literal in a construct is a position) and leaves the
//     clause's items as the plain expressions.
//   - array(, vector( and cardinality( (TiDB keywords) are written as quoted names, so they
//     are ordinary function calls; CAST(x AS VECTOR(n)) is left alone.
//   - Table functions in FROM (TiDB parses no FROM f(args)): a name followed by '(' where a
//     table reference starts (after FROM, after JOIN in any join form, after a ',' of a FROM
//     list at the list's parenthesis depth, first in a parenthesized table reference)
//     becomes a derived table: range(1, 10) r → (SELECT __ember_table_function('range', 1,
//     10)) r, with AS `range` (the function's name) when no alias follows, since TiDB needs
//     one. An alias's column list, AS g(v), which TiDB lacks for derived tables, moves into
//     the derived table as a second marker field __ember_table_columns('v'). collect records
//     the call for [Query.TableFunction] (name, argument nodes at their original positions,
//     columns, the name's offset). FROM counts only where a query may start (not in
//     EXTRACT(YEAR FROM d) or SUBSTRING(s FROM 2)); names before or after '.' (db.t,
//     parquet.`/path`), LATERAL, VALUES and subqueries are left alone.
//   - Subscripts: expr[i] → element_at(expr, i) where expr is a name (not a keyword such as
//     ARRAY, so ARRAY[1, 2] stays), a parenthesized expression or call ending right before
//     the '[', or another subscript (a[1][2] nests). It runs after the other rewrites so its
//     insertion lands inside theirs (ORDER BY a[1] NULLS FIRST).
//
// After a rewrite, the texts TiDB stored in the AST (statement, select fields, subqueries)
// and the OriginTextPosition of expressions refer to the original text again: offsets are
// byte offsets into Query.SQL, and [Query.Position] turns one into a line and column of the
// script.
//
// Statements of Ember's own (create.go, cache.go, model.go, functions.go), recognised by
// recursive descent over the lexer's tokens:
//
//   - CREATE [OR REPLACE] [TEMPORARY|EXTERNAL] TABLE [IF NOT EXISTS] name [(col type, ...)]
//     USING format [OPTIONS (key 'value', key = 'value', ...)] [LOCATION 'path'] [AS select]
//     → *CreateTableUsing. A CREATE TABLE without USING goes to TiDB.
//   - CREATE [OR REPLACE] [[GLOBAL] TEMPORARY] VIEW [IF NOT EXISTS] name [(col, ...)] AS
//     select → *CreateView, for the plain CREATE VIEW too.
//   - cache.go: CACHE [LAZY] TABLE name [OPTIONS (...)] [[AS] select] → *CacheTable,
//     UNCACHE TABLE [IF EXISTS] name → *UncacheTable, CLEAR CACHE → *ClearCache, REFRESH
//     TABLE name → *RefreshTable.
//   - model.go: CREATE [OR REPLACE] MODEL [IF NOT EXISTS] name FROM 'path' [OPTIONS (...)]
//     and ... [OPTIONS (...)] AS select [ASYNC] → *CreateModel (OPTIONS values may be lists,
//     ['y']), SHOW MODELS [LIKE 'p'] → *ShowModels, DESCRIBE|DESC MODEL name[@v] →
//     *DescribeModel, DROP MODEL [IF EXISTS] name[@v] → *DropModel, EVALUATE MODEL
//     name[@v] [ON (select)] → *EvaluateModel, SHOW JOBS → *ShowJobs, SHOW JOB id →
//     *ShowJob, CANCEL JOB id → *CancelJob. package ml runs them (dataframe's extensions).
//
// Known gaps, left as syntax errors: IS [NOT] DISTINCT FROM, || as concatenation, :: casts,
// VALUES as a table, NATURAL FULL JOIN, VARCHAR(n) in CAST.
//
// # How to add an extension statement
//
//  1. Define its type next to the others in create.go (or a new file for a family, such as
//     model.go for CREATE MODEL), with the original text in a SQL field and a Text method.
//  2. Write its recogniser as methods on cursor (ident, name, stringLit, expectWord, fail
//     give line/column errors for free); parse an embedded query with cursor.rest.
//  3. Route to it from parseStatement in parse.go by its first words; return ok=false for
//     forms that TiDB should still parse.
//  4. Add cases to parser_test.go (every clause order, every error) and a seed to
//     testdata/fuzz/FuzzParse, and list it above.
//
// A new rewrite goes into rewrite.go as one method called from rewrite's token loop, with a
// count in rewritten and the matching check in collect, and table cases in rewrite_test.go.
package parser
