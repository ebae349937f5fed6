package tpch

// Table describes one TPC-H table: its name and the DuckDB DDL that fixes the column types
// of the Parquet files written by Generate.
type Table struct {
	// Name is the table name, lower case, as the queries spell it.
	Name string
	// Columns is the column list of CREATE TABLE, in TPC-H order.
	Columns string
}

// Tables lists the eight TPC-H tables in the order Generate writes them.
//
// The types follow the TPC-H specification (clause 1.3): identifiers are BIGINT (they must
// hold every key of any scale factor; o_orderkey passes 2^31 near SF 360), other integers
// INTEGER, money and quantities DECIMAL(15,2), dates DATE. Fixed and variable text (CHAR(n),
// VARCHAR(n)) is VARCHAR: DuckDB stores CHAR(n) as VARCHAR without padding, which matches
// MySQL's trailing-space removal on CHAR. Every column is NOT NULL, so a malformed generated
// row fails the load instead of turning into a NULL.
var Tables = []Table{
	{"nation", `n_nationkey BIGINT NOT NULL,
	n_name VARCHAR NOT NULL,
	n_regionkey BIGINT NOT NULL,
	n_comment VARCHAR NOT NULL`},
	{"region", `r_regionkey BIGINT NOT NULL,
	r_name VARCHAR NOT NULL,
	r_comment VARCHAR NOT NULL`},
	{"supplier", `s_suppkey BIGINT NOT NULL,
	s_name VARCHAR NOT NULL,
	s_address VARCHAR NOT NULL,
	s_nationkey BIGINT NOT NULL,
	s_phone VARCHAR NOT NULL,
	s_acctbal DECIMAL(15,2) NOT NULL,
	s_comment VARCHAR NOT NULL`},
	{"customer", `c_custkey BIGINT NOT NULL,
	c_name VARCHAR NOT NULL,
	c_address VARCHAR NOT NULL,
	c_nationkey BIGINT NOT NULL,
	c_phone VARCHAR NOT NULL,
	c_acctbal DECIMAL(15,2) NOT NULL,
	c_mktsegment VARCHAR NOT NULL,
	c_comment VARCHAR NOT NULL`},
	{"part", `p_partkey BIGINT NOT NULL,
	p_name VARCHAR NOT NULL,
	p_mfgr VARCHAR NOT NULL,
	p_brand VARCHAR NOT NULL,
	p_type VARCHAR NOT NULL,
	p_size INTEGER NOT NULL,
	p_container VARCHAR NOT NULL,
	p_retailprice DECIMAL(15,2) NOT NULL,
	p_comment VARCHAR NOT NULL`},
	{"partsupp", `ps_partkey BIGINT NOT NULL,
	ps_suppkey BIGINT NOT NULL,
	ps_availqty INTEGER NOT NULL,
	ps_supplycost DECIMAL(15,2) NOT NULL,
	ps_comment VARCHAR NOT NULL`},
	{"orders", `o_orderkey BIGINT NOT NULL,
	o_custkey BIGINT NOT NULL,
	o_orderstatus VARCHAR NOT NULL,
	o_totalprice DECIMAL(15,2) NOT NULL,
	o_orderdate DATE NOT NULL,
	o_orderpriority VARCHAR NOT NULL,
	o_clerk VARCHAR NOT NULL,
	o_shippriority INTEGER NOT NULL,
	o_comment VARCHAR NOT NULL`},
	{"lineitem", `l_orderkey BIGINT NOT NULL,
	l_partkey BIGINT NOT NULL,
	l_suppkey BIGINT NOT NULL,
	l_linenumber INTEGER NOT NULL,
	l_quantity DECIMAL(15,2) NOT NULL,
	l_extendedprice DECIMAL(15,2) NOT NULL,
	l_discount DECIMAL(15,2) NOT NULL,
	l_tax DECIMAL(15,2) NOT NULL,
	l_returnflag VARCHAR NOT NULL,
	l_linestatus VARCHAR NOT NULL,
	l_shipdate DATE NOT NULL,
	l_commitdate DATE NOT NULL,
	l_receiptdate DATE NOT NULL,
	l_shipinstruct VARCHAR NOT NULL,
	l_shipmode VARCHAR NOT NULL,
	l_comment VARCHAR NOT NULL`},
}
