package udf

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/internal/errs"
)

// Date and time functions, with MySQL's semantics on Ember's types: DATE is arrow.Date32
// (days since 1970-01-01), TIMESTAMP is microseconds since 1970-01-01 00:00:00 with no time
// zone (MySQL's DATETIME; "now" is read in UTC). Functions that read a date take DATE,
// TIMESTAMP or a string; a string is parsed per row as MySQL reads date and datetime
// literals ('2024-01-31', '2024-1-31 10:00:00.5', '20240131', '24-01-31'), and a string that
// does not read as a valid date gives NULL (MySQL: NULL with a warning). Integer results
// are BIGINT. The calendar is the proleptic Gregorian one.

// registerDateFunctions registers the date and time functions.
func registerDateFunctions(r *Registry) {
	for _, f := range dateFunctions() {
		r.RegisterScalar(f)
	}
}

const (
	microsPerSecond = 1_000_000
	microsPerDay    = 86_400 * microsPerSecond
)

type stmtTimeKey struct{}

// WithStatementTime returns ctx carrying the time one statement started: now(),
// current_timestamp, curdate(), unix_timestamp() and friends read it, so that they return
// one value throughout the statement, in every batch and partition (MySQL's semantics).
func WithStatementTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, stmtTimeKey{}, t)
}

