package udf

import (
	"context"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in      string
		want    string // yyyy-mm-dd hh:mm:ss.ffffff, "" when invalid
		hasTime bool
	}{
		{"2024-01-31", "2024-01-31 00:00:00.000000", false},
		{" 2024-1-5 ", "2024-01-05 00:00:00.000000", false},
		{"2024/01/31", "2024-01-31 00:00:00.000000", false},
		{"2024-01-31 10:20:30", "2024-01-31 10:20:30.000000", true},
		{"2024-01-31T10:20:30.5", "2024-01-31 10:20:30.500000", true},
		{"2024-01-31 10:20:30.1234567", "2024-01-31 10:20:30.123456", true},
		{"2024-01-31 10:20", "2024-01-31 10:20:00.000000", true},
		{"20240131", "2024-01-31 00:00:00.000000", false},
		{"240131", "2024-01-31 00:00:00.000000", false},
		{"991231", "1999-12-31 00:00:00.000000", false},
		{"20240131102030", "2024-01-31 10:20:30.000000", true},
		{"24-01-31", "2024-01-31 00:00:00.000000", false},
		{"2024-02-29", "2024-02-29 00:00:00.000000", false},
		{"2023-02-29", "", false},
		{"2024-13-01", "", false},
		{"2024-00-10", "", false},
		{"2024-01-31 24:00:00", "", false},
		{"2024-01-31 10", "", false},
		{"2024-01", "", false},
		{"2024-01-31x", "", false},
		{"not a date", "", false},
		{"", "", false},
		{"1234567", "", false},
	}
	for _, tc := range tests {
		m, hasTime, ok := parseDateTime(tc.in)
		got := ""
		if ok {
			got = time.UnixMicro(m).UTC().Format("2006-01-02 15:04:05.000000")
		}
		if got != tc.want || (ok && hasTime != tc.hasTime) {
			t.Errorf("parseDateTime(%q) = %q, time %v; want %q, time %v", tc.in, got, hasTime, tc.want, tc.hasTime)
		}
	}
}

func TestStrToDate(t *testing.T) {
	tests := []struct {
		s, format string
		want      string // "" for NULL
	}{
		{"01,5,2013", "%d,%m,%Y", "2013-05-01 00:00:00"},
		{"May 1, 2013", "%M %d,%Y", "2013-05-01 00:00:00"},
		{"2024-01-15 10:20:30", "%Y-%m-%d %H:%i:%s", "2024-01-15 10:20:30"},
		{"2024-01-15 10:20:30.25", "%Y-%m-%d %T.%f", "2024-01-15 10:20:30.250000"},
		{"01/15/2024 12:05:00 AM", "%m/%d/%Y %r", "2024-01-15 00:05:00"},
		{"01/15/2024 02:05 pm", "%m/%d/%Y %h:%i %p", "2024-01-15 14:05:00"},
		{"01/15/2024 14:05 PM", "%m/%d/%Y %h:%i %p", ""},
		{"01/15/2024 02:05 PM", "%m/%d/%Y %H:%i %p", ""},
		{"Thu 29 Feb 2024", "%a %d %b %Y", "2024-02-29 00:00:00"},
		{"2024 366", "%Y %j", "2024-12-31 00:00:00"},
		{"2023 366", "%Y %j", ""},
		{"70-1-1", "%y-%c-%e", "1970-01-01 00:00:00"},
		{"69-1-1", "%y-%c-%e", "2069-01-01 00:00:00"},
		{"2024-01-15 tail", "%Y-%m-%d", "2024-01-15 00:00:00"},
		{"2024", "%Y", ""},
		{"2024-02-30", "%Y-%m-%d", ""},
		{"x2024-01-01", "%Y-%m-%d", ""},
		{"100%2024-01-01", "100%%%Y-%m-%d", "2024-01-01 00:00:00"},
		{"2024-01-01", "%Y-%m-%d %U", "2024-01-01 00:00:00"},
		{"2024-01-01 05", "%Y-%m-%d %U", ""},
	}
	for _, tc := range tests {
		m, ok := strToDate(tc.s, tc.format)
		got := ""
		if ok {
			got = time.UnixMicro(m).UTC().Format("2006-01-02 15:04:05")
			if m%microsPerSecond != 0 {
				got = time.UnixMicro(m).UTC().Format("2006-01-02 15:04:05.000000")
			}
		}
		if got != tc.want {
			t.Errorf("strToDate(%q, %q) = %q, want %q", tc.s, tc.format, got, tc.want)
		}
	}
	for format, want := range map[string]string{"%Y-%m-%d": "DATE", "%d %H": "TIMESTAMP", "%T": "", "%%": "DATE"} {
		got := ""
		if tt := StrToDateType(format); tt != nil {
			got = TypeName(tt)
		}
		if got != want {
			t.Errorf("StrToDateType(%q) = %q, want %q", format, got, want)
		}
	}
}

