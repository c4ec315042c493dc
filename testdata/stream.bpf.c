/* A program that writes to its BPF stdout stream (read by
 * ProgStreamRead), where the kernel has the kfunc. */
#include "common.h"

extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args,
				   __u32 len__sz, void *aux__prog) __weak __ksym;
/* Later kernels pass the program implicitly (KF_IMPLICIT_ARGS) and name the
 * kfunc without _impl; libbpf drops the ___flavor suffix when it resolves it,
 * and leaves a weak kfunc of another prototype unresolved. */
extern int bpf_stream_vprintk___implicit(int stream_id, const char *fmt__str, const void *args,
					  __u32 len__sz) __weak __ksym;

SEC("syscall")
int say(void *ctx)
{
	static const char fmt[] = "hello from bpf %d\n";
	unsigned long long args[1] = {42};

	if (bpf_ksym_exists(bpf_stream_vprintk___implicit))
		return bpf_stream_vprintk___implicit(BPF_STDOUT, fmt, args, sizeof(args));
	if (bpf_ksym_exists(bpf_stream_vprintk_impl))
		return bpf_stream_vprintk_impl(BPF_STDOUT, fmt, args, sizeof(args), NULL);
	return 1;
}