// StatementTime returns the statement time WithStatementTime put in ctx, or the current time
// when there is none.
func StatementTime(ctx context.Context) time.Time {
	if t, ok := ctx.Value(stmtTimeKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

func dateFunctions() []*builtinScalar {
	part := func(name, doc string, f func(d dtFields) int64) *builtinScalar {
		return &builtinScalar{name: name, doc: doc, sig: fixedSig(name, 1, 1, int64Type, argTemporal), eval: evalPart(f)}
	}
	fs := []*builtinScalar{
		part("year", "year(d) is the year of d (BIGINT).", func(d dtFields) int64 { return int64(d.year) }),
		part("quarter", "quarter(d) is the quarter of d, 1 to 4 (BIGINT).", func(d dtFields) int64 { return int64(d.month+2) / 3 }),
		part("month", "month(d) is the month of d, 1 to 12 (BIGINT).", func(d dtFields) int64 { return int64(d.month) }),
		part("day", "day(d) is the day of the month of d, 1 to 31 (BIGINT). Alias dayofmonth.", func(d dtFields) int64 { return int64(d.day) }),
		part("dayofweek", "dayofweek(d) is the weekday of d, 1 = Sunday to 7 = Saturday (BIGINT).", func(d dtFields) int64 { return int64(d.wday) + 1 }),
		part("weekday", "weekday(d) is the weekday of d, 0 = Monday to 6 = Sunday (BIGINT).", func(d dtFields) int64 { return int64(d.wday+6) % 7 }),
		part("dayofyear", "dayofyear(d) is the day of the year of d, 1 to 366 (BIGINT).", func(d dtFields) int64 { return int64(d.yday) }),
		part("hour", "hour(t) is the hour of t, 0 to 23 (0 for a DATE) (BIGINT).", func(d dtFields) int64 { return int64(d.hour) }),
		part("minute", "minute(t) is the minute of t, 0 to 59 (BIGINT).", func(d dtFields) int64 { return int64(d.minute) }),
		part("second", "second(t) is the second of t, 0 to 59 (BIGINT).", func(d dtFields) int64 { return int64(d.second) }),
		part("microsecond", "microsecond(t) is the microseconds of t, 0 to 999999 (BIGINT).", func(d dtFields) int64 { return int64(d.micro) }),
		part("to_days", "to_days(d) is the number of days from year 0 to d, as MySQL counts them (to_days('2007-10-07') = 733321) (BIGINT).",
			func(d dtFields) int64 { return d.days + 719528 }),
		{name: "week", doc: "week(d[, mode]) is the week number of d under MySQL's week modes 0 to 7 (default 0: weeks start on " +
			"Sunday, 0 to 53, week 1 is the first with a Sunday in the year) (BIGINT).",
			sig: fixedSig("week", 1, 2, int64Type, argTemporal, argInt), eval: evalWeek(false)},
		{name: "yearweek", doc: "yearweek(d[, mode]) is year * 100 + week of d under week mode mode (default 0), the year being " +
			"the one the week belongs to (BIGINT).",
			sig: fixedSig("yearweek", 1, 2, int64Type, argTemporal, argInt), eval: evalWeek(true)},
		{name: "monthname", doc: "monthname(d) is the English name of d's month.",
			sig: fixedSig("monthname", 1, 1, typVarchar, argTemporal), eval: evalName(func(d dtFields) string { return monthNames[d.month-1] })},
		{name: "dayname", doc: "dayname(d) is the English name of d's weekday.",
			sig: fixedSig("dayname", 1, 1, typVarchar, argTemporal), eval: evalName(func(d dtFields) string { return dayNames[d.wday] })},
		{name: "date", doc: "date(x) is the date part of x (DATE).",
			sig: fixedSig("date", 1, 1, typDate, argTemporal), eval: evalDatePart(false)},
		{name: "last_day", doc: "last_day(d) is the last day of d's month (DATE).",
			sig: fixedSig("last_day", 1, 1, typDate, argTemporal), eval: evalDatePart(true)},
		{name: "datediff", doc: "datediff(a, b) is the number of days from b to a, ignoring the time of day (BIGINT).",
			sig: fixedSig("datediff", 2, 2, int64Type, argTemporal), eval: evalDatediff},
		{name: "timestampdiff", doc: "TIMESTAMPDIFF(unit, a, b) is b - a in whole units (MICROSECOND, SECOND, MINUTE, HOUR, DAY, " +
			"WEEK, MONTH, QUARTER, YEAR), truncated toward zero; months count only when the day and time of day are reached, " +
			"as MySQL (BIGINT).",
			sig: fixedSig("timestampdiff", 3, 3, int64Type, argString, argTemporal, argTemporal), eval: evalTimestampdiff},
		{name: "extract", doc: "EXTRACT(unit FROM d) is a field of d: YEAR, QUARTER, MONTH, WEEK (mode 0), DAY, HOUR, MINUTE, " +
			"SECOND, MICROSECOND, or a combined unit such as YEAR_MONTH (202401) or HOUR_MINUTE (1030) (BIGINT).",
			sig: fixedSig("extract", 2, 2, int64Type, argString, argTemporal), eval: evalExtract},
		{name: "date_format", doc: "date_format(d, format) formats d with MySQL's % specifiers: %Y %y %m %c %d %e %D %H %k %h %I " +
			"%l %i %s %S %f %p %r %T %j %M %b %W %a %w %U %u %V %v %X %x %%; any other %c gives c.",
			sig: fixedSig("date_format", 2, 2, typVarchar, argTemporal, argString), eval: evalDateFormat},
		{name: "str_to_date", doc: "str_to_date(s, format) reads s with date_format's specifiers (and whitespace skipped before " +
			"each), giving a TIMESTAMP, or a DATE when the format has no time specifiers; NULL when s does not match, the " +
			"date is invalid or lacks its year, month or day (MySQL: NULL with a warning). Text after the match is ignored.",
			sig: fixedSig("str_to_date", 2, 2, typTimestamp, argString), eval: evalStrToDate},
		{name: "date_add", doc: "DATE_ADD(d, INTERVAL n unit), also DATE_SUB, ADDDATE(d, n) (days), SUBDATE and TIMESTAMPADD: " +
			"d moved by n units; months clamp to the month's last day (2024-01-31 + 1 month = 2024-02-29). A DATE stays a " +
			"DATE for DAY, WEEK, MONTH, QUARTER and YEAR and becomes a TIMESTAMP for smaller units; a string gives a string, " +
			"a date alone when it held no time and the unit is DAY or larger. A result before year 0 or after 9999 is NULL, " +
			"as MySQL.",
			sig: dateAddSig, eval: evalDateAdd},
		{name: "unix_timestamp", vol: Stable, doc: "unix_timestamp() is the statement's time in seconds since 1970-01-01 " +
			"00:00:00 UTC; unix_timestamp(d) that of d, whole seconds (fractions are dropped), 0 before 1970 (BIGINT).",
			sig: fixedSig("unix_timestamp", 0, 1, int64Type, argTemporal), eval: evalUnixTimestamp},
		{name: "from_unixtime", doc: "from_unixtime(n[, format]) is the TIMESTAMP n seconds (fractions to the microsecond) after " +
			"1970-01-01 00:00:00 UTC, NULL for a negative n; with a format, date_format of it.",
			sig: fromUnixtimeSig, eval: evalFromUnixtime},
		{name: "now", vol: Stable, doc: "now([fsp]) is the statement's start time, UTC, as a TIMESTAMP with fsp (default 0) " +
			"fractional digits; it is the same in every row of a statement. Aliases current_timestamp, localtimestamp, localtime.",
			sig: fixedSig("now", 0, 1, typTimestamp, argInt), eval: evalNow(false)},
		{name: "sysdate", vol: Volatile, doc: "sysdate([fsp]) is the time it is evaluated, UTC (unlike now(), it moves during a statement).",
			sig: fixedSig("sysdate", 0, 1, typTimestamp, argInt), eval: evalNow(true)},
		{name: "curdate", vol: Stable, doc: "curdate() is the statement's start date, UTC (DATE). Aliases current_date, utc_date.",
			sig: fixedSig("curdate", 0, 0, typDate), eval: evalCurdate},
	}
	return withAliases(fs, map[string][]string{
		"day": {"dayofmonth"}, "now": {"current_timestamp", "localtimestamp", "localtime", "utc_timestamp"},
		"curdate": {"current_date", "utc_date"},
	})
}

var (
	monthNames = [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	dayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// ---------------------------------------------------------------------------------------
// Reading dates.

// dtFields is a timestamp broken down.
type dtFields struct {
	year, month, day, hour, minute, second, micro int
	yday, wday                                    int   // 1..366; 0 = Sunday
	days                                          int64 // since 1970-01-01
	tod                                           int64 // microseconds since midnight
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func fieldsOf(micros int64) dtFields {
	t := time.UnixMicro(micros).UTC()
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	days := floorDiv(micros, microsPerDay)
	return dtFields{year: y, month: int(m), day: d, hour: h, minute: mi, second: s, micro: t.Nanosecond() / 1000,
		yday: t.YearDay(), wday: int(t.Weekday()), days: days, tod: micros - days*microsPerDay}
}

// microsOf is the timestamp of a civil date and time; ok is false for an invalid date or
// one outside years 0..9999.
func microsOf(y, m, d int, tod int64) (int64, bool) {
	if y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	days := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return days*microsPerDay + tod, true
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// temporalCol reads a DATE, TIMESTAMP or VARCHAR argument as microseconds.
type temporalCol struct {
	days   []int32
	micros []int64
	strs   *array.String
}

func temporalArg(c *scalarCall, j int) temporalCol {
	a := c.args[j]
	switch a.DataType().ID() {
	case arrow.DATE32:
		return temporalCol{days: fixedValues[int32](a)}
	case arrow.TIMESTAMP:
		return temporalCol{micros: fixedValues[int64](a)}
	}
	return temporalCol{strs: c.str(j)}
}

// at returns row i as microseconds, whether it carries a time of day (TIMESTAMP, or a
// string with a time part), and ok=false for a string that is not a valid date.
func (t temporalCol) at(i int) (micros int64, hasTime, ok bool) {
	switch {
	case t.days != nil:
		return int64(t.days[i]) * microsPerDay, false, true
	case t.micros != nil:
		return t.micros[i], true, true
	}
	return parseDateTime(t.strs.Value(i))
}

// parseDateTime reads a MySQL date or datetime string: y-m-d with any punctuation between
// the parts, then optionally a space or T and h:m[:s[.fraction]]; or the digit-only forms
// YYYYMMDD, YYMMDD, YYYYMMDDhhmmss and YYMMDDhhmmss. A two-digit year means 2000-2069 or
// 1970-1999. The fraction is truncated to microseconds.
func parseDateTime(s string) (micros int64, hasTime, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, false
	}
	allDigits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			allDigits = false
			break
		}
	}
	var parts [7]int
	var widths [7]int
	n := 0
	if allDigits {
		var layout []int
		switch len(s) {
		case 6:
			layout = []int{2, 2, 2}
		case 8:
			layout = []int{4, 2, 2}
		case 12:
			layout = []int{2, 2, 2, 2, 2, 2}
		case 14:
			layout = []int{4, 2, 2, 2, 2, 2}
		default:
			return 0, false, false
		}
		pos := 0
		for _, w := range layout {
			v, _ := strconv.Atoi(s[pos : pos+w])
			parts[n], widths[n] = v, w
			n++
			pos += w
		}
	} else {
		i := 0
		for n < 7 && i < len(s) {
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i || j-i > 9 {
				return 0, false, false
			}
			v, _ := strconv.Atoi(s[i:j])
			parts[n], widths[n] = v, j-i
			n++
			if j == len(s) {
				i = j
				break
			}
			sep := s[j]
			switch {
			case n == 3 && (sep == ' ' || sep == 'T'):
				j++
				for j < len(s) && s[j] == ' ' {
					j++
				}
			case n == 6 && sep == '.':
				j++
			case n < 3 && sep != ' ' && sep < 0x80 && !isAlnum(sep):
				j++
			case n > 3 && n < 6 && sep == ':':
				j++
			default:
				return 0, false, false
			}
			i = j
		}
		if i != len(s) || n < 3 || n == 4 {
			return 0, false, false
		}
	}
	y := parts[0]
	if widths[0] <= 2 {
		if y < 70 {
			y += 2000
		} else {
			y += 1900
		}
	}
	if parts[3] > 23 || parts[4] > 59 || parts[5] > 59 {
		return 0, false, false
	}
	tod := (int64(parts[3])*3600 + int64(parts[4])*60 + int64(parts[5])) * microsPerSecond
	if n == 7 {
		frac, w := parts[6], widths[6]
		for ; w > 6; w-- {
			frac /= 10
		}
		for ; w < 6; w++ {
			frac *= 10
		}
		tod += int64(frac)
	}
	micros, ok = microsOf(y, parts[1], parts[2], tod)
	return micros, n > 3, ok
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ---------------------------------------------------------------------------------------
// Evaluation.

func evalPart(f func(d dtFields) int64) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		t := temporalArg(c, 0)
		return mapFixed(c, int64Type, func(i int) (int64, bool) {
			m, _, ok := t.at(i)
			if !ok {
				return 0, false
			}
			return f(fieldsOf(m)), true
		})
	}
}

func evalName(f func(d dtFields) string) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		t := temporalArg(c, 0)
		return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
			m, _, ok := t.at(i)
			if !ok {
				return nil, false
			}
			return append(dst, f(fieldsOf(m))...), true
		})
	}
}

