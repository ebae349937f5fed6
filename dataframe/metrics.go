package dataframe

import "sync/atomic"

// Metrics counts what the DataFrame actions of a session read, summed over their queries
// (Session.Metrics). An iterative job over a cached DataFrame shows one source scan (the
// build) and then only cache scans.
type Metrics struct {
	// SourceScans counts the scan operators that read tables or files (not caches);
	// SourceRowsRead the rows they returned.
	SourceScans, SourceRowsRead atomic.Int64
	// CacheScans counts the scan operators that read cached DataFrames; CacheRowsRead the
	// rows they returned.
	CacheScans, CacheRowsRead atomic.Int64
	// CacheBuilds counts the times a cache was built (a lost split rebuilds it).
	CacheBuilds atomic.Int64
}

// MetricsSnapshot is a copy of Metrics' counters at one moment.
type MetricsSnapshot struct {
	SourceScans, SourceRowsRead, CacheScans, CacheRowsRead, CacheBuilds int64
}

// Metrics returns the session's DataFrame metrics so far.
func (s *Session) Metrics() MetricsSnapshot {
	m := &s.df.metrics
	return MetricsSnapshot{SourceScans: m.SourceScans.Load(), SourceRowsRead: m.SourceRowsRead.Load(),
		CacheScans: m.CacheScans.Load(), CacheRowsRead: m.CacheRowsRead.Load(), CacheBuilds: m.CacheBuilds.Load()}
}
