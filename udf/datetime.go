package udf

// registerDateFunctions registers the date and time functions.
func registerDateFunctions(r *Registry) {}
