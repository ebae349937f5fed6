package ml

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/embersql/ember/internal/errs"
)

// What the model kinds share: strict JSON numbers for model files, and the checks of
// Predict's arguments.

// jsonFloat is a float64 in a model file. Unlike a plain float64 it refuses JSON null
// (which encoding/json would silently leave as 0) and anything but a number.
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("expected a number, got %.20s", b)
	}
	*f = jsonFloat(v)
	return nil
}

// jsonInt is an integer in a model file; it refuses null, fractions and values outside
// int64.
type jsonInt int64

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("expected an integer, got %.20s", b)
	}
	*n = jsonInt(v)
	return nil
}

// jsonFlag is a boolean written either as true/false (early XGBoost 1.x JSON) or as 0/1
// (later versions).
type jsonFlag bool

func (f *jsonFlag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", "1":
		*f = true
	case "false", "0":
		*f = false
	default:
		return fmt.Errorf("expected true, false, 0 or 1, got %.20s", b)
	}
	return nil
}

// checkPredictArgs validates the shapes Predict and PredictProba receive: features holds
// rows × numFeatures values (numFeatures ≥ 1) and out holds rows × width (width is at most
// the number of classes, which the loaders bound).
func checkPredictArgs(kind string, features []float32, rows, numFeatures int, out []float64, width int) error {
	if rows < 0 {
		return errs.Execf("%s model: negative row count %d", kind, rows)
	}
	// Division, not rows*numFeatures, which a hostile model file could make overflow.
	if len(features)%numFeatures != 0 || len(features)/numFeatures != rows {
		return errs.Execf("%s model: got %d feature values for %d rows of %d features",
			kind, len(features), rows, numFeatures)
	}
	if len(out) != rows*width {
		return errs.Execf("%s model: output holds %d values, want %d (%d rows × %d)",
			kind, len(out), rows*width, rows, width)
	}
	return nil
}

// cancelEvery is how many rows the predict loops run between checks of the context.
const cancelEvery = 4096

func checkCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return errs.Canceled(err)
	}
	return nil
}

// expf is C's expf as XGBoost calls it: exp in float32. Computing in float64 and rounding
// once is the correctly rounded result, which glibc's expf also returns for all but rare
// inputs (it is accurate to well under one float32 ulp either way).
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// logf is C's logf, rounded the same way.
func logf(x float32) float32 { return float32(math.Log(float64(x))) }
