package datasource

import (
	"math/rand"
	"testing"
	"time"
)

func TestParseInt64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"+42", 42, true}, {"007", 7, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false}, {"", 0, false}, {"-", 0, false},
		{"1.0", 0, false}, {" 1", 0, false}, {"1_000", 0, false}, {"0x10", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseInt64([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseInt64(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsFloatSyntax(t *testing.T) {
	for in, want := range map[string]bool{
		"1": true, "-1.5": true, ".5": true, "5.": true, "1e10": true, "1E-3": true, "+2.5e+3": true,
		"NaN": true, "Infinity": true, "-Infinity": true,
		"": false, ".": false, "e5": false, "1e": false, "1e+": false, "inf": false, "nan": false,
		"0x1p3": false, "1_0": false, "1.2.3": false, "--1": false, "1f": false,
	} {
		if got := isFloatSyntax([]byte(in)); got != want {
			t.Errorf("isFloatSyntax(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestDaysFromCivil compares with the time package over a wide range of dates.
func TestDaysFromCivil(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		days := rng.Int63n(2*3_000_000) - 3_000_000 // about ±8000 years
		tm := time.Unix(days*86400, 0).UTC()
		if got := daysFromCivil(tm.Year(), int(tm.Month()), tm.Day()); got != days {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format("2006-01-02"), got, days)
		}
	}
}

func TestParseDateTimestamp(t *testing.T) {
	dates := []struct {
		in   string
		want string // "" when invalid
	}{
		{"2024-02-29", "2024-02-29"}, {"2023-02-29", ""}, {"1970-1-2", "1970-01-02"}, {"0001-01-01", "0001-01-01"},
		{"2024-13-01", ""}, {"2024-00-10", ""}, {"2024-04-31", ""}, {"24-01-01", ""}, {"2024-01-01x", ""},
		{"2024/01/01", ""},
	}
	for _, tc := range dates {
		d, ok := parseDate([]byte(tc.in))
		got := ""
		if ok {
			got = time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("parseDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	stamps := []struct {
		in   string
		want string // RFC 3339 in UTC, "" when invalid
	}{
		{"2024-01-02 03:04:05", "2024-01-02T03:04:05Z"},
		{"2024-01-02T03:04", "2024-01-02T03:04:00Z"},
		{"2024-01-02", "2024-01-02T00:00:00Z"},
		{"2024-01-02 03:04:05.5", "2024-01-02T03:04:05.5Z"},
		{"2024-01-02 03:04:05.123456789", "2024-01-02T03:04:05.123456Z"},
		{"1969-12-31 23:59:59.999999", "1969-12-31T23:59:59.999999Z"},
		{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"},
		{"2024-01-02T03:04:05+02:30", "2024-01-02T00:34:05Z"},
		{"2024-01-02T03:04:05-0100", "2024-01-02T04:04:05Z"},
		{"2024-01-02 24:00:00", ""}, {"2024-01-02 03:60", ""}, {"2024-01-02 03:04:05.", ""},
		{"2024-01-02 03:04:05.1234567890", ""}, {"2024-01-02 3:04", ""}, {"2024-01-02x03:04", ""},
		{"2024-01-02 03:04:05+1", ""},
	}
	for _, tc := range stamps {
		us, ok := parseTimestamp([]byte(tc.in))
		got := ""
		if ok {
			got = time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
		}
		if got != tc.want {
			t.Errorf("parseTimestamp(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in          string
		prec, scale int32
		want        string // "" when invalid
	}{
		{"12.345", 10, 2, "12.35"}, {"-12.345", 10, 2, "-12.35"}, {"12.344", 10, 2, "12.34"},
		{"0.005", 3, 2, "0.01"}, {"-0.004", 3, 2, "0.00"}, {"5", 5, 2, "5.00"}, {"+.5", 5, 2, "0.50"},
		{"999.995", 5, 2, ""}, {"999.99", 5, 2, "999.99"}, {"1000", 5, 2, ""}, {"99999", 5, 0, "99999"},
		{"123456789012345678.5", 20, 1, "123456789012345678.5"}, // past the fast path
		{"12345678901234567890123456789012345678", 38, 0, "12345678901234567890123456789012345678"},
		{"1.5e3", 10, 2, "1500.00"}, {"-2E-2", 5, 3, "-0.020"},
		{"", 5, 2, ""}, {"-", 5, 2, ""}, {".", 5, 2, ""}, {"1..2", 5, 2, ""}, {"abc", 5, 2, ""},
		{"NaN", 5, 2, ""}, {"-Infinity", 5, 2, ""}, {"1,5", 5, 2, ""},
	}
	for _, tc := range tests {
		n, ok := parseDecimal([]byte(tc.in), tc.prec, tc.scale)
		got := ""
		if ok {
			got = n.ToString(tc.scale)
		}
		if got != tc.want {
			t.Errorf("parseDecimal(%q, %d, %d) = %q, want %q", tc.in, tc.prec, tc.scale, got, tc.want)
		}
	}
}

func TestJavaLayout(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           string // RFC 3339 of the parsed time, or "error"
	}{
		{"dd/MM/yyyy", "31/12/1999", "1999-12-31T00:00:00Z"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS", "2024-01-02T03:04:05.678", "2024-01-02T03:04:05.678Z"},
		{"d MMM yy h:mm a", "2 Jan 24 3:04 PM", "2024-01-02T15:04:00Z"},
		{"EEE, dd MMMM yyyy HH:mm:ss Z", "Tue, 02 January 2024 03:04:05 +0100", "2024-01-02T02:04:05Z"},
		{"yyyy-QQ", "", "error"},
		{"HH:mm:ssSSS", "", "error"},
		{"yyyy 'unterminated", "", "error"},
	}
	for _, tc := range tests {
		layout, err := javaLayout(tc.pattern)
		got := "error"
		if err == nil {
			tm, perr := time.Parse(layout, tc.value)
			if perr != nil {
				got = "parse error: " + perr.Error()
			} else {
				got = tm.UTC().Format(time.RFC3339Nano)
			}
		}
		if got != tc.want {
			t.Errorf("javaLayout(%q) on %q = %q (layout %q), want %q", tc.pattern, tc.value, got, layout, tc.want)
		}
	}
}

func TestDecimalFromBigEndian(t *testing.T) {
	tests := []struct {
		in   []byte
		want string // unscaled value, "" when it does not fit
	}{
		{nil, "0"}, {[]byte{0x00}, "0"}, {[]byte{0x7F}, "127"}, {[]byte{0x80}, "-128"},
		{[]byte{0xFF, 0xFF}, "-1"}, {[]byte{0x01, 0x00}, "256"},
		{append([]byte{0x00, 0x00}, []byte{0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}...), "170141183460469231731687303715884105727"}, // 2^127-1
		{append([]byte{0xFF}, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}...), "-2"},
		{append([]byte{0x01}, make([]byte, 16)...), ""},
	}
	for _, tc := range tests {
		n, ok := decimalFromBigEndian(tc.in)
		got := ""
		if ok {
			got = n.BigInt().String()
		}
		if got != tc.want {
			t.Errorf("decimalFromBigEndian(%x) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
