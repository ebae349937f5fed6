package ml

// trainers maps CREATE MODEL's model_type option to the Trainer its OPTIONS configure.
// Adding an algorithm: write ml/<kind>.go (estimator, trainer, model, JSON save/load),
// add its model kind to builtinKinds (kinds.go) and its model_type here.
var trainers = map[string]func(o *Options) (Trainer, error){
	"logistic_reg": newLogisticTrainer,
	"linear_reg":   newLinearTrainer,
	"kmeans":       newKMeansTrainer,
}