// evalDatePart is date(x) and, with last, last_day(x).
func evalDatePart(last bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		t := temporalArg(c, 0)
		return mapFixed(c, typDate, func(i int) (int32, bool) {
			m, _, ok := t.at(i)
			if !ok {
				return 0, false
			}
			days := floorDiv(m, microsPerDay)
			if last {
				d := fieldsOf(m)
				days += int64(daysIn(d.year, d.month) - d.day)
			}
			return int32(days), true
		})
	}
}

func evalDatediff(c *scalarCall) (arrow.Array, error) {
	a, b := temporalArg(c, 0), temporalArg(c, 1)
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		x, _, ok1 := a.at(i)
		y, _, ok2 := b.at(i)
		if !ok1 || !ok2 {
			return 0, false
		}
		return floorDiv(x, microsPerDay) - floorDiv(y, microsPerDay), true
	})
}

// Week modes (MySQL's sql_time.h).
const (
	weekMondayFirst  = 1
	weekYear         = 2
	weekFirstWeekday = 4
)

// weekMode turns WEEK()'s mode argument into calcWeek's flags.
func weekMode(mode int64) int {
	f := int(mode & 7)
	if f&weekMondayFirst == 0 {
		f ^= weekFirstWeekday
	}
	return f
}

// calcWeek is MySQL's calc_week: the week number of d under the flags, and the year the
// week belongs to.
func calcWeek(d dtFields, flags int) (week, year int) {
	mondayFirst := flags&weekMondayFirst != 0
	wy := flags&weekYear != 0
	firstWeekday := flags&weekFirstWeekday != 0
	daynr := d.days
	firstDaynr := d.days - int64(d.yday-1)
	weekday := weekdayOf(firstDaynr, !mondayFirst)
	year = d.year
	if d.month == 1 && d.day <= 7-weekday {
		if !wy && ((firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4)) {
			return 0, year
		}
		wy = true
		year--
		days := daysInYear(year)
		firstDaynr -= int64(days)
		weekday = (weekday + 53*7 - days) % 7
	}
	var days int64
	if (firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4) {
		days = daynr - (firstDaynr + int64(7-weekday))
	} else {
		days = daynr - (firstDaynr - int64(weekday))
	}
	if wy && days >= 52*7 {
		weekday = (weekday + daysInYear(year)) % 7
		if (!firstWeekday && weekday < 4) || (firstWeekday && weekday == 0) {
			return 1, year + 1
		}
	}
	return int(days/7) + 1, year
}

