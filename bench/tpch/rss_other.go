//go:build !unix

package tpch

import "os"

// peakRSSKiB is 0 where the system's rusage has no peak resident set size (see rss.go).
func peakRSSKiB(*os.ProcessState) int64 { return 0 }
