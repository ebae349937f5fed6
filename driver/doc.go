// Package driver is Ember's embedded database/sql driver: Go programs use Ember as they use
// any SQL database, in-process, with no server.
//
//	import (
//		"database/sql"
//		_ "github.com/embersql/ember/driver"
//	)
//
//	db, err := sql.Open("ember", "warehouse=/data/wh?partitions=4")
//	rows, err := db.QueryContext(ctx, "SELECT name FROM t WHERE id = ?", 42)
//
// # Data source names
//
//	dsn      = [location] ["?" option {"&" option}]
//	location = ":memory:" | "file:" path | "warehouse=" path | path
//	option   = key "=" value
//
// The location is a warehouse directory (the catalog and managed tables; created when
// missing), written "warehouse=/dir", "file:/dir", "file:///dir" or "/dir"; an empty one is
// dataframe.DefaultWarehouse(). ":memory:" keeps the catalog in memory, and then every
// connection has a catalog of its own, as SQLite's :memory: does: to see a table created
// through one connection, keep to one connection (db.SetMaxOpenConns(1), or a *sql.Conn).
// Keys: partitions (stages' partitions, default the number of cores) and batch_size (rows
// per batch, default 8192) and memory_limit (a size such as 512MiB or 2GB: the Arrow memory
// one connection's statement may hold; past it the statement fails with a resource-exhausted
// error, as nothing spills to disk yet). An unknown key, a repeated key or a bad value is an error naming the key.
// Paths and values are percent-decoded. ParseDSN reads a DSN into a Config;
// sql.OpenDB(NewConnector(cfg)) opens a Config built in Go, which may also set the Arrow
// allocator (a checked one in tests).
//
// # Connections, statements, parameters
//
// Each connection is one dataframe.Session: temporary views live in the connection that
// created them (database/sql may hand a query any idle connection of the pool; use a
// *sql.Conn to keep to one). Connections to one warehouse share its folder; each reads the
// catalog when it opens. Conn.QueryContext/ExecContext and prepared statements run
// through Session.ExecParams: ? markers take the arguments in the order they are written,
// as literals of the types binder.SetParams lists (int64, float64, string, []byte, bool,
// time.Time as a UTC TIMESTAMP, nil as NULL, Decimal as DECIMAL); a count that does not
// match is an error naming both counts. Named arguments are refused. A prepared statement
// is parsed when prepared (syntax errors surface there) and bound and planned at every
// execution.
//
// Results: a query's batches are read row by row (rows.go: each column's reader is chosen
// once per batch) and released when the Rows are closed. Values are int64, float64, bool,
// string, time.Time (UTC), Decimal and []byte, with ARRAY and VECTOR in their text form;
// ColumnTypes gives the SQL type name, DECIMAL precision and scale, nullability and a scan
// type. Exec's RowsAffected is dataframe.Result.RowsAffected; LastInsertId is an error.
//
// A canceled context or a passed deadline stops a running query; the error wraps
// ctx.Err(). Transactions are not supported: Begin is an error, and every statement
// commits on its own.
//
// Place in the import table of DESIGN.md: a front end beside cmd/*; it imports dataframe,
// sql/parser (to check a prepared statement's syntax), sql/planner (type predicates),
// internal/format (the text of nested values) and internal/errs. Nothing in Ember imports it.
//
// How to support a new result type: add its reader to readerOf (rows.go), its name to
// databaseTypeName and its scan type to ColumnTypeScanType, with a case in driver_test.go's
// TestColumnTypes. A new parameter type goes into binder.SetParams (binder/params.go).
package driver
