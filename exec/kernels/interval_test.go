package kernels

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestAddInterval(t *testing.T) {
	const hour = int64(3600 * microsPerSecond)
	cases := []struct {
		name         string
		from, to     arrow.DataType
		months, days int32
		micros       int64
		in, want     string
	}{
		{"end of month", planner.Date, planner.Date, 1, 0, 0,
			`["2024-01-31", "2023-01-31", "2024-03-31", "2024-12-15", "2024-01-30", null]`,
			`["2024-02-29", "2023-02-28", "2024-04-30", "2025-01-15", "2024-02-29", null]`},
		{"minus a month", planner.Date, planner.Date, -1, 0, 0,
			`["2024-03-31", "2023-03-29", "2024-01-15", "1970-01-31"]`,
			`["2024-02-29", "2023-02-28", "2023-12-15", "1969-12-31"]`},
		{"a year from a leap day", planner.Date, planner.Date, 12, 0, 0, `["2024-02-29", "2000-02-29"]`, `["2025-02-28", "2001-02-28"]`},
		{"centuries", planner.Date, planner.Date, 1200, 0, 0, `["1900-02-28", "2000-02-29"]`, `["2000-02-28", "2100-02-28"]`},
		{"days", planner.Date, planner.Date, 0, -1, 0, `["2024-03-01", "2023-03-01", "1970-01-01"]`, `["2024-02-29", "2023-02-28", "1969-12-31"]`},
		{"months then days", planner.Date, planner.Date, 1, 1, 0, `["2024-01-31"]`, `["2024-03-01"]`},
		{"date plus hours", planner.Date, planner.Timestamp, 0, 0, 25 * hour, `["2024-02-28", null]`, `["2024-02-29 01:00:00", null]`},
		{"timestamp end of month", planner.Timestamp, planner.Timestamp, 1, 0, 0,
			`["2024-01-31 10:00:00.5", "1969-12-31 23:00:00", null]`, `["2024-02-29 10:00:00.5", "1970-01-31 23:00:00", null]`},
		{"timestamp minus micros", planner.Timestamp, planner.Timestamp, 0, 0, -1,
			`["1970-01-01 00:00:00", "2024-03-01 00:00:00"]`, `["1969-12-31 23:59:59.999999", "2024-02-29 23:59:59.999999"]`},
		{"timestamp mixed", planner.Timestamp, planner.Timestamp, -13, 2, hour,
			`["2024-03-31 23:30:00"]`, `["2023-03-03 00:30:00"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			in := fromJSON(t, mem, c.from, rep(c.in, 3))
			want := fromJSON(t, mem, c.to, rep(c.want, 3))
			checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) {
				return AddInterval(mem, in[0], c.months, c.days, c.micros)
			}, in)
		})
	}
}

func TestAddIntervalErrors(t *testing.T) {
	mem := newMem(t)
	ts := fromJSON(t, mem, planner.Timestamp, `["2024-01-01 00:00:00"]`)
	_, err := AddInterval(mem, ts, 0, 0, math.MaxInt64)
	wantErr(t, err, "timestamp out of range adding INTERVAL")
	if !errors.Is(err, errs.ErrExecution) {
		t.Fatalf("%v is not an execution error", err)
	}
	d := fromJSON(t, mem, planner.Date, `["2024-01-01"]`)
	_, err = AddInterval(mem, d, 2147483647, 0, 0)
	wantErr(t, err, "date out of range adding INTERVAL")
	if _, err := AddInterval(mem, fromJSON(t, mem, planner.Int64, `[1]`), 1, 0, 0); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("BIGINT + INTERVAL: want an internal error, got %v", err)
	}
	n := array.NewNull(2)
	defer n.Release()
	got, err := AddInterval(mem, n, 1, 0, 0)
	if err != nil || got.NullN() != 2 {
		t.Fatalf("NULL + INTERVAL: %v, %v", got, err)
	}
	got.Release()
}

// The calendar arithmetic must agree with Go's time package everywhere, including before
// the epoch and across the 400-year cycle.
func TestCivilDaysMatchTimePackage(t *testing.T) {
	for d := int64(-800_000); d <= 800_000; d += 7 {
		y, m, day := civilFromDays(d)
		tm := time.Unix(d*86400, 0).UTC()
		if y != int64(tm.Year()) || m != int(tm.Month()) || day != tm.Day() {
			t.Fatalf("day %d: got %d-%d-%d, want %s", d, y, m, day, tm.Format("2006-01-02"))
		}
		if back := daysFromCivil(y, m, day); back != d {
			t.Fatalf("day %d: round trip gives %d", d, back)
		}
	}
	for _, months := range []int32{1, -1, 13, -25, 1200} {
		for d := int64(-40_000); d <= 40_000; d += 13 {
			tm := time.Unix(d*86400, 0).UTC()
			// time.AddDate normalizes Jan 31 + 1 month to Mar 2; clamp instead.
			first := time.Date(tm.Year(), tm.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
			last := first.AddDate(0, 1, -1).Day()
			want := time.Date(first.Year(), first.Month(), min(tm.Day(), last), 0, 0, 0, 0, time.UTC)
			if got := addMonths(d, months); got != want.Unix()/86400 {
				t.Fatalf("%s + %d months: got day %d, want %s", tm.Format("2006-01-02"), months, got, want.Format("2006-01-02"))
			}
		}
	}
}
