package driver

import (
	sqldriver "database/sql/driver"
	"strconv"
	"strings"

	"github.com/embersql/ember/internal/errs"
)

// Decimal is an exact decimal number in text, "[-]digits[.digits]": the value of a DECIMAL
// column (with exactly its scale's digits after the point, as the shell shows it) and a
// parameter that binds as a DECIMAL literal of the digits written (Decimal("1.50") is
// DECIMAL(3,2)). Being a string type, a Decimal scans into a *string as its digits; it scans
// into a *float64 through its text. Scan a nullable DECIMAL column into sql.Null[Decimal] or
// a *string through sql.NullString. Build one from text with ParseDecimal; a Decimal
// converted from arbitrary text is checked when it is used as a parameter.
type Decimal string

// ParseDecimal reads "[+-]digits[.digits]" (".5" and "5." are allowed) and returns it in
// canonical form: no '+', no leading zeros before the point, the fraction digits as written,
// and no sign on a zero.
func ParseDecimal(s string) (Decimal, error) {
	neg := false
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return "", errs.Planf("%q is not a decimal number", s)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if hasPoint && frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return Decimal(out), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the digits.
func (d Decimal) String() string { return string(d) }

// DecimalString returns the digits; it makes a Decimal a binder.DecimalParam, so that a
// Decimal parameter binds as a DECIMAL literal.
func (d Decimal) DecimalString() string { return string(d) }

// Value implements driver.Valuer: the digits as a string, or an error when d is not a
// decimal number. (The Ember driver itself receives a Decimal parameter unconverted.)
func (d Decimal) Value() (sqldriver.Value, error) {
	c, err := ParseDecimal(string(d))
	if err != nil {
		return nil, err
	}
	return string(c), nil
}

// Scan implements sql.Scanner from a Decimal, a string or []byte holding a decimal number,
// an int64, or a float64 (its shortest exact text). NULL is an error: scan nullable columns
// into sql.Null[Decimal].
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case Decimal:
		*d = v
		return nil
	case string:
		c, err := ParseDecimal(v)
		if err != nil {
			return err
		}
		*d = c
		return nil
	case []byte:
		return d.Scan(string(v))
	case int64:
		*d = Decimal(strconv.FormatInt(v, 10))
		return nil
	case float64:
		return d.Scan(strconv.FormatFloat(v, 'f', -1, 64))
	case nil:
		return errs.Planf("cannot scan NULL into a Decimal; use sql.Null[driver.Decimal]")
	}
	return errs.Planf("cannot scan %T into a Decimal", src)
}
