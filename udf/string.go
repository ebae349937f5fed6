package udf

// registerStringFunctions registers the string functions.
func registerStringFunctions(r *Registry) {}