// weekdayOf is the weekday of a day number (days since 1970-01-01, a Thursday): 0 is Monday,
// or Sunday when sundayFirst.
func weekdayOf(days int64, sundayFirst bool) int {
	w := int(((days+3)%7 + 7) % 7) // 0 = Monday
	if sundayFirst {
		w = (w + 1) % 7
	}
	return w
}

func daysInYear(y int) int {
	if isLeapYear(y) {
		return 366
	}
	return 365
}

func evalWeek(withYear bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		t := temporalArg(c, 0)
		var modes []int64
		if len(c.args) > 1 {
			modes = c.ints(1)
		}
		return mapFixed(c, int64Type, func(i int) (int64, bool) {
			m, _, ok := t.at(i)
			if !ok {
				return 0, false
			}
			mode := int64(0)
			if modes != nil {
				mode = modes[i]
			}
			flags := weekMode(mode)
			if withYear {
				w, y := calcWeek(fieldsOf(m), flags|weekYear)
				return int64(y)*100 + int64(w), true
			}
			w, _ := calcWeek(fieldsOf(m), flags)
			return int64(w), true
		})
	}
}

// monthsBetween is TIMESTAMPDIFF(MONTH, a, b): whole months from a to b.
func monthsBetween(a, b int64) int64 {
	neg := false
	if b < a {
		a, b, neg = b, a, true
	}
	fa, fb := fieldsOf(a), fieldsOf(b)
	months := int64(fb.year-fa.year)*12 + int64(fb.month-fa.month)
	if fb.day < fa.day || (fb.day == fa.day && fb.tod < fa.tod) {
		months--
	}
	if neg {
		return -months
	}
	return months
}

