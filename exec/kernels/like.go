package kernels

import (
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Like returns a new BOOLEAN array of a [NOT] LIKE pattern: % matches any run of
// characters, _ exactly one character (a UTF-8 code point), case-sensitively and bytewise
// otherwise. escape makes the next pattern character literal (an escape at the end of the
// pattern is itself literal); escape 0 means the pattern has no escape character. NULL rows
// stay NULL. The pattern is compiled once per call: prefix%, %suffix, %infix%, exact and %
// run as single strings-package calls per row, other patterns as a left-to-right scan that
// never backtracks (each % segment is matched at its leftmost position, which is optimal).
func Like(mem memory.Allocator, a arrow.Array, pattern string, escape byte, negated bool) (arrow.Array, error) {
	n := a.Len()
	if isNullType(a) {
		return allNull(mem, planner.Boolean, n)
	}
	s, ok := a.(*array.String)
	if !ok {
		return nil, errs.Internalf("like: operand of type %s is not VARCHAR", planner.TypeString(a.DataType()))
	}
	m := compileLike(pattern, escape)
	buf, out := newBitmap(mem, n)
	var flip byte
	if negated {
		flip = 1
	}
	switch m.kind {
	case likeAll:
		for i := 0; i < n; i++ {
			out[i>>3] |= (1 ^ flip) << (i & 7)
		}
	case likeExact:
		for i := 0; i < n; i++ {
			out[i>>3] |= (b2u(s.Value(i) == m.lit) ^ flip) << (i & 7)
		}
	case likePrefix:
		for i := 0; i < n; i++ {
			out[i>>3] |= (b2u(strings.HasPrefix(s.Value(i), m.lit)) ^ flip) << (i & 7)
		}
	case likeSuffix:
		for i := 0; i < n; i++ {
			out[i>>3] |= (b2u(strings.HasSuffix(s.Value(i), m.lit)) ^ flip) << (i & 7)
		}
	case likeContains:
		for i := 0; i < n; i++ {
			out[i>>3] |= (b2u(strings.Contains(s.Value(i), m.lit)) ^ flip) << (i & 7)
		}
	default:
		for i := 0; i < n; i++ {
			out[i>>3] |= (b2u(m.match(s.Value(i))) ^ flip) << (i & 7)
		}
	}
	return finish(planner.Boolean, n, newValidOut(mem, n, validBits(a)), buf), nil
}

type likeKind uint8

const (
	likeGeneral likeKind = iota
	likeAll
	likeExact
	likePrefix
	likeSuffix
	likeContains
)

// likeItem is a literal byte string, or (any) one arbitrary character.
type likeItem struct {
	lit string
	any bool
}

// likeSeg is a run of items between two %.
type likeSeg []likeItem

// likeMatcher is a compiled pattern p0 % p1 % ... % pk: head = p0 is anchored at the
// start, tail = pk at the end, mids float. Without any %, head is the whole pattern and
// hasPct is false.
type likeMatcher struct {
	kind   likeKind
	lit    string // the literal of the fast paths
	hasPct bool
	head   likeSeg
	mids   []likeSeg
	tail   likeSeg
}

func compileLike(pattern string, escape byte) *likeMatcher {
	var segs []likeSeg
	var cur likeSeg
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			cur = append(cur, likeItem{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case escape != 0 && c == escape && i+1 < len(pattern):
			i++
			lit = append(lit, pattern[i])
		case c == '%':
			flush()
			segs = append(segs, cur)
			cur = nil
		case c == '_':
			flush()
			cur = append(cur, likeItem{any: true})
		default:
			lit = append(lit, c)
		}
	}
	flush()
	segs = append(segs, cur)

	m := &likeMatcher{head: segs[0]}
	if len(segs) > 1 {
		m.hasPct = true
		m.tail = segs[len(segs)-1]
		for _, s := range segs[1 : len(segs)-1] {
			if len(s) > 0 {
				m.mids = append(m.mids, s)
			}
		}
	}
	// Fast paths: every segment is one literal (or empty).
	simple := func(s likeSeg) bool { return len(s) == 0 || (len(s) == 1 && !s[0].any) }
	litOf := func(s likeSeg) string {
		if len(s) == 0 {
			return ""
		}
		return s[0].lit
	}
	switch {
	case !m.hasPct && simple(m.head):
		m.kind, m.lit = likeExact, litOf(m.head)
	case !m.hasPct || !simple(m.head) || !simple(m.tail):
	case len(m.mids) == 0 && len(m.head) == 0 && len(m.tail) == 0:
		m.kind = likeAll
	case len(m.mids) == 0 && len(m.tail) == 0:
		m.kind, m.lit = likePrefix, litOf(m.head)
	case len(m.mids) == 0 && len(m.head) == 0:
		m.kind, m.lit = likeSuffix, litOf(m.tail)
	case len(m.mids) == 1 && len(m.head) == 0 && len(m.tail) == 0 && simple(m.mids[0]):
		m.kind, m.lit = likeContains, litOf(m.mids[0])
	}
	return m
}

// match is the general matcher. Each item consumes a fixed number of characters, so the
// head's and tail's extents are determined, and the leftmost placement of each middle
// segment leaves the most room for the rest.
func (m *likeMatcher) match(s string) bool {
	pos, ok := matchForward(s, 0, m.head)
	if !ok {
		return false
	}
	if !m.hasPct {
		return pos == len(s)
	}
	end, ok := matchBackward(s, m.tail)
	if !ok || end < pos {
		return false
	}
	s = s[:end]
	for _, seg := range m.mids {
		found := false
		for start := pos; start <= len(s); {
			if seg[0].any {
				if e, ok := matchForward(s, start, seg); ok {
					pos, found = e, true
					break
				}
				if start == len(s) {
					break
				}
				_, w := utf8.DecodeRuneInString(s[start:])
				start += w
				continue
			}
			k := strings.Index(s[start:], seg[0].lit)
			if k < 0 {
				break
			}
			start += k
			if e, ok := matchForward(s, start, seg); ok {
				pos, found = e, true
				break
			}
			start++
		}
		if !found {
			return false
		}
	}
	return true
}

// matchForward matches seg at s[pos:] and returns the end of the match.
func matchForward(s string, pos int, seg likeSeg) (int, bool) {
	for _, it := range seg {
		if it.any {
			if pos >= len(s) {
				return 0, false
			}
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += w
			continue
		}
		if !strings.HasPrefix(s[pos:], it.lit) {
			return 0, false
		}
		pos += len(it.lit)
	}
	return pos, true
}

// matchBackward matches seg at the end of s and returns where the match starts.
func matchBackward(s string, seg likeSeg) (int, bool) {
	end := len(s)
	for k := len(seg) - 1; k >= 0; k-- {
		it := seg[k]
		if it.any {
			if end == 0 {
				return 0, false
			}
			_, w := utf8.DecodeLastRuneInString(s[:end])
			end -= w
			continue
		}
		if !strings.HasSuffix(s[:end], it.lit) {
			return 0, false
		}
		end -= len(it.lit)
	}
	return end, true
}
