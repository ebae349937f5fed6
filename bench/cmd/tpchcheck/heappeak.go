package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/embersql/ember/exec"
)

// watchHeapPeak samples the live heap every 5 ms and writes a heap profile to path each
// time it passes its highest level so far by 5%, so that the file ends up holding the
// profile of the peak (as of the collection before it). It returns a function that stops
// the sampling and prints the peaks of the live Go heap and of the memory Ember's default
// allocator mapped outside it (exec.PoolAllocator), the two parts of Ember's footprint.
func watchHeapPeak(path string) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	var heapPeak uint64
	var mapped int64
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if pa, ok := exec.DefaultAllocator.(*exec.PoolAllocator); ok {
				mapped = max(mapped, pa.Stats().PeakMapped)
			}
			heapPeak = max(heapPeak, sample[0].Value.Uint64())
			if v := sample[0].Value.Uint64(); v > peak+peak/20 {
				peak = v
				if err := writeHeapProfile(path); err != nil {
					fmt.Fprintln(os.Stderr, "tpchcheck: heap profile:", err)
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		fmt.Printf("peak live Go heap %.0f MB, peak mapped by the pool allocator %.0f MB\n",
			float64(heapPeak)/1e6, float64(mapped)/1e6)
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