// unitMicros are the fixed-length units.
var unitMicros = map[string]int64{
	"MICROSECOND": 1, "SECOND": microsPerSecond, "MINUTE": 60 * microsPerSecond,
	"HOUR": 3600 * microsPerSecond, "DAY": microsPerDay, "WEEK": 7 * microsPerDay,
}

// unitMonths are the calendar units.
var unitMonths = map[string]int64{"MONTH": 1, "QUARTER": 3, "YEAR": 12}

func evalTimestampdiff(c *scalarCall) (arrow.Array, error) {
	units, a, b := c.str(0), temporalArg(c, 1), temporalArg(c, 2)
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		x, _, ok1 := a.at(i)
		y, _, ok2 := b.at(i)
		if !ok1 || !ok2 {
			return 0, false
		}
		u := strings.ToUpper(units.Value(i))
		if per, ok := unitMicros[u]; ok {
			return (y - x) / per, true
		}
		if per, ok := unitMonths[u]; ok {
			return monthsBetween(x, y) / per, true
		}
		c.fail(errs.Execf("timestampdiff: unsupported unit %s", u))
		return 0, false
	})
}

// extractField computes EXTRACT(unit FROM d); ok is false for an unknown unit.
func extractField(unit string, d dtFields) (int64, bool) {
	y, mo, dd := int64(d.year), int64(d.month), int64(d.day)
	h, mi, s, us := int64(d.hour), int64(d.minute), int64(d.second), int64(d.micro)
	switch unit {
	case "YEAR":
		return y, true
	case "QUARTER":
		return (mo + 2) / 3, true
	case "MONTH":
		return mo, true
	case "WEEK":
		w, _ := calcWeek(d, weekMode(0))
		return int64(w), true
	case "DAY":
		return dd, true
	case "HOUR":
		return h, true
	case "MINUTE":
		return mi, true
	case "SECOND":
		return s, true
	case "MICROSECOND":
		return us, true
	case "YEAR_MONTH":
		return y*100 + mo, true
	case "DAY_HOUR":
		return dd*100 + h, true
	case "DAY_MINUTE":
		return dd*10000 + h*100 + mi, true
	case "DAY_SECOND":
		return dd*1000000 + h*10000 + mi*100 + s, true
	case "DAY_MICROSECOND":
		return (dd*1000000+h*10000+mi*100+s)*1000000 + us, true
	case "HOUR_MINUTE":
		return h*100 + mi, true
	case "HOUR_SECOND":
		return h*10000 + mi*100 + s, true
	case "HOUR_MICROSECOND":
		return (h*10000+mi*100+s)*1000000 + us, true
	case "MINUTE_SECOND":
		return mi*100 + s, true
	case "MINUTE_MICROSECOND":
		return (mi*100+s)*1000000 + us, true
	case "SECOND_MICROSECOND":
		return s*1000000 + us, true
	}
	return 0, false
}

func evalExtract(c *scalarCall) (arrow.Array, error) {
	units, t := c.str(0), temporalArg(c, 1)
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		m, _, ok := t.at(i)
		if !ok {
			return 0, false
		}
		v, ok := extractField(strings.ToUpper(units.Value(i)), fieldsOf(m))
		if !ok {
			c.fail(errs.Execf("extract: unsupported unit %s", units.Value(i)))
		}
		return v, ok
	})
}

// ---------------------------------------------------------------------------------------
// date_format and str_to_date.