// TestCalcWeek checks MySQL's week modes against independent definitions over 60 years:
// mode 3 is ISO 8601 (time.ISOWeek); mode 1 is the ISO week within the year (0 before its
// first ISO week, 53 after its last); mode 0 is C's %U (weeks from the first Sunday).
func TestCalcWeek(t *testing.T) {
	for d := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2050; d = d.AddDate(0, 0, 1) {
		f := fieldsOf(d.UnixMicro())
		isoYear, isoWeek := d.ISOWeek()
		w3, y3 := calcWeek(f, weekMode(3)|weekYear)
		if w3 != isoWeek || y3 != isoYear {
			t.Fatalf("%s: mode 3 gives week %d of %d, ISO says %d of %d", d.Format("2006-01-02"), w3, y3, isoWeek, isoYear)
		}
		want1 := isoWeek
		switch {
		case isoYear < d.Year():
			want1 = 0
		case isoYear > d.Year():
			want1 = 53
		}
		if w1, _ := calcWeek(f, weekMode(1)); w1 != want1 {
			t.Fatalf("%s: mode 1 gives %d, want %d", d.Format("2006-01-02"), w1, want1)
		}
		wantU := (d.YearDay() + 6 - int(d.Weekday())) / 7
		if w0, _ := calcWeek(f, weekMode(0)); w0 != wantU {
			t.Fatalf("%s: mode 0 gives %d, %%U says %d", d.Format("2006-01-02"), w0, wantU)
		}
	}
	// MySQL's manual
	for _, tc := range []struct {
		date       string
		mode, want int64
	}{{"2008-02-20", 0, 7}, {"2008-02-20", 1, 8}, {"2008-12-31", 1, 53}, {"2000-01-01", 0, 0}, {"2000-01-01", 2, 52}} {
		m, _, _ := parseDateTime(tc.date)
		if w, _ := calcWeek(fieldsOf(m), weekMode(tc.mode)); int64(w) != tc.want {
			t.Errorf("week(%s, %d) = %d, want %d", tc.date, tc.mode, w, tc.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	tests := []struct {
		a, b string
		want int64
	}{
		{"2024-01-31", "2024-02-29", 0},
		{"2024-01-31", "2024-03-31", 2},
		{"2024-01-31 10:00:00", "2024-03-31 09:59:59", 1},
		{"2024-03-31", "2024-01-31", -2},
		{"2024-03-31 09:00:00", "2024-01-31 10:00:00", -1},
		{"2000-02-29", "2001-02-28", 11},
	}
	for _, tc := range tests {
		a, _, _ := parseDateTime(tc.a)
		b, _, _ := parseDateTime(tc.b)
		if got := monthsBetween(a, b); got != tc.want {
			t.Errorf("monthsBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDateFunctions(t *testing.T) {
	// 19782 is 2024-02-29 (a Thursday); 1709208000000000 is 2024-02-29 12:00:00
	runScalarCases(t, []scalarCase{
		{"dayofweek", []col{{date, `[19782, null]`}}, []string{"5", "NULL"}},
		{"weekday", []col{{str, `["2024-02-29", "bad"]`}}, []string{"3", "NULL"}},
		{"hour", []col{{ts, `[1709208000000000]`}}, []string{"12"}},
		{"last_day", []col{{ts, `[1709208000000000]`}}, []string{"2024-02-29"}},
		{"date_add", []col{{date, `[19753, 19753]`}, {i64, `[1, -1]`}, {str, `["MONTH", "QUARTER"]`}}, []string{"2024-02-29", "2023-10-31"}},
		{"date_add", []col{{str, `["2024-01-31", "2024-01-31 10:00:00", "2024-01-31", "nope", "9999-12-31"]`}, {i64, `[1, 1, 30, 1, 1]`},
			{str, `["MONTH", "MONTH", "MINUTE", "DAY", "DAY"]`}},
			[]string{"2024-02-29", "2024-02-29 10:00:00", "2024-01-31 00:30:00", "NULL", "NULL"}},
		{"timestampdiff", []col{{str, `["MONTH", "SECOND"]`}, {str, `["2024-01-31", "2024-01-01 00:00:10"]`}, {str, `["2024-02-29", "2024-01-01 00:00:00"]`}},
			[]string{"0", "-10"}},
		{"extract", []col{{str, `["DAY_MICROSECOND", "YEAR_MONTH"]`}, {str, `["2024-01-02 03:04:05.000006", "2024-01-02"]`}},
			[]string{"2030405000006", "202401"}},
		{"date_format", []col{{str, `["2024-02-29 13:05:09.5"]`}, {str, `["%Y|%y|%c|%e|%D|%k|%l|%p|%f|%j|%w|%a|%b|%%|%z"]`}},
			[]string{"2024|24|2|29|29th|13|1|PM|500000|060|4|Thu|Feb|%|z"}},
		{"str_to_date", []col{{str, `["29/02/2024", "30/02/2024"]`}, {str, `["%d/%m/%Y", "%d/%m/%Y"]`}}, []string{"2024-02-29T00:00:00", "NULL"}},
		{"unix_timestamp", []col{{date, `[-1, 1]`}}, []string{"0", "86400"}},
		{"from_unixtime", []col{{f64, `[1.5, -1, 32536771201]`}}, []string{"1970-01-01T00:00:01.5", "NULL", "NULL"}},
	})
}

func TestStatementClock(t *testing.T) {
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.UTC)
	ctx := WithStatementTime(context.Background(), at)
	tests := []struct {
		fn   string
		cols []col
		want string
	}{
		{"now", nil, "2024-02-29T23:59:58"},
		{"current_timestamp", []col{{i64, `[3, 3, 3]`}}, "2024-02-29T23:59:58.123"},
		{"now", []col{{i64, `[6, 6, 6]`}}, "2024-02-29T23:59:58.123456"},
		{"curdate", nil, "2024-02-29"},
		{"unix_timestamp", nil, "1709251198"},
	}
	for _, tc := range tests {
		got, _, err := evalScalar(t, ctx, tc.fn, tc.cols...)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			if g != tc.want {
				t.Errorf("%s row %d = %s, want %s", tc.fn, i, g, tc.want)
			}
		}
	}
	if _, _, err := evalScalar(t, ctx, "now", col{i64, `[7]`}); err == nil {
		t.Error("now(7) should fail")
	}
	if d := time.Since(StatementTime(context.Background())); d < 0 || d > time.Minute {
		t.Errorf("without a statement time, the clock is the current time: off by %s", d)
	}
}
