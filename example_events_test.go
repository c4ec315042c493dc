package libbpf_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/golibbpf/libbpf"
)

// Read a perf event array as bcc's tools do: every CPU's samples in order,
// losses reported where they happened.
func ExampleNewPerfBuffer() {
	obj, err := libbpf.OpenObjectFile("execsnoop.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		log.Fatal(err)
	}
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 64, libbpf.PerfBufferOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer pb.Close()
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	var rec libbpf.PerfRecord // reused: no allocation per sample
	for {
		if err := pb.ReadInto(ctx, &rec); errors.Is(err, context.DeadlineExceeded) {
			return
		} else if err != nil {
			log.Fatal(err)
		}
		if rec.LostSamples > 0 {
			fmt.Printf("CPU %d: lost %d samples\n", rec.CPU, rec.LostSamples)
			continue
		}
		fmt.Printf("CPU %d: %d bytes\n", rec.CPU, len(rec.Data))
	}
}

// Drain a ring buffer without copying: the callback sees each record in
// the mapped ring, valid until it returns.
func ExampleRingBuffer_Poll() {
	obj, err := libbpf.OpenObjectFile("events.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	rb, err := libbpf.NewRingBuffer(obj.Map("rb"))
	if err != nil {
		log.Fatal(err)
	}
	defer rb.Close()
	total := 0
	for range 10 {
		_, err := rb.Poll(100*time.Millisecond, func(rec libbpf.Record) error {
			total += len(rec.Data) // copy what must outlive the call
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(total, "bytes")
}

// Send samples from Go to a program that drains them with
// bpf_user_ringbuf_drain.
func ExampleNewUserRingBuffer() {
	obj, err := libbpf.OpenObjectFile("userringbuf.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	u, err := libbpf.NewUserRingBuffer(obj.Map("urb"))
	if err != nil {
		log.Fatal(err)
	}
	defer u.Close()
	sample, err := u.ReserveBlocking(16, time.Second)
	if err != nil {
		log.Fatal(err)
	}
	copy(sample, "hello, kernel")
	if err := u.Submit(sample); err != nil {
		log.Fatal(err)
	}
}