func appendPadded(dst []byte, v int64, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for k := len(s); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func daySuffix(d int) string {
	if d >= 11 && d <= 13 {
		return "th"
	}
	switch d % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// appendDateFormat appends d formatted with MySQL's DATE_FORMAT specifiers.
func appendDateFormat(dst []byte, d dtFields, format string) []byte {
	hour12 := d.hour % 12
	if hour12 == 0 {
		hour12 = 12
	}
	ampm := "AM"
	if d.hour >= 12 {
		ampm = "PM"
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' || i+1 == len(format) {
			dst = append(dst, ch)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			dst = appendPadded(dst, int64(d.year), 4)
		case 'y':
			dst = appendPadded(dst, int64(d.year%100), 2)
		case 'm':
			dst = appendPadded(dst, int64(d.month), 2)
		case 'c':
			dst = strconv.AppendInt(dst, int64(d.month), 10)
		case 'd':
			dst = appendPadded(dst, int64(d.day), 2)
		case 'e':
			dst = strconv.AppendInt(dst, int64(d.day), 10)
		case 'D':
			dst = append(strconv.AppendInt(dst, int64(d.day), 10), daySuffix(d.day)...)
		case 'H':
			dst = appendPadded(dst, int64(d.hour), 2)
		case 'k':
			dst = strconv.AppendInt(dst, int64(d.hour), 10)
		case 'h', 'I':
			dst = appendPadded(dst, int64(hour12), 2)
		case 'l':
			dst = strconv.AppendInt(dst, int64(hour12), 10)
		case 'i':
			dst = appendPadded(dst, int64(d.minute), 2)
		case 's', 'S':
			dst = appendPadded(dst, int64(d.second), 2)
		case 'f':
			dst = appendPadded(dst, int64(d.micro), 6)
		case 'p':
			dst = append(dst, ampm...)
		case 'r':
			dst = appendPadded(dst, int64(hour12), 2)
			dst = append(dst, ':')
			dst = appendPadded(dst, int64(d.minute), 2)
			dst = append(dst, ':')
			dst = appendPadded(dst, int64(d.second), 2)
			dst = append(append(dst, ' '), ampm...)
		case 'T':
			dst = appendPadded(dst, int64(d.hour), 2)
			dst = append(dst, ':')
			dst = appendPadded(dst, int64(d.minute), 2)
			dst = append(dst, ':')
			dst = appendPadded(dst, int64(d.second), 2)
		case 'j':
			dst = appendPadded(dst, int64(d.yday), 3)
		case 'M':
			dst = append(dst, monthNames[d.month-1]...)
		case 'b':
			dst = append(dst, monthNames[d.month-1][:3]...)
		case 'W':
			dst = append(dst, dayNames[d.wday]...)
		case 'a':
			dst = append(dst, dayNames[d.wday][:3]...)
		case 'w':
			dst = strconv.AppendInt(dst, int64(d.wday), 10)
		case 'U':
			w, _ := calcWeek(d, weekFirstWeekday)
			dst = appendPadded(dst, int64(w), 2)
		case 'u':
			w, _ := calcWeek(d, weekMondayFirst)
			dst = appendPadded(dst, int64(w), 2)
		case 'V':
			w, _ := calcWeek(d, weekYear|weekFirstWeekday)
			dst = appendPadded(dst, int64(w), 2)
		case 'v':
			w, _ := calcWeek(d, weekYear|weekMondayFirst)
			dst = appendPadded(dst, int64(w), 2)
		case 'X':
			_, y := calcWeek(d, weekYear|weekFirstWeekday)
			dst = appendPadded(dst, int64(y), 4)
		case 'x':
			_, y := calcWeek(d, weekYear|weekMondayFirst)
			dst = appendPadded(dst, int64(y), 4)
		default:
			dst = append(dst, format[i])
		}
	}
	return dst
}

func evalDateFormat(c *scalarCall) (arrow.Array, error) {
	t, fmts := temporalArg(c, 0), c.str(1)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		m, _, ok := t.at(i)
		if !ok {
			return nil, false
		}
		return appendDateFormat(dst, fieldsOf(m), fmts.Value(i)), true
	})
}

// StrToDateType is the type str_to_date(s, format) has for a constant format, as MySQL
// decides it: DATE when the format has date specifiers only, TIMESTAMP when it has time
// specifiers too, and nil when it has only time specifiers (MySQL's TIME, which Ember lacks).
func StrToDateType(format string) arrow.DataType {
	hasDate, hasTime := false, false
	for i := 0; i+1 < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		switch format[i] {
		case 'H', 'k', 'h', 'I', 'l', 'i', 's', 'S', 'f', 'p', 'r', 'T':
			hasTime = true
		case 'Y', 'y', 'm', 'c', 'd', 'e', 'D', 'j', 'M', 'b', 'W', 'a', 'w', 'U', 'u', 'V', 'v', 'X', 'x':
			hasDate = true
		}
	}
	switch {
	case hasTime && !hasDate:
		return nil
	case hasTime:
		return typTimestamp
	}
	return typDate
}

