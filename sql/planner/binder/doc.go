// Package binder turns TiDB's AST (github.com/pingcap/tidb/pkg/parser/ast), as sql/parser
// produces it, into bound, typed logical plans (sql/planner): it resolves names against a
// planner.Catalog and the columns in scope, looks functions up in a udf.Registry, applies the
// type coercions below as explicit planner.Cast nodes, and reports what is wrong and where.
//
// Place in the import table (DESIGN.md): binder imports sql/planner, sql/parser, udf,
// internal/errs and TiDB's parser packages. It must not import sql/optimizer or exec. Only
// sql/parser and this package see TiDB AST types.
//
// # Entry points
//
// Binder.BindQuery binds a SELECT or set operation; Binder.BindExpr and BindNamedExpr bind
// one scalar expression against a schema (the DataFrame API's SelectExpr and Filter). A
// Binder holds no state between calls: each call binds in a fresh state (state), and a view's
// text is bound in a state of its own.
//
// # What a SELECT becomes
//
//	FROM → Filter(WHERE) → [Aggregate → Filter(HAVING)] → Project(select list + hidden ORDER
//	BY columns) → [Distinct] → [Sort] → [Limit] → [Project(select list)]
//
// FROM a, b and CROSS JOIN are cross joins, JOIN ... ON inner joins, LEFT/RIGHT/FULL outer
// joins (FULL through parser.Query.IsFullJoin). A derived table or CTE reference is
// SubqueryAlias(alias); a view is parsed and bound inline under SubqueryAlias(view name); a
// CTE's query is bound again at each reference so that two references never share column
// IDs. Spark's FROM parquet.`/path` (also csv, json) reads Catalog.FileTable. SELECT without
// FROM projects over Values of one empty row. UNION ALL is Union; UNION is Distinct(Union),
// folded left to right as MySQL does.
//
// Aggregates (looked up with Registry.Aggregate; TiDB parses the built-in names as
// AggregateFuncExpr, a user aggregate as a plain call) may appear in the select list, HAVING
// and ORDER BY; all of them are collected into one Aggregate, and what follows reads its
// output columns. A select-list, HAVING or ORDER BY expression may only use grouping keys
// (matched structurally, so GROUP BY a + 1 allows SELECT (a + 1) * 2) and aggregates: any
// other column is an error (Spark and ONLY_FULL_GROUP_BY semantics). HAVING without GROUP BY
// makes the query a global aggregate, as in Spark. count(*) and count of a non-NULL constant
// are an AggregateCall without arguments.
//
// Name resolution is case-insensitive. GROUP BY takes positions, FROM columns and then
// select-list aliases; HAVING and ORDER BY take select-list names first, then FROM columns
// (MySQL's order); ORDER BY also takes positions and columns outside the select list (added as
// hidden columns, projected away after the Sort; refused under DISTINCT). NULLs sort first
// under ASC and last under DESC unless the query says NULLS FIRST/LAST.
//
// Output names are as MySQL shows them: the alias, else the column's name for a bare column,
// else the expression's text as written (sum(l_quantity)).
//
// # Type coercion (coerce.go)
//
// Types fall into families (NULL, BOOLEAN, integer, DECIMAL, float, string, DATE, TIMESTAMP).
// compareTable, unionTable and arithTable say which family two families meet in; the concrete
// type is then chosen from the operands.
//
//   - Comparisons, BETWEEN, IN lists, simple CASE operands (compareCtx): integers meet in their
//     common integer type (an integer literal adopts the other side's type when it fits, so
//     int_col = 5 casts nothing), else BIGINT; integer and DECIMAL in a DECIMAL with the most
//     integer digits and the largest scale of both (an integer literal counts only its
//     digits); anything and a float in DOUBLE; BOOLEAN and an integer in the integer. A string
//     literal facing a number is read as a number at bind time, one facing a DATE or
//     TIMESTAMP as a DATE (date only) or TIMESTAMP literal: text that does not read is a plan
//     error. A non-literal string meets a number in DOUBLE and a date in the date type. DATE
//     and TIMESTAMP meet in TIMESTAMP.
//   - CASE/IF/COALESCE/IFNULL/NULLIF results and UNION branches (unionCtx): as above, except
//     that a string meeting a number, BOOLEAN or date makes a VARCHAR.
//   - NULL literals take the type of what they meet.
//   - Arithmetic: NULL takes the other operand's type; strings become DOUBLE; any float makes
//     DOUBLE; integers make BIGINT; DECIMAL with an integer or DECIMAL makes DECIMAL. For
//     addition and subtraction both operands become DECIMAL(i+s, s) (i, s the largest integer
//     digits and scale) and the result DECIMAL(i+s+1, s); * keeps the operands and gives DECIMAL(p1+p2, s1+s2); /
//     (integers included: MySQL's int / int is DECIMAL) keeps the operands and gives scale
//     s1+4 (div_precision_increment) and precision p1-s1+s2+(s1+4); DIV gives BIGINT; % the
//     operands' common type. A precision past 38 is capped as Spark does: integer digits are
//     kept and the scale gives way down to min(s, 6).
//   - Explicit CAST follows castTable (no CAST from a date to a number, for instance). Its
//     types: SIGNED/INTEGER → BIGINT, DECIMAL(p,s) (default (10,0)), DOUBLE/REAL → DOUBLE,
//     FLOAT → FLOAT, CHAR/VARCHAR → VARCHAR, DATE, DATETIME/TIMESTAMP → TIMESTAMP, BOOLEAN.
//
// Literals: integers are BIGINT, 1.5 is DECIMAL(2,1) (exactly its digits), 1e3 DOUBLE, DATE
// '...' and TIMESTAMP '...' are checked at bind time. `x ± INTERVAL n unit` and
// date_add/date_sub/adddate/subdate are planner.AddInterval (n an integer constant; units
// MICROSECOND to YEAR, WEEK and QUARTER included); a DATE plus a time unit is a TIMESTAMP.
//
// # Errors
//
// Errors are errs.ErrPlan (names, types, misuse) or errs.ErrNotImplemented (row subqueries,
// IGNORE NULLS in windows, TIME values, ...).
//
// Subqueries in expressions (subquery.go) bind into planner.Subquery with OuterRef for names
// found only in an enclosing query (state.outer); the optimizer decorrelates them. Window
// calls (window.go), grouping sets (grouping.go), generators such as explode (generate.go),
// table functions in FROM (table_function.go: the parser's recorded call, constant arguments
// folded, udf.TableFunction.Bind, a scan of a planner.FunctionTable) and the calls whose
// arguments TiDB parses into special forms (funcs.go) each have a file. A function that
// implements udf.ConstArgBinder (ml_predict) sees its constant arguments and column names
// before it is typed (funcs.go, bindConstArgs).
//
// TiDB's AST keeps few positions: position.go uses an expression node's recorded offset when
// it really starts with the name, else the first occurrence of the name in the statement's
// text outside strings and comments, and says "at line L, column C" of the script. Unknown
// columns, tables and functions add the nearest visible name (udf.Nearest).
//
// # How to add an expression form
//
//  1. add its case to bindExpr in expr.go (or, for a named form such as a date function, to
//     bindFuncCall), binding children with s.bindExpr and typing them with unify, arith,
//     castTo or toBool from coerce.go/expr.go;
//  2. if it needs a coercion the tables do not have, add a row to the table in coerce.go and
//     a line to the coercion section above;
//  3. add cases to bindCases (bind_test.go) and, for its errors, errorCases (errors_test.go).
//
// A new logical expression type belongs in sql/planner first (ask its owner).
//
// # How to add a statement or clause
//
//  1. bind it from bindQueryNode (select.go) or from the statement's own file here, producing
//     planner nodes through their validating constructors (a constructor error is the binder's
//     bug: wrap it with internal);
//  2. keep the per-statement state in state, never in Binder;
//  3. add bind and error cases as above.
package binder
