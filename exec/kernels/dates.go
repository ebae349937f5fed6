package kernels

import (
	"math"
	"strconv"
)

// Calendar helpers on the proleptic Gregorian calendar. Days count from 1970-01-01 (Arrow's
// DATE32); timestamps are microseconds from 1970-01-01 00:00:00 (no time zone).

const (
	microsPerSecond = 1_000_000
	microsPerDay    = 86_400 * microsPerSecond
)

// civilFromDays returns the year, month (1-12) and day (1-31) of a day number. It counts in
// 400-year eras of 146097 days, with years starting on March 1 so that the leap day is last.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468 // days from 0000-03-01 to 1970-01-01
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // day of era [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of year from March 1 [0, 365]
	mp := (5*doy + 2) / 153                                // month from March [0, 11]
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is the inverse of civilFromDays.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := int64(m + 9)
	if m > 2 {
		mp = int64(m - 3)
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// addMonths moves a day number by months, clamping the day to the target month's length
// (MySQL: Jan 31 + 1 month = Feb 28 or 29).
func addMonths(days int64, months int32) int64 {
	if months == 0 {
		return days
	}
	y, m, d := civilFromDays(days)
	total := y*12 + int64(m-1) + int64(months)
	ny := floorDiv(total, 12)
	nm := int(total-ny*12) + 1
	return daysFromCivil(ny, nm, min(d, daysInMonth(ny, nm)))
}

// appendDate appends yyyy-mm-dd (years outside 0..9999 are printed as they are).
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y >= 0 && y <= 9999 {
		dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	} else {
		dst = strconv.AppendInt(dst, y, 10)
	}
	return append(dst, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// appendTimestamp appends yyyy-mm-dd hh:mm:ss, then .ffffff without trailing zeros when
// the fraction is not zero.
func appendTimestamp(dst []byte, micros int64) []byte {
	days := floorDiv(micros, microsPerDay)
	tod := micros - days*microsPerDay
	dst = appendDate(dst, days)
	secs := tod / microsPerSecond
	frac := tod % microsPerSecond
	h, mi, s := secs/3600, secs/60%60, secs%60
	dst = append(dst, ' ', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10),
		':', byte('0'+s/10), byte('0'+s%10))
	if frac != 0 {
		var f [6]byte
		for i := 5; i >= 0; i-- {
			f[i] = byte('0' + frac%10)
			frac /= 10
		}
		k := 6
		for f[k-1] == '0' {
			k--
		}
		dst = append(dst, '.')
		dst = append(dst, f[:k]...)
	}
	return dst
}

// digits reads 1..maxN ASCII digits at s[i:]; ok is false when there are none.
func digits(s string, i, maxN int) (v, next int, ok bool) {
	j := i
	for j < len(s) && j-i < maxN && s[j] >= '0' && s[j] <= '9' {
		v = v*10 + int(s[j]-'0')
		j++
	}
	return v, j, j > i
}

// parseDateAt parses y-m-d (4-digit year, 1- or 2-digit month and day) at the start of s
// and returns the day number and the index after it.
func parseDateAt(s string) (days int64, next int, ok bool) {
	y, i, ok := digits(s, 0, 4)
	if !ok || i != 4 || i >= len(s) || s[i] != '-' {
		return 0, 0, false
	}
	m, i, ok := digits(s, i+1, 2)
	if !ok || i >= len(s) || s[i] != '-' {
		return 0, 0, false
	}
	d, i, ok := digits(s, i+1, 2)
	if !ok || m < 1 || m > 12 || d < 1 || d > daysInMonth(int64(y), m) {
		return 0, 0, false
	}
	return daysFromCivil(int64(y), m, d), i, true
}

// parseTimestamp parses "y-m-d", optionally followed by a space or T and h:mm[:ss[.f]]
// (fraction rounded half up to microseconds), into microseconds.
func parseTimestamp(s string) (int64, bool) {
	days, i, ok := parseDateAt(s)
	if !ok {
		return 0, false
	}
	if i == len(s) {
		return days * microsPerDay, true
	}
	if s[i] != ' ' && s[i] != 'T' {
		return 0, false
	}
	h, i, ok := digits(s, i+1, 2)
	if !ok || h > 23 || i >= len(s) || s[i] != ':' {
		return 0, false
	}
	mi, j, ok := digits(s, i+1, 2)
	if !ok || j-i != 3 || mi > 59 {
		return 0, false
	}
	i = j
	sec, frac := 0, int64(0)
	if i < len(s) && s[i] == ':' {
		sec, j, ok = digits(s, i+1, 2)
		if !ok || j-i != 3 || sec > 59 {
			return 0, false
		}
		i = j
		if i < len(s) && s[i] == '.' {
			f, j, ok := digits(s, i+1, 6)
			if !ok {
				return 0, false
			}
			for k := j - i - 1; k < 6; k++ {
				f *= 10
			}
			frac = int64(f)
			i = j
			if i < len(s) && s[i] >= '5' && s[i] <= '9' {
				frac++
			}
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
	}
	if i != len(s) {
		return 0, false
	}
	return days*microsPerDay + int64(h*3600+mi*60+sec)*microsPerSecond + frac, true
}

// parseDate parses a DATE; a full timestamp is accepted and its time of day dropped.
func parseDate(s string) (int64, bool) {
	days, i, ok := parseDateAt(s)
	if ok && i == len(s) {
		return days, true
	}
	ts, ok := parseTimestamp(s)
	if !ok {
		return 0, false
	}
	return floorDiv(ts, microsPerDay), true
}

// dateInRange reports whether a day number fits DATE32.
func dateInRange(d int64) bool { return d >= math.MinInt32 && d <= math.MaxInt32 }
