/* Programs for the tests of instructions, log buffers, func and line info,
 * pinning and map binding: raw_tp programs, which every kernel of the
 * matrix runs with BPF_PROG_TEST_RUN (5.10). */
#include "common.h"

/* A map no instruction refers to, for BindMap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unused SEC(".maps");

/* Global, so that clang neither inlines it nor folds its result. */
__noinline int twice(int x)
{
	return x * 2;
}

SEC("raw_tp")
int answer(void *ctx)
{
	count(0);
	return twice(21);
}

SEC("raw_tp")
int replaced(void *ctx)
{
	count(1);
	return 1;
}
