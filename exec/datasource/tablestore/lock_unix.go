//go:build unix

package tablestore

import (
	"errors"
	"os"
	"syscall"

	"github.com/embersql/ember/internal/errs"
)

// takeLock takes an exclusive flock on the folder's lock file, so that a second Table on
// the same folder (in this process or another) fails instead of corrupting it.
func (t *Table) takeLock() error {
	f, err := os.OpenFile(t.path(lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: opening its lock file", t.opts.Name)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return errs.Execf("table %s in %s is already open (in this process or another)", t.opts.Name, t.dir)
		}
		return errs.Wrap(errs.ErrExecution, err, "table %s: locking %s", t.opts.Name, t.dir)
	}
	t.lock = f
	return nil
}

// unlock releases the lock taken by takeLock (closing the file drops the flock).
func (t *Table) unlock() {
	if t.lock != nil {
		t.lock.Close()
		t.lock = nil
	}
}
