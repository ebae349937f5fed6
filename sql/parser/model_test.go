package parser

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
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
		{"EVALUATE MODEL churn", &EvaluateModel{Model: ModelRef{Name: "churn"}}, ""},
		{"evaluate model db.churn@4 on (SELECT a, y FROM t WHERE (a > 1))",
			&EvaluateModel{Model: ModelRef{Name: "db.churn", Version: 4}}, "SELECT a, y FROM t WHERE (a > 1)"},
		{"EVALUATE MODEL m ON ( WITH w AS (SELECT 1 AS a) SELECT a FROM w UNION ALL SELECT 2 )",
			&EvaluateModel{Model: ModelRef{Name: "m"}}, "WITH w AS (SELECT 1 AS a) SELECT a FROM w UNION ALL SELECT 2"},
		{"EVALUATE MODEL m ON (/* held out */ (SELECT 1) UNION (SELECT 2) -- rows\n)",
			&EvaluateModel{Model: ModelRef{Name: "m"}}, "(SELECT 1) UNION (SELECT 2)"},
		{"SHOW JOBS", &ShowJobs{}, ""},
		{"show job job_3", &ShowJob{ID: "job_3"}, ""},
		{"SHOW JOB 3", &ShowJob{ID: "3"}, ""},
		{"SHOW JOB 'job_12'", &ShowJob{ID: "job_12"}, ""},
		{"CANCEL JOB job_1", &CancelJob{ID: "job_1"}, ""},
		{"Cancel Job `7`", &CancelJob{ID: "7"}, ""},
		{`CANCEL JOB "job_2"`, &CancelJob{ID: "job_2"}, ""},
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
			case *EvaluateModel:
				got := ""
				if x.On != nil {
					got = x.On.SQL
					if !x.On.IsSelect() {
						t.Errorf("ON query is a %T", x.On.Node)
					}
				}
				if got != tc.wantQuery {
					t.Errorf("query %q, want %q", got, tc.wantQuery)
				}
				x.On, x.SQL = nil, ""
			case *ShowJobs:
				x.SQL = ""
			case *ShowJob:
				x.SQL = ""
			case *CancelJob:
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
		{"EVALUATE MODEL", 1, 15, "expected a model name at end of statement"},
		{"EVALUATE MODEL m@x", 1, 18, "expected a version number after @"},
		{"EVALUATE MODEL m WITH (SELECT 1)", 1, 18, "expected ON (SELECT ...) or the end of the statement"},
		{"EVALUATE MODEL m ON", 1, 20, "expected '(' and a query after ON at end of statement"},
		{"EVALUATE MODEL m ON t", 1, 21, "expected '(' and a query after ON; for a table t write ON (SELECT * FROM t)"},
		{"EVALUATE MODEL m ON 'x'", 1, 21, "expected '(' and a query after ON"},
		{"EVALUATE MODEL m ON ()", 1, 22, "expected a query inside the parentheses after ON"},
		{"EVALUATE MODEL m ON (SELECT (1)", 1, 21, "the '(' after ON is never closed"},
		{"EVALUATE MODEL m ON (SELECT 1) x", 1, 32, "expected the end of the statement"},
		{"EVALUATE MODEL m ON (DELETE FROM t)", 1, 22, "expected a SELECT query after ON"},
		{"EVALUATE MODEL m ON (SELECT 1 FORM t)", 1, 36, "syntax error"},
		{"SELECT 1;\nEVALUATE MODEL m ON (\n  SELECT a\n  FROM t WHERE)", 4, 15, "syntax error at end of statement"},
		{"SHOW JOBS LIKE 'x'", 1, 11, "expected the end of the statement"},
		{"SHOW JOB", 1, 9, "expected a job id after SHOW JOB at end of statement"},
		{"SHOW JOB ;", 1, 9, "expected a job id after SHOW JOB at end of statement"},
		{"SHOW JOB job_1 job_2", 1, 16, "expected the end of the statement"},
		{"SHOW JOB (1)", 1, 10, "expected a job id after SHOW JOB"},
		{"CANCEL JOB", 1, 11, "expected a job id after CANCEL JOB at end of statement"},
		{"CANCEL JOB ''", 1, 12, "a job id must not be empty"},
		{"CANCEL JOB job-3", 1, 15, "expected the end of the statement"},
	}
	checkParseErrors(t, tests)
}

// Statements that only start like the job and model statements still go to TiDB, and the
// new statements split like any other in a script.
func TestJobWordsGoToTiDB(t *testing.T) {
	for _, sql := range []string{"SHOW TABLES", "SHOW DATABASES", "SELECT * FROM jobs", "SELECT job FROM evaluate", "DESCRIBE jobs"} {
		st, err := Parse(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if _, ok := st[0].(*Query); !ok {
			t.Errorf("%s: %T, want a *Query", sql, st[0])
		}
	}
	// TiDB's own errors, not ours.
	for _, sql := range []string{"SHOW JOBSX", "EVALUATE m", "CANCEL job_1", "SHOW `JOB` 1"} {
		_, err := Parse(sql)
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(pe.Msg, "syntax error") {
			t.Errorf("%s: got %v, want a syntax error from TiDB", sql, err)
		}
	}
	stmts, err := Parse("SHOW JOBS; EVALUATE MODEL m ON (SELECT ';' AS s); CANCEL JOB job_2 ;SHOW JOB 2")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, s := range stmts {
		texts = append(texts, fmt.Sprintf("%T %s", s, s.Text()))
	}
	want := []string{"*parser.ShowJobs SHOW JOBS", "*parser.EvaluateModel EVALUATE MODEL m ON (SELECT ';' AS s)",
		"*parser.CancelJob CANCEL JOB job_2", "*parser.ShowJob SHOW JOB 2"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("got  %q\nwant %q", texts, want)
	}
	if on := stmts[1].(*EvaluateModel).On.SQL; on != "SELECT ';' AS s" {
		t.Errorf("ON query %q", on)
	}
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

func TestOptionNumbers(t *testing.T) {
	stmts, err := Parse("CREATE MODEL m OPTIONS (l2_reg = -1, tol = 1e-6, a = +2.5, b = .5, c = -3.25E+2, d = 7, e = ['x', -1]) AS SELECT 1 AS y")
	if err != nil {
		t.Fatal(err)
	}
	m := stmts[0].(*CreateModel)
	want := map[string]string{"l2_reg": "-1", "tol": "1e-6", "a": "2.5", "b": ".5", "c": "-3.25E+2", "d": "7"}
	for k, v := range want {
		if m.Options[k] != v {
			t.Errorf("option %s = %q, want %q", k, m.Options[k], v)
		}
	}
	if got := m.ListOptions["e"]; len(got) != 2 || got[1] != "-1" {
		t.Errorf("list option e = %q", got)
	}
	for _, bad := range []string{
		"CREATE MODEL m OPTIONS (tol = 1e) AS SELECT 1",
		"CREATE MODEL m OPTIONS (tol = -) AS SELECT 1",
		"CREATE MODEL m OPTIONS (tol = 1-2) AS SELECT 1",
	} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "is not a number") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
