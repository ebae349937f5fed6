package parser

// statsForms rewrites the statistics statements of Spark and Ember into TiDB's grammar
// (statementForms calls it for statements starting ANALYZE, or SHOW STATS):
//
//	ANALYZE TABLE t COMPUTE STATISTICS                  → ANALYZE TABLE t
//	ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b → ANALYZE TABLE t COLUMNS a, b
//	ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS  → ANALYZE TABLE t ALL COLUMNS
//	SHOW STATS [FOR] t                                  → SHOW COLUMNS FROM t
//
// The last is recorded for [Query.ShowStats]. TiDB's own ANALYZE TABLE t [COLUMNS a, b |
// ALL COLUMNS] passes unchanged, and anything else after COMPUTE STATISTICS (Spark's
// NOSCAN) is left for TiDB to reject. Only the words at these places are rewritten: a
// table named compute or stats is a name.
func (r *rewriter) statsForms() {
	if r.isWord(0, "SHOW") {
		r.replace(1, "COLUMNS FROM")
		if r.isWord(2, "FOR") && r.isName(3) {
			r.replace(2, "")
		}
		r.out.showStats = true
		return
	}
	i := 1
	if r.isWord(i, "NO_WRITE_TO_BINLOG") || r.isWord(i, "LOCAL") {
		i++
	}
	if !r.isWord(i, "TABLE") {
		return
	}
	// The table names: name[.name] [, ...].
	for i++; ; i++ {
		if !r.isName(i) {
			return
		}
		if r.isPunct(i+1, '.') {
			if i += 2; !r.isName(i) {
				return
			}
		}
		if !r.isPunct(i+1, ',') {
			break
		}
		i++
	}
	i++
	if !r.isWord(i, "COMPUTE") || !r.isWord(i+1, "STATISTICS") {
		return
	}
	r.replace(i, "")
	r.replace(i+1, "")
	if r.isWord(i+2, "FOR") && (r.isWord(i+3, "COLUMNS") || r.isWord(i+3, "ALL") && r.isWord(i+4, "COLUMNS")) {
		r.replace(i+2, "")
	}
}
