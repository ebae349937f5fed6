//go:build unix

package tpch

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSKiB is the peak resident set size of an exited child process, in KiB: the
// ru_maxrss that wait4 returned for it (Linux counts it in KiB, macOS in bytes). It is 0
// when the system gives no rusage.
func peakRSSKiB(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) / 1024
	}
	return int64(ru.Maxrss)
}
