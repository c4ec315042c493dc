/* freplace: target_prog returns target_func(41), 42; new_target_func,
 * loaded in a second object against the first, makes it 141. */
#include "common.h"

__noinline int target_func(int x)
{
	return x + 1;
}

SEC("socket")
int target_prog(struct __sk_buff *skb)
{
	return target_func(41);
}

/* Socket filters (and so their extensions) may call
 * bpf_get_current_pid_tgid only since 6.10: no count() here. */
SEC("?freplace")
int new_target_func(int x)
{
	return x + 100;
}
