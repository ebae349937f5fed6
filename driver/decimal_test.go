package driver_test

import (
	"testing"

	"github.com/embersql/ember/driver"
)

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"12.50", "12.50", true},
		{"+007.5", "7.5", true},
		{"-0.001", "-0.001", true},
		{"-0.00", "0.00", true},
		{".5", "0.5", true},
		{"5.", "5", true},
		{"0", "0", true},
		{"-", "", false},
		{".", "", false},
		{"1e5", "", false},
		{"1.2.3", "", false},
		{" 1", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		d, err := driver.ParseDecimal(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseDecimal(%q): error %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && d.String() != c.want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", c.in, d, c.want)
		}
	}
}

func TestDecimalScanAndValue(t *testing.T) {
	cases := []struct {
		src  any
		want string
		ok   bool
	}{
		{"3.25", "3.25", true},
		{[]byte("-1.0"), "-1.0", true},
		{int64(42), "42", true},
		{0.1, "0.1", true},
		{driver.Decimal("9.99"), "9.99", true},
		{nil, "", false},
		{"abc", "", false},
		{true, "", false},
	}
	for _, c := range cases {
		var d driver.Decimal
		err := d.Scan(c.src)
		if (err == nil) != c.ok {
			t.Errorf("Scan(%#v): error %v, want ok=%v", c.src, err, c.ok)
			continue
		}
		if c.ok && string(d) != c.want {
			t.Errorf("Scan(%#v) = %s, want %s", c.src, d, c.want)
		}
	}
	v, err := driver.Decimal("+1.50").Value()
	if err != nil || v != "1.50" {
		t.Errorf("Value() = %#v, %v; want \"1.50\"", v, err)
	}
	if _, err := driver.Decimal("x").Value(); err == nil {
		t.Error("Value() of a non-decimal succeeded")
	}
}
