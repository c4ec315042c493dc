// Command target is the Go program the goprobe tests probe.
//
// It calls work n times, each time on a new goroutine whose small initial
// stack must grow (be copied by the runtime to a larger one) while work's
// frame is live, because work calls recurse, which nests depth frames of
// about 1 KiB each. A kernel uretprobe on work replaces work's return
// address on the stack; the runtime then meets an unknown return PC while
// copying the stack and aborts. A uretprobe.go probe must let it finish.
//
// Output, one line: "total=<sum of work's results> moves=<calls during which
// work's stack frame moved> classify=<sum of classify's results>
// sum=<sum of Sum's results> add=<last result of counter.add>".
package main

import (
	"flag"
	"fmt"
	"os"
	"unsafe"
)

func main() {
	n := flag.Int("n", 100, "calls of work, each on a new goroutine")
	depth := flag.Int("depth", 64, "recursion depth below each call of work")
	flag.Parse()

	total, moves := 0, 0
	for i := 0; i < *n; i++ {
		done := make(chan [2]int)
		go func() {
			before := frameAddr()
			r := work(i, *depth)
			moved := 0
			if frameAddr() != before {
				moved = 1
			}
			done <- [2]int{r, moved}
		}()
		res := <-done
		total += res[0]
		moves += res[1]
	}

	classified := 0
	for i := -2; i < *n-2; i++ {
		classified += classify(i)
	}
	ints := []int{1, 2, 3}
	floats := []float64{0.5, 0.25}
	sum := 0
	var c counter
	last := 0
	for i := 0; i < *n; i++ {
		sum += Sum(ints)
		_ = Sum(floats)
		last = c.add(i)
		bigFrame(i)
	}
	fmt.Printf("total=%d moves=%d classify=%d sum=%d add=%d\n", total, moves, classified, sum, last)
	os.Exit(0)
}

// frameAddr returns the address of a variable in its caller's frame region
// of the stack: it changes when the runtime copies the goroutine's stack.
//
//go:noinline
func frameAddr() uintptr {
	var x int
	return uintptr(unsafe.Pointer(&x))
}

// work returns recurse(depth) + i; its stack grows while it runs.
//
//go:noinline
func work(i, depth int) int {
	return recurse(depth) + i
}

// recurse nests depth frames of a 1 KiB array each and returns depth+1.
//
//go:noinline
func recurse(depth int) int {
	var frame [1024]byte
	frame[depth%len(frame)] = 1
	if depth == 0 {
		return int(frame[0])
	}
	return recurse(depth-1) + int(frame[depth%len(frame)])
}

// classify has several return statements, so several return instructions.
//
//go:noinline
func classify(v int) int {
	switch {
	case v < 0:
		return 100
	case v == 0:
		return 10
	case v%2 == 0:
		return 2
	}
	return 1
}

// bigFrame's frame is larger than the runtime's StackBig, which gives it
// the longer stack check with two branches to runtime.morestack.
//
//go:noinline
func bigFrame(i int) int {
	var frame [64 << 10]byte
	frame[i%len(frame)] = 1
	return int(frame[(i*7)%len(frame)])
}

type number interface{ ~int | ~float64 }

// Sum is generic: its int instantiation is main.Sum[go.shape.int].
//
//go:noinline
func Sum[T number](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

type counter struct{ n int }

// add is a pointer method: main.(*counter).add.
//
//go:noinline
func (c *counter) add(v int) int {
	c.n += v
	return c.n
}
