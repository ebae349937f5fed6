package ml

import (
	"context"
	"database/sql"
	"testing"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/driver"
)

// TestDriverWithModels: a database/sql program that passes Extension in the driver's
// Config gets the model statements and ml_predict, with ? parameters as features.
func TestDriverWithModels(t *testing.T) {
	db := sql.OpenDB(driver.NewConnector(driver.Config{InMemory: true, Extensions: []dataframe.Extension{Extension()}}))
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx) // one connection: models of an in-memory catalog live in its session
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE MODEL m FROM '../testdata/ml/mlp_multi.json'"); err != nil {
		t.Fatal(err)
	}
	var label int64
	var p float64
	err = conn.QueryRowContext(ctx, "SELECT ml_predict('m', ?, ?, ?, ?, ?), ml_predict_proba('m', ?, ?, ?, ?, ?)[2]",
		0.1, 0.2, 0.3, 0.4, 0.5, 0.1, 0.2, 0.3, 0.4, 0.5).Scan(&label, &p)
	if err != nil {
		t.Fatal(err)
	}
	if label != 3 && label != 5 && label != 7 || p < 0 || p > 1 {
		t.Errorf("label %d, probability %v", label, p)
	}
	plain := sql.OpenDB(driver.NewConnector(driver.Config{InMemory: true}))
	defer plain.Close()
	if _, err := plain.ExecContext(ctx, "SHOW MODELS"); err == nil {
		t.Error("SHOW MODELS ran without the extension")
	}
}
