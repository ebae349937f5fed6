package dataframe

import (
	"reflect"
	"strings"
	"testing"
)

type order struct {
	OID    int64   `ember:"id"`
	Person int64   `ember:"person"`
	Amount float64 `ember:"amount"`
}

var orders = []order{{1, 1, 10}, {2, 1, 5}, {3, 3, 7.5}, {4, 5, 20}, {5, 9, 1}}

type city struct {
	Name    string `ember:"name"`
	Country string `ember:"country"`
}

// TestJoinQualifiedColumns: after a Join, each input's Col names its own columns, even
// where both inputs have a column of that name (Spark's df1("id") after a join), through
// Filters, Selects, GroupBy, OrderBy and further joins.
func TestJoinQualifiedColumns(t *testing.T) {
	s := dfSession(t, 2)
	p := peopleDF(t, s)
	o, err := s.FromStructs(orders)
	if err != nil {
		t.Fatal(err)
	}
	j := p.Join(o, p.Col("id").EqualTo(o.Col("person")), "inner")

	// Both inputs have "id": qualified, each is its own.
	got := collect(t, j.Filter(o.Col("amount").Gt(6)).Select(p.Col("name"), o.Col("id").Alias("order_id")).OrderBy("order_id"))
	want := []Row{{"Ann", int64(1)}, {"Cid", int64(3)}, {"Eve", int64(4)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("select after filter: %v, want %v", got, want)
	}
	// Unqualified, "id" is ambiguous, and the error says so.
	if _, err := j.Select("id").CollectRows(t.Context()); err == nil || !strings.Contains(err.Error(), `"id" is ambiguous`) {
		t.Errorf("unqualified id after a join: %v", err)
	}
	// GroupBy and OrderBy on the open join.
	got = collect(t, j.GroupBy(p.Col("name")).Agg(Sum(o.Col("amount")).Alias("total")).OrderBy(Col("total").Desc()))
	want = []Row{{"Eve", 20.0}, {"Ann", 15.0}, {"Cid", 7.5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group by: %v, want %v", got, want)
	}
	got = collect(t, j.OrderBy(o.Col("amount").Desc()).Limit(1).Select(o.Col("id")))
	if len(got) != 1 || got[0][0] != int64(4) {
		t.Errorf("top order: %v", got)
	}
	if n, err := j.Filter(p.Col("age").Lt(40)).Count(t.Context()); err != nil || n != 3 {
		t.Errorf("count %d, %v; want 3", n, err)
	}

	// A third input joins on a column of the first; all three still qualify.
	c, err := s.FromStructs([]city{{"Paris", "FR"}, {"Berlin", "DE"}})
	if err != nil {
		t.Fatal(err)
	}
	j3 := j.Join(c, p.Col("city").EqualTo(c.Col("name")), "left")
	got = collect(t, j3.OrderBy(o.Col("id")).Select(o.Col("id"), p.Col("name"), c.Col("country")))
	want = []Row{{int64(1), "Ann", "FR"}, {int64(2), "Ann", "FR"}, {int64(3), "Cid", "FR"}, {int64(4), "Eve", "DE"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("three-way join: %v, want %v", got, want)
	}
	// A join on the right: its inputs qualify too.
	r := c.Join(j, c.Col("name").EqualTo(p.Col("city")), "inner")
	if n, err := r.Filter(o.Col("amount").Ge(7.5)).Count(t.Context()); err != nil || n != 3 {
		t.Errorf("join with an open join on the right: %d, %v; want 3", n, err)
	}
	// A semi join of the open join keeps its rows and its inputs' names.
	fr := c.Filter("country = 'FR'")
	semi := j.Join(fr, fr.Col("name").EqualTo(p.Col("city")), "semi")
	if n, err := semi.Filter(o.Col("amount").Gt(6)).Count(t.Context()); err != nil || n != 2 {
		t.Errorf("semi join of an open join: %d, %v; want 2 (Ann's 10, Cid's 7.5)", n, err)
	}
	anti := j.Join(fr, fr.Col("name").EqualTo(p.Col("city")), "anti")
	if got := collect(t, anti.Select(p.Col("name"), o.Col("amount"))); !reflect.DeepEqual(got, []Row{{"Eve", 20.0}}) {
		t.Errorf("anti join of an open join: %v", got)
	}
	// Steps that cannot join the open level close it, and mean what they say: a Filter
	// after a Limit filters the limited rows; a right join keeps its unmatched rows even
	// when the left side was filtered.
	top := j.OrderBy(o.Col("amount").Desc()).Limit(2).Filter("amount < 15")
	if got := collect(t, top.Select("amount")); !reflect.DeepEqual(got, []Row{{10.0}}) {
		t.Errorf("filter after limit: %v, want [[10]]", got)
	}
	more, err := s.FromStructs([]city{{"Paris", "FR"}, {"Berlin", "DE"}, {"Rome", "IT"}})
	if err != nil {
		t.Fatal(err)
	}
	rj := j.Filter(o.Col("amount").Gt(6)).Select(p.Col("city"), o.Col("amount")).
		Join(more, Col("city").EqualTo(more.Col("name")), "right")
	if n, err := rj.Count(t.Context()); err != nil || n != 4 {
		t.Errorf("right join of a filtered join: %d, %v; want 4 (Rome unmatched)", n, err)
	}
	// An input's Col after the join was read as a whole: the error says what to do.
	_, err = j.Select(p.Col("city"), o.Col("amount")).Filter(o.Col("amount").Gt(6)).CollectRows(t.Context())
	if err == nil || !strings.Contains(err.Error(), `column "amount" is named through a DataFrame (df.Col) that is not an input of this step`) {
		t.Errorf("input column after a Select: %v", err)
	}
	// A cached join is read as a table: its rows, not its inputs.
	cached := j.Select(p.Col("name"), o.Col("amount")).Cache()
	if n, err := cached.Count(t.Context()); err != nil || n != 4 {
		t.Errorf("cached join: %d, %v", n, err)
	}
}

// TestNoOrderingOutsideOrderBy: an ordering Column where no order is meant is refused.
func TestNoOrderingOutsideOrderBy(t *testing.T) {
	s := dfSession(t, 1)
	p := peopleDF(t, s)
	for name, df := range map[string]*DataFrame{
		"Select":     p.Select(Col("age").Desc()),
		"Filter":     p.Filter(Col("age").Gt(3).Asc()),
		"WithColumn": p.WithColumn("x", Col("age").DescNullsLast()),
		"GroupBy":    p.GroupBy(Col("city").Asc()).Agg(Count("*")),
		"Agg":        p.Agg(Max("age").Desc()),
	} {
		if err := df.Err(); err == nil || !strings.Contains(err.Error(), "takes no ordering Column") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
