package udf

// registerMathFunctions registers the math functions.
func registerMathFunctions(r *Registry) {}
