package exec

// bloomFilter is a split-block Bloom filter (the layout of Parquet's bloom filters): an
// array of 256-bit blocks, each eight 32-bit words. A key's 64-bit hash picks one block
// with its high 32 bits and sets one bit in each of the block's eight words, chosen by its
// low 32 bits times a per-word odd constant. A lookup touches one block (one cache line),
// so it costs about one cache miss whatever the filter's size.
//
// With bloomBitsPerKey = 16 the false-positive rate is about 0.1 to 0.2% (TestBloomFilter
// measures it). A bloomFilter is written by one goroutine while it is built and only read
// afterwards; it holds Go memory (2 bytes per key), not Arrow buffers.
type bloomFilter struct {
	blocks [][8]uint32
}

// bloomBitsPerKey is the filter's size per inserted key.
const bloomBitsPerKey = 16

// bloomSalt are the odd multipliers that pick a bit in each word of a block (the constants
// of the Parquet format's split-block filter).
var bloomSalt = [8]uint32{0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31}

// newBloomFilter returns an empty filter sized for n keys (at least one block).
func newBloomFilter(n int) *bloomFilter {
	blocks := (n*bloomBitsPerKey + 255) / 256
	return &bloomFilter{blocks: make([][8]uint32, max(blocks, 1))}
}

// block returns the block of hash h.
func (f *bloomFilter) block(h uint64) *[8]uint32 {
	return &f.blocks[(h>>32)*uint64(len(f.blocks))>>32]
}

// insert adds the key of hash h.
func (f *bloomFilter) insert(h uint64) {
	b := f.block(h)
	k := uint32(h)
	for i := range b {
		b[i] |= 1 << ((k * bloomSalt[i]) >> 27)
	}
}

// mayContain reports whether the key of hash h may have been inserted: false means it
// surely was not.
func (f *bloomFilter) mayContain(h uint64) bool {
	b := f.block(h)
	k := uint32(h)
	for i := range b {
		if b[i]&(1<<((k*bloomSalt[i])>>27)) == 0 {
			return false
		}
	}
	return true
}
