package parser

import (
	"reflect"
	"testing"
)

func TestModelStatements(t *testing.T) {
	tests := []struct {
		sql       string
		want      Statement // SQL fields and queries are checked separately
		wantQuery string
	}{
		{"CREATE MODEL churn FROM '/m/churn.json' OPTIONS (format 'xgboost')",
			&CreateModel{Name: "churn", From: "/m/churn.json", Options: map[string]string{"format": "xgboost"}, ListOptions: map[string][]string{}}, ""},
		{"create or replace model db.m from \"x.json\"",
			&CreateModel{Name: "db.m", OrReplace: true, From: "x.json", Options: map[string]string{}, ListOptions: map[string][]string{}}, ""},
		{"CREATE MODEL IF NOT EXISTS m OPTIONS (model_type = 'logistic_reg', input_label_cols = ['y'], l2_reg = 0.5, max_iterations=20) AS SELECT a, b, y FROM t",
			&CreateModel{Name: "m", IfNotExists: true,
				Options:     map[string]string{"model_type": "logistic_reg", "l2_reg": "0.5", "max_iterations": "20"},
				ListOptions: map[string][]string{"input_label_cols": {"y"}}}, "SELECT a, b, y FROM t"},
		{"CREATE MODEL m OPTIONS (model_type='kmeans', num_clusters=5, cols=[]) AS SELECT * FROM t ASYNC",
			&CreateModel{Name: "m", Async: true, Options: map[string]string{"model_type": "kmeans", "num_clusters": "5"},
				ListOptions: map[string][]string{"cols": {}}}, "SELECT * FROM t"},
		{"SHOW MODELS", &ShowModels{}, ""},
		{"show models like 'ch%'", &ShowModels{Like: "ch%"}, ""},
		{"DESCRIBE MODEL churn@3", &DescribeModel{Model: ModelRef{Name: "churn", Version: 3}}, ""},
		{"DESC MODEL `my model`", &DescribeModel{Model: ModelRef{Name: "my model"}}, ""},
		{"DROP MODEL IF EXISTS churn", &DropModel{Model: ModelRef{Name: "churn"}, IfExists: true}, ""},
		{"DROP MODEL churn@2", &DropModel{Model: ModelRef{Name: "churn", Version: 2}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			st := parseOne(t, tc.sql)
			if st.Text() != tc.sql {
				t.Errorf("text %q", st.Text())
			}
			switch x := st.(type) {
			case *CreateModel:
				got := ""
				if x.AsSelect != nil {
					got = x.AsSelect.SQL
				}
				if got != tc.wantQuery {
					t.Errorf("query %q, want %q", got, tc.wantQuery)
				}
				x.AsSelect, x.SQL = nil, ""
			case *ShowModels:
				x.SQL = ""
			case *DescribeModel:
				x.SQL = ""
			case *DropModel:
				x.SQL = ""
			}
			if !reflect.DeepEqual(st, tc.want) {
				t.Errorf("got  %#v\nwant %#v", st, tc.want)
			}
		})
	}
}

func TestModelStatementErrors(t *testing.T) {
	tests := []parseErrorCase{
		{"CREATE MODEL m", 1, 15, "CREATE MODEL needs FROM 'path' (import) or AS SELECT ... (training) at end of statement"},
		{"CREATE MODEL m@2 FROM 'x'", 1, 14, "CREATE MODEL makes a new version itself; name the model without @version"},
		{"CREATE MODEL m FROM x", 1, 21, "expected a quoted path after FROM"},
		{"CREATE MODEL m FROM ''", 1, 21, "the model path must not be empty"},
		{"CREATE MODEL m FROM 'x' AS SELECT 1", 1, 25, "a model is either imported (FROM 'path') or trained (AS SELECT ...), not both"},
		{"CREATE MODEL m OPTIONS (a = [1, ) AS SELECT 1", 1, 33, `expected a quoted string, a number, TRUE or FALSE as the value of option "a"`},
		{"CREATE MODEL m OPTIONS (a 1, a 2) AS SELECT 1", 1, 30, `option "a" given twice`},
		{"CREATE MODEL m FROM 'x' ASYNC", 1, 25, "ASYNC trains a model: it goes after AS SELECT ..."},
		{"CREATE MODEL m AS DELETE FROM t", 1, 19, "expected a SELECT query after AS"},
		{"CREATE TEMPORARY MODEL m FROM 'x'", 1, 8, "a model cannot be GLOBAL, TEMPORARY or EXTERNAL"},
		{"CREATE OR REPLACE MODEL IF NOT EXISTS m FROM 'x'", 1, 25, "OR REPLACE and IF NOT EXISTS cannot be used together"},
		{"DESCRIBE MODEL m@", 1, 18, "expected a version number after @ at end of statement"},
		{"DESCRIBE MODEL m@0", 1, 18, "a model version is a number from 1"},
		{"DROP MODEL", 1, 11, "expected a model name at end of statement"},
		{"SHOW MODELS LIKE x", 1, 18, "expected a quoted pattern after LIKE"},
		{"SHOW MODELS now", 1, 13, "expected the end of the statement"},
	}
	checkParseErrors(t, tests)
}

// A table named model or models is still a table.
func TestModelWordsAreNames(t *testing.T) {
	for _, sql := range []string{"SELECT * FROM models", "DROP TABLE model", "DESCRIBE models"} {
		st, err := Parse(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if _, ok := st[0].(*Query); !ok {
			t.Errorf("%s: %T, want a *Query", sql, st[0])
		}
	}
}