// strToDate is MySQL's extract_date_time followed by its date checks.
func strToDate(s, format string) (int64, bool) {
	year, month, day, yday := -1, 0, 0, 0
	hour, minute, second, micro := 0, 0, 0, 0
	hour12, pm, sawAMPM := false, false, false
	v := s
	skipSpaces := func() {
		for v != "" && (v[0] == ' ' || v[0] == '\t' || v[0] == '\n' || v[0] == '\r') {
			v = v[1:]
		}
	}
	num := func(maxDigits int) (int, int, bool) {
		k := 0
		for k < len(v) && k < maxDigits && v[k] >= '0' && v[k] <= '9' {
			k++
		}
		if k == 0 {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(v[:k])
		v = v[k:]
		return n, k, true
	}
	word := func(names []string, abbrev bool) (int, bool) {
		for k, name := range names {
			if abbrev {
				name = name[:3]
			}
			if len(v) >= len(name) && strings.EqualFold(v[:len(name)], name) {
				v = v[len(name):]
				return k, true
			}
		}
		return 0, false
	}
	var run func(f string) bool
	run = func(f string) bool {
		for i := 0; i < len(f); i++ {
			skipSpaces()
			if v == "" {
				return true
			}
			ch := f[i]
			if ch != '%' || i+1 == len(f) {
				if ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' {
					continue
				}
				if v[0] != ch {
					return false
				}
				v = v[1:]
				continue
			}
			i++
			var ok bool
			var w int
			switch f[i] {
			case 'Y':
				year, w, ok = num(4)
				if ok && w <= 2 {
					year = twoDigitYear(year)
				}
			case 'y':
				year, _, ok = num(2)
				year = twoDigitYear(year)
			case 'm', 'c':
				month, _, ok = num(2)
			case 'd', 'e':
				day, _, ok = num(2)
			case 'D':
				if day, _, ok = num(2); ok && len(v) >= 2 {
					v = v[2:]
				}
			case 'H', 'k':
				hour, _, ok = num(2)
			case 'h', 'I', 'l':
				hour, _, ok = num(2)
				hour12 = true
			case 'i':
				minute, _, ok = num(2)
			case 's', 'S':
				second, _, ok = num(2)
			case 'f':
				var frac int
				if frac, w, ok = num(6); ok {
					for ; w < 6; w++ {
						frac *= 10
					}
					micro = frac
				}
			case 'p':
				if len(v) >= 2 && strings.EqualFold(v[:2], "PM") {
					pm, ok = true, true
				} else if len(v) >= 2 && strings.EqualFold(v[:2], "AM") {
					ok = true
				}
				if ok {
					v = v[2:]
					sawAMPM = true
				}
			case 'j':
				yday, _, ok = num(3)
			case 'M':
				var k int
				if k, ok = word(monthNames[:], false); ok {
					month = k + 1
				}
			case 'b':
				var k int
				if k, ok = word(monthNames[:], true); ok {
					month = k + 1
				}
			case 'W':
				_, ok = word(dayNames[:], false)
			case 'a':
				_, ok = word(dayNames[:], true)
			case 'w':
				_, _, ok = num(1)
			case 'T':
				ok = run("%H:%i:%S")
			case 'r':
				ok = run("%I:%i:%S %p")
			case '%':
				ok = v[0] == '%'
				if ok {
					v = v[1:]
				}
			default:
				// week-based specifiers (%U %u %V %v %X %x) are not read
				return false
			}
			if !ok {
				return false
			}
		}
		return true
	}
	if !run(format) {
		return 0, false
	}
	if sawAMPM {
		if !hour12 || hour > 12 || hour == 0 {
			return 0, false
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if yday > 0 && year >= 0 {
		if yday > daysInYear(year) {
			return 0, false
		}
		t := time.Date(year, 1, yday, 0, 0, 0, 0, time.UTC)
		month, day = int(t.Month()), t.Day()
	}
	if year < 0 || hour > 23 || minute > 59 || second > 59 {
		return 0, false
	}
	tod := (int64(hour)*3600+int64(minute)*60+int64(second))*microsPerSecond + int64(micro)
	return microsOf(year, month, day, tod)
}

func twoDigitYear(y int) int {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

func evalStrToDate(c *scalarCall) (arrow.Array, error) {
	ss, fmts := c.str(0), c.str(1)
	return mapFixed(c, typTimestamp, func(i int) (int64, bool) { return strToDate(ss.Value(i), fmts.Value(i)) })
}

// ---------------------------------------------------------------------------------------
// Date arithmetic, the clock, Unix time.

// dateAddSig: (DATE | TIMESTAMP | VARCHAR, BIGINT, VARCHAR unit) → the first's type.
func dateAddSig(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	params, _, err := fixedSig("date_add", 3, 3, nil, argTemporal, argInt, argString)(args)
	if err != nil {
		return nil, nil, err
	}
	return params, params[0], nil
}

// addToMicros moves a timestamp by n units; ok is false for an unknown unit or a result
// outside years 0..9999.
func addToMicros(m int64, n int64, unit string) (int64, bool) {
	if per, ok := unitMicros[unit]; ok {
		if n > 0 && n > (1<<62)/per || n < 0 && n < -(1<<62)/per {
			return 0, false
		}
		r := m + n*per
		f := fieldsOf(r)
		return r, f.year >= 0 && f.year <= 9999
	}
	per, ok := unitMonths[unit]
	if !ok || n > 1<<40 || n < -(1<<40) {
		return 0, false
	}
	f := fieldsOf(m)
	total := int64(f.year)*12 + int64(f.month-1) + n*per
	y, mo := floorDiv(total, 12), int(total-floorDiv(total, 12)*12)+1
	if y < 0 || y > 9999 {
		return 0, false
	}
	return microsOf(int(y), mo, min(f.day, daysIn(int(y), mo)), f.tod)
}

// appendDateTime appends yyyy-mm-dd, and hh:mm:ss[.ffffff] when withTime.
func appendDateTime(dst []byte, m int64, withTime bool) []byte {
	f := fieldsOf(m)
	dst = appendPadded(dst, int64(f.year), 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int64(f.month), 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, int64(f.day), 2)
	if !withTime {
		return dst
	}
	dst = append(dst, ' ')
	dst = appendPadded(dst, int64(f.hour), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int64(f.minute), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int64(f.second), 2)
	if f.micro != 0 {
		dst = append(dst, '.')
		dst = appendPadded(dst, int64(f.micro), 6)
	}
	return dst
}

func evalDateAdd(c *scalarCall) (arrow.Array, error) {
	t, ns, units := temporalArg(c, 0), c.ints(1), c.str(2)
	unitAt := func(i int) (string, bool) {
		u := strings.ToUpper(units.Value(i))
		if _, ok := unitMicros[u]; ok {
			return u, true
		}
		if _, ok := unitMonths[u]; ok {
			return u, true
		}
		c.fail(errs.Execf("date_add: unsupported unit %s", u))
		return "", false
	}
	switch c.ret.ID() {
	case arrow.DATE32:
		return mapFixed(c, typDate, func(i int) (int32, bool) {
			u, ok := unitAt(i)
			if !ok {
				return 0, false
			}
			if per, ok := unitMicros[u]; ok && per < microsPerDay {
				c.fail(errs.Internalf("date_add: a DATE plus %s must be cast to TIMESTAMP first", u))
				return 0, false
			}
			m, _, _ := t.at(i)
			r, ok := addToMicros(m, ns[i], u)
			return int32(floorDiv(r, microsPerDay)), ok
		})
	case arrow.TIMESTAMP:
		return mapFixed(c, c.ret, func(i int) (int64, bool) {
			u, ok := unitAt(i)
			if !ok {
				return 0, false
			}
			m, _, _ := t.at(i)
			return addToMicros(m, ns[i], u)
		})
	}
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		u, ok := unitAt(i)
		if !ok {
			return nil, false
		}
		m, hasTime, ok := t.at(i)
		if !ok {
			return nil, false
		}
		r, ok := addToMicros(m, ns[i], u)
		if !ok {
			return nil, false
		}
		per, isTime := unitMicros[u]
		return appendDateTime(dst, r, hasTime || (isTime && per < microsPerDay)), true
	})
}

func evalUnixTimestamp(c *scalarCall) (arrow.Array, error) {
	if len(c.args) == 0 {
		now := StatementTime(c.ctx).Unix()
		return mapFixed(c, int64Type, func(int) (int64, bool) { return now, true })
	}
	t := temporalArg(c, 0)
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		m, _, ok := t.at(i)
		if !ok {
			return 0, false
		}
		if m < 0 {
			return 0, true
		}
		return m / microsPerSecond, true
	})
}

