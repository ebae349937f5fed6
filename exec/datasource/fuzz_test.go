package datasource

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSVTokenizer checks that the tokenizer never panics on any input and options, and
// that it reads back exactly the records encoding/csv writes (RFC 4180 quoting). The
// input is records separated by \x01 with fields separated by \x02.
func FuzzCSVTokenizer(f *testing.F) {
	for _, seed := range []string{
		"a\x02b\x01c\x02d",
		"with,comma\x02with \"quote\"\x01multi\nline\x02\r\n",
		"\x02\x01 lead\x02trail \x01\"\x02\"\"",
		"\xEF\xBB\xBFbom\x02x",
	} {
		f.Add(seed, byte(','))
	}
	f.Add("x|y\x02z", byte('|'))
	f.Fuzz(func(t *testing.T, input string, delim byte) {
		if delim == '"' || delim == '\r' || delim == '\n' || delim == 0 || delim >= 0x80 {
			delim = ','
		}
		cfg := &csvConfig{delim: delim, quote: '"', escape: '"'}
		// Any input: no panic, sane offsets.
		tok := newCSVTokenizer(strings.NewReader(input), "fuzz.csv", cfg)
		for {
			err := tok.next()
			if err != nil {
				break
			}
			prev := 0
			for i, e := range tok.ends {
				if e < prev || e > len(tok.rec) || len(tok.quoted) != len(tok.ends) {
					t.Fatalf("field %d: bad end %d", i, e)
				}
				prev = e
			}
		}
		// Round trip through encoding/csv.
		var records [][]string
		for _, r := range strings.Split(input, "\x01") {
			fields := strings.Split(r, "\x02")
			if len(fields) < 2 {
				fields = append(fields, "pad")
			}
			records = append(records, fields)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = rune(delim)
		if err := w.WriteAll(records); err != nil {
			return // encoding/csv refuses some inputs (invalid UTF-8 delimiters and such)
		}
		if strings.HasPrefix(buf.String(), "\xEF\xBB\xBF") {
			return // a leading byte order mark is dropped by design
		}
		tok = newCSVTokenizer(&buf, "fuzz.csv", cfg)
		for i, want := range records {
			if err := tok.next(); err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if len(tok.ends) != len(want) {
				t.Fatalf("record %d: %d fields, want %d (%q)", i, len(tok.ends), len(want), want)
			}
			for j := range want {
				if got := string(tok.field(j)); got != want[j] {
					t.Fatalf("record %d field %d: %q, want %q", i, j, got, want[j])
				}
			}
		}
		if err := tok.next(); err != io.EOF {
			t.Fatalf("after the last record: %v", err)
		}
	})
}

// FuzzJSONParser checks that the parser never panics, and that it accepts every line
// encoding/json accepts as an object, with the same keys and string values.
func FuzzJSONParser(f *testing.F) {
	for _, seed := range []string{
		`{"a": 1, "b": "x", "c": [1, {"d": null}], "e": true}`,
		`{"s": "\u00e9\ud83d\ude00\n\"\\"}`,
		`{"s": "\ud800\u0041\udc00x\ud83d"}`,
		`{"a": 1,}`,
		`{"a" 1}`,
		`[1]`,
		`{"n": -0.5e-3, "m": 1E+2}`,
		`{}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") {
			return // one object per line
		}
		var p jsonParser
		got := map[string]string{}
		kinds := map[string]jsonKind{}
		dups := map[string]bool{}
		err := p.reset([]byte(line))
		for err == nil {
			key, kind, val, ok, nerr := p.next()
			if err = nerr; err != nil || !ok {
				break
			}
			if _, dup := got[string(key)]; dup {
				dups[string(key)] = true // encoding/json keeps the last value, the parser the first
				continue
			}
			got[string(key)] = string(val)
			kinds[string(key)] = kind
		}
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &want) != nil || want == nil || !utf8.ValidString(line) {
			return // encoding/json replaces invalid UTF-8, the parser keeps the bytes
		}
		if err != nil {
			t.Fatalf("encoding/json accepts %q, the parser says %v", line, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d keys, encoding/json has %d", len(got), len(want))
		}
		for k, raw := range want {
			v, ok := got[k]
			if !ok {
				t.Fatalf("key %q missing", k)
			}
			if kinds[k] == jsonString && !dups[k] {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatalf("key %q: %v", k, err)
				}
				// encoding/json replaces invalid UTF-8 and lone surrogates with U+FFFD.
				if s != v && !strings.ContainsRune(s, '\uFFFD') {
					t.Fatalf("key %q: %q, encoding/json %q", k, v, s)
				}
			}
		}
	})
}
