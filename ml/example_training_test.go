package ml_test

import (
	"context"
	"fmt"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/ml"
)

// Training from Go, as with Spark ML: a logistic regression's regularization chosen by
// 3-fold cross-validation, then a pipeline of a scaler and the model, scored on a
// held-out split.
func Example_training() {
	ctx := context.Background()
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(2),
		dataframe.WithExtensions(ml.Extension()))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	iris, err := s.ReadParquet("../testdata/sample/iris.parquet")
	if err != nil {
		panic(err)
	}
	data := iris.Cache() // read once, however many fits follow
	train, test := ml.TrainTestSplit(data, 0.3, 7)

	features := []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}
	scaled := []string{"sl", "sw", "pl", "pw"}
	scaler := ml.NewStandardScaler(features, scaled)
	lr := ml.NewLogisticRegression()
	lr.LabelCol, lr.FeaturesCols = "species", scaled

	// Choose the regularization by 3-fold cross-validation on the scaled training rows.
	fitted, err := scaler.Fit(ctx, train)
	if err != nil {
		panic(err)
	}
	cv := ml.CrossValidator{
		Estimator: lr,
		Grid:      ml.NewParamGrid().Add("RegParam", 0.001, 1.0).Build(),
		Evaluator: ml.Evaluator{Metric: "log_loss", LabelCol: "species"},
		NumFolds:  3,
		Seed:      1,
	}
	best, err := cv.Fit(ctx, fitted.Transform(train))
	if err != nil {
		panic(err)
	}
	fmt.Println("best parameters:", best.BestParams)

	// The chosen model in a pipeline with its scaler, fitted on every training row.
	lr.RegParam = best.BestParams["RegParam"].(float64)
	model, err := ml.Pipeline{Stages: []ml.PipelineStage{scaler, lr}}.FitPipeline(ctx, train)
	if err != nil {
		panic(err)
	}
	acc, err := ml.Evaluator{Metric: "accuracy", LabelCol: "species"}.Evaluate(ctx, model.Transform(test))
	if err != nil {
		panic(err)
	}
	fmt.Println("test accuracy above 0.9:", acc > 0.9)
	// Output:
	// best parameters: map[RegParam:0.001]
	// test accuracy above 0.9: true
}
