//go:build !unix

package tablestore

// takeLock does nothing where there is no flock: the catalog must not open a table folder
// twice.
func (t *Table) takeLock() error { return nil }

func (t *Table) unlock() {}
