package udf

// registerAggregates registers the built-in aggregate functions.
func registerAggregates(r *Registry) {}
