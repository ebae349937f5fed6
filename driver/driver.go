package driver

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"

	"github.com/embersql/ember/dataframe"
)

// DriverName is the name the package registers with database/sql.
const DriverName = "ember"

func init() {
	// database/sql's registry is process-global by design; registering on import is how Go
	// SQL drivers are used (import _ ".../driver"), the one init-filled registry in Ember.
	sql.Register(DriverName, Driver{})
}

// Driver is Ember's database/sql driver. Open parses the DSN at every call; database/sql
// prefers OpenConnector, which parses it once per sql.DB.
type Driver struct{}

var (
	_ sqldriver.Driver        = Driver{}
	_ sqldriver.DriverContext = Driver{}
)

// Open opens one connection (one dataframe.Session) on the DSN (see ParseDSN).
func (d Driver) Open(dsn string) (sqldriver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector parses the DSN (see ParseDSN) into a Connector.
func (Driver) OpenConnector(dsn string) (sqldriver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return NewConnector(*cfg), nil
}

// Connector opens connections of one configuration; use it with sql.OpenDB when the
// configuration is built in Go rather than parsed from a DSN (for instance to set
// Config.Allocator). Safe for concurrent use.
type Connector struct {
	cfg Config
}

var _ sqldriver.Connector = (*Connector)(nil)

// NewConnector returns a Connector that opens sessions configured by cfg.
func NewConnector(cfg Config) *Connector { return &Connector{cfg: cfg} }

// Connect opens a new session: its own temporary views and configuration over the
// warehouse's catalog (read from disk when the session opens), or over an empty catalog of
// its own when the configuration is in memory.
func (c *Connector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := dataframe.NewSession(c.cfg.sessionOptions()...)
	if err != nil {
		return nil, err
	}
	return &conn{s: s}, nil
}

// Driver returns the Driver.
func (c *Connector) Driver() sqldriver.Driver { return Driver{} }
