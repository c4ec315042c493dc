/* The programs of libbpf's custom_sec_handlers selftest, each counting into
 * its own slot: their sections are served by handlers registered from Go. */
#include "common.h"

SEC("abc")
int abc1(void *ctx) { count(0); return 0; }

SEC("abc/whatever")
int abc2(void *ctx) { count(1); return 0; }

SEC("custom")
int custom1(void *ctx) { count(2); return 0; }

SEC("custom/something")
int custom2(void *ctx) { count(3); return 0; }

SEC("kprobe")
int kprobe1(void *ctx) { count(4); return 0; }

/* Calls a helper only sleepable programs may call: it loads only if the
 * fallback handler's PrepareLoad sets BPF_F_SLEEPABLE. */
SEC("xyz/blah")
int xyz(void *ctx)
{
	int whatever;

	bpf_copy_from_user(&whatever, sizeof(whatever), NULL);
	count(5);
	return 0;
}
