// Command gotarget is the Go program the demo probes with uprobe.go and
// uretprobe.go: every 10 ms it calls work on a fresh goroutine. work recurses
// through frames of about 300 bytes, so the runtime grows (copies) the
// goroutine's small stack while work runs: what breaks kernel uretprobes on
// Go code, and what uretprobe.go survives.
//
// It runs until killed, or for -n calls.
package main

import (
	"flag"
	"fmt"
	"time"
)

// work returns 1+2+...+n for n = 32 + i%32. The demo probes its entry
// (uprobe.go, which reads i) and its returns (uretprobe.go, which reads the
// result).
//
//go:noinline
func work(i int) int {
	return sum(32 + i%32)
}

//go:noinline
func sum(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return n + sum(n-1) + int(pad[(n+1)%256])
}

func main() {
	n := flag.Int("n", -1, "calls to make; -1 runs until killed")
	flag.Parse()
	total := 0
	for i := 0; *n < 0 || i < *n; i++ {
		done := make(chan int)
		go func() { done <- work(i) }()
		total += <-done
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("total", total)
}
