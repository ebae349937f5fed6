package tablestore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
)

// The row log (see doc.go): a 16-byte file header, then records, each a 12-byte header and
// an Arrow IPC stream.
const (
	logMagic         = "EMBERLOG"
	logVersion       = 1
	logHeaderSize    = 16
	recordMagic      = "EREC"
	recordHeaderSize = 12
	// maxRecordPayload bounds a record so that a corrupt length cannot ask for a huge read.
	maxRecordPayload = 1 << 30
	// mergeRows is the size up to which the in-memory copy of the log merges small batches.
	mergeRows = datasource.DefaultBatchSize
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// logFileHeader returns the 16 bytes that start every log file.
func logFileHeader() []byte {
	h := make([]byte, logHeaderSize)
	copy(h, logMagic)
	binary.LittleEndian.PutUint32(h[8:], logVersion)
	return h
}

// encodeRecord frames payload as a log record: "EREC", the payload length (uint32 LE), the
// CRC-32C of the length bytes and the payload (uint32 LE), then the payload.
func encodeRecord(payload []byte) []byte {
	rec := make([]byte, recordHeaderSize+len(payload))
	copy(rec, recordMagic)
	binary.LittleEndian.PutUint32(rec[4:], uint32(len(payload)))
	copy(rec[recordHeaderSize:], payload)
	binary.LittleEndian.PutUint32(rec[8:], recordCRC(rec[4:8], payload))
	return rec
}

func recordCRC(length, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, payload)
}

// scanLog splits the bytes of a log file into the payloads of its complete, checksummed
// records. It stops at the first record that is cut short or fails its checksum (a torn
// tail left by a crash) and returns the offset where the valid prefix ends. A bad file
// header is an error: the header is synced before any manifest names the file.
func scanLog(path string, data []byte) (payloads [][]byte, end int64, err error) {
	if len(data) < logHeaderSize || !bytes.Equal(data[:8], []byte(logMagic)) {
		return nil, 0, errs.Execf("corrupt table log %s: bad file header", path)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != logVersion {
		return nil, 0, errs.Execf("table log %s has version %d: this Ember reads version %d", path, v, logVersion)
	}
	off := int64(logHeaderSize)
	for {
		rest := data[off:]
		if len(rest) < recordHeaderSize || !bytes.Equal(rest[:4], []byte(recordMagic)) {
			return payloads, off, nil
		}
		n := int64(binary.LittleEndian.Uint32(rest[4:]))
		if n > maxRecordPayload || int64(len(rest)) < recordHeaderSize+n {
			return payloads, off, nil
		}
		payload := rest[recordHeaderSize : recordHeaderSize+n]
		if recordCRC(rest[4:8], payload) != binary.LittleEndian.Uint32(rest[8:]) {
			return payloads, off, nil
		}
		payloads = append(payloads, payload)
		off += recordHeaderSize + n
	}
}

// logCache is the table's decoded copy of the committed log records, so that readers of
// the log part never touch the file. It owns one reference to each batch. Batches are
// merged as records arrive, like a binary counter: two neighbours merge while the older one
// is no larger than the newer and the result is at most mergeRows, so N single-row appends
// leave O(N/mergeRows + log mergeRows) batches, each row copied O(log mergeRows) times.
//
// Snapshots copy the batches slice and retain each batch, so the cache may rewrite its
// slice in place.
type logCache struct {
	schema  *arrow.Schema
	mem     memory.Allocator
	batches []arrow.RecordBatch
	rows    int64
	size    int64 // committed size of the log file
}

// cacheUpdate is a cache with more batches, built without touching the old one, so that
// snapshots can keep reading the old one until the writer publishes next under Table.mu.
type cacheUpdate struct {
	next    *logCache
	dropped []arrow.RecordBatch // batches of the old cache that next no longer holds (merged)
	fresh   int                 // next.batches[fresh:] are references of next's own
}

// abort releases what the update allocated, leaving the old cache as it was.
func (u *cacheUpdate) abort() { releaseAll(u.next.batches[u.fresh:]) }

// appended returns the update that adds bs (batches of c.schema, whose ownership it takes)
// to c. After publishing next, the writer releases dropped; c itself is not changed.
func (c *logCache) appended(bs []arrow.RecordBatch) (*cacheUpdate, error) {
	u := &cacheUpdate{
		next:  &logCache{schema: c.schema, mem: c.mem, batches: append([]arrow.RecordBatch(nil), c.batches...), rows: c.rows, size: c.size},
		fresh: len(c.batches),
	}
	n := u.next
	drop := func(i int) {
		if i < u.fresh {
			u.dropped = append(u.dropped, n.batches[i])
		} else {
			n.batches[i].Release()
		}
	}
	for i, b := range bs {
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		n.batches = append(n.batches, b)
		n.rows += b.NumRows()
		for k := len(n.batches); k >= 2; k = len(n.batches) {
			older, newer := n.batches[k-2], n.batches[k-1]
			if older.NumRows() > newer.NumRows() || older.NumRows()+newer.NumRows() > mergeRows {
				break
			}
			merged, err := concatBatches(c.schema, []arrow.RecordBatch{older, newer}, c.mem)
			if err != nil {
				u.abort()
				releaseAll(bs[i+1:])
				return nil, err
			}
			drop(k - 2)
			drop(k - 1)
			n.batches[k-2] = merged
			n.batches = n.batches[:k-1]
			u.fresh = min(u.fresh, k-2)
		}
	}
	return u, nil
}

// snapshot returns the batches, each retained for the caller.
func (c *logCache) snapshot() []arrow.RecordBatch {
	out := append([]arrow.RecordBatch(nil), c.batches...)
	for _, b := range out {
		b.Retain()
	}
	return out
}

func (c *logCache) release() {
	releaseAll(c.batches)
	c.batches, c.rows = nil, 0
}

// concatBatches copies batches of schema into one batch allocated from mem.
func concatBatches(schema *arrow.Schema, batches []arrow.RecordBatch, mem memory.Allocator) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	var rows int64
	for _, b := range batches {
		rows += b.NumRows()
	}
	parts := make([]arrow.Array, len(batches))
	for i := range cols {
		for j, b := range batches {
			parts[j] = b.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			releaseArrays(cols[:i])
			return nil, errs.Internalf("merging log batches, column %q: %v", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	out := arrowBatch(schema, cols, rows)
	releaseArrays(cols)
	return out, nil
}

// arrowBatch builds a batch from cols (retained by the batch; the caller keeps its own
// references).
func arrowBatch(schema *arrow.Schema, cols []arrow.Array, rows int64) arrow.RecordBatch {
	return array.NewRecordBatch(schema, cols, rows)
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		if b != nil {
			b.Release()
		}
	}
}

func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
