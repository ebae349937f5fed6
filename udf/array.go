package udf

// registerArrayFunctions registers the array and vector functions.
func registerArrayFunctions(r *Registry) {}