// fromUnixtimeSig: from_unixtime(n) is a TIMESTAMP, from_unixtime(n, format) a VARCHAR.
func fromUnixtimeSig(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	params, _, err := fixedSig("from_unixtime", 1, 2, nil, argDouble, argString)(args)
	if err != nil {
		return nil, nil, err
	}
	if len(args) == 2 {
		return params, typVarchar, nil
	}
	return params, typTimestamp, nil
}

// maxUnixtime is MySQL's largest from_unixtime argument, 3001-01-18 23:59:59.999999 UTC.
const maxUnixtime = 32536771199.999999

func evalFromUnixtime(c *scalarCall) (arrow.Array, error) {
	secs := c.floats(0)
	at := func(i int) (int64, bool) {
		s := secs[i]
		if s < 0 || s > maxUnixtime || s != s {
			return 0, false
		}
		whole := int64(s)
		frac := int64((s - float64(whole)) * microsPerSecond)
		return whole*microsPerSecond + frac, true
	}
	if len(c.args) == 1 {
		return mapFixed(c, typTimestamp, at)
	}
	fmts := c.str(1)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		m, ok := at(i)
		if !ok {
			return nil, false
		}
		return appendDateFormat(dst, fieldsOf(m), fmts.Value(i)), true
	})
}

// evalNow is now([fsp]) (the statement's time) and, with moving, sysdate([fsp]).
func evalNow(moving bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		var t time.Time
		if moving {
			t = time.Now()
		} else {
			t = StatementTime(c.ctx)
		}
		m := t.UnixMicro()
		fsp := int64(0)
		if len(c.args) > 0 && c.n > 0 {
			fsp = c.ints(0)[0]
		}
		if fsp < 0 || fsp > 6 {
			return nil, errs.Execf("%s: precision %d is out of range 0 to 6", c.name, fsp)
		}
		unit := int64(microsPerSecond)
		for range fsp {
			unit /= 10
		}
		m = floorDiv(m, unit) * unit
		return mapFixed(c, typTimestamp, func(int) (int64, bool) { return m, true })
	}
}

func evalCurdate(c *scalarCall) (arrow.Array, error) {
	d := int32(floorDiv(StatementTime(c.ctx).UnixMicro(), microsPerDay))
	return mapFixed(c, typDate, func(int) (int32, bool) { return d, true })
}
