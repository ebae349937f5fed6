#!/bin/sh
# Copies Parquet files written by other implementations (Impala, parquet-mr, parquet-cpp,
# HVR) from the apache/parquet-testing collection, as vendored in the parquet-go module
# that Ember already depends on (Apache License 2.0). Run from this directory:
#   sh fetch.sh
set -e
src="$(go env GOMODCACHE)/github.com/parquet-go/parquet-go@v0.32.0/testdata"
for f in alltypes_plain.parquet alltypes_dictionary.parquet alltypes_plain.snappy.parquet \
	int32_decimal.parquet int64_decimal.parquet fixed_length_decimal.parquet \
	fixed_length_decimal_legacy.parquet byte_array_decimal.parquet rle_boolean_encoding.parquet \
	delta_length_byte_array.parquet delta_binary_packed.parquet single_nan.parquet \
	datapage_v2.snappy.parquet null_columns.parquet; do
	cp "$src/$f" "$f"
	chmod 644 "$f"
done
