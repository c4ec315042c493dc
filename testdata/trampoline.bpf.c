/* Programs that need BPF trampolines, on the functions the kernel's test
 * run of a tracing program calls: bpf_fentry_test1(1), which returns 2, for
 * fentry and fexit; bpf_modify_return_test(1, &b), which adds 1 to b, for
 * fmod_ret. */
#include "cookie.h"
#include <bpf/bpf_tracing.h>

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(on_fentry, int a)
{
	if (a == 1)
		hit(9, ctx);
	return 0;
}

SEC("fexit/bpf_fentry_test1")
int BPF_PROG(on_fexit, int a, int ret)
{
	if (ret == 2)
		hit(10, ctx);
	return 0;
}

/* Returning nonzero skips bpf_modify_return_test and makes 21 its result.
 * Loaded only where the test asks: some kernels refuse to modify it. */
SEC("?fmod_ret/bpf_modify_return_test")
int BPF_PROG(on_fmod_ret, int a, int *b, int ret)
{
	count(11);
	return 21;
}
