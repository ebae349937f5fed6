package udf

// registerBuiltins fills a root registry with every built-in function. Adding a built-in is
// one line here plus its struct in the family file (aggregate.go, string.go, ...).
func registerBuiltins(r *Registry) {
	registerAggregates(r)
	registerStatAggregates(r)
	registerStringFunctions(r)
	registerDateFunctions(r)
	registerMathFunctions(r)
	registerArrayFunctions(r)
	registerTableFunctions(r)
}
