package bench

// libbpf's own readers, driven from C, for the drain benchmarks
// (events_test.go): ring_buffer__consume and perf_buffer__consume with a
// sample callback that only counts, as the Go cases' callbacks do.

/*
#cgo CFLAGS: -O2 -Wall
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

struct drain_count {
	long long n, bytes, lost;
};

static int ring_sample(void *ctx, void *data, size_t size)
{
	struct drain_count *c = ctx;

	c->n++;
	c->bytes += size;
	return 0;
}

static void perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	ring_sample(ctx, data, size);
}

static void perf_lost(void *ctx, int cpu, __u64 cnt)
{
	((struct drain_count *)ctx)->lost += cnt;
}

struct c_reader {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	struct drain_count c;
};

static struct c_reader *c_ring_new(int fd)
{
	struct c_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->rb = ring_buffer__new(fd, ring_sample, &r->c, NULL);
	if (!r->rb) {
		free(r);
		return NULL;
	}
	return r;
}

static struct c_reader *c_perf_new(int fd, size_t pages, __u32 sample_period)
{
	LIBBPF_OPTS(perf_buffer_opts, opts, .sample_period = sample_period);
	struct c_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->pb = perf_buffer__new(fd, pages, perf_sample, perf_lost, &r->c, &opts);
	if (!r->pb) {
		free(r);
		return NULL;
	}
	return r;
}

// c_consume drains everything ready and returns the records it saw, or a
// negative errno.
static long long c_consume(struct c_reader *r)
{
	int err;

	r->c.n = 0;
	err = r->rb ? ring_buffer__consume(r->rb) : perf_buffer__consume(r->pb);
	return err < 0 ? err : r->c.n;
}

static void c_free(struct c_reader *r)
{
	ring_buffer__free(r->rb);
	perf_buffer__free(r->pb);
	free(r);
}
*/
import "C"

import (
	"fmt"
	"syscall"
)

// cReader is a libbpf ring_buffer or perf_buffer read from C.
type cReader struct{ c *C.struct_c_reader }

func newCRing(fd int) (*cReader, error) {
	r, err := C.c_ring_new(C.int(fd))
	if r == nil {
		return nil, fmt.Errorf("ring_buffer__new: %w", err)
	}
	return &cReader{r}, nil
}

// newCPerf opens a perf_buffer whose events wake a reader every
// samplePeriod samples.
func newCPerf(fd, pages, samplePeriod int) (*cReader, error) {
	r, err := C.c_perf_new(C.int(fd), C.size_t(pages), C.__u32(samplePeriod))
	if r == nil {
		return nil, fmt.Errorf("perf_buffer__new: %w", err)
	}
	return &cReader{r}, nil
}

// consume drains the reader in one call from Go and returns how many
// records its C callback saw, and how many samples were reported lost.
func (r *cReader) consume() (n, lost int, err error) {
	got := C.c_consume(r.c)
	if got < 0 {
		return 0, 0, fmt.Errorf("consume: %w", syscall.Errno(-got))
	}
	return int(got), int(r.c.c.lost), nil
}

func (r *cReader) Close() { C.c_free(r.c) }
