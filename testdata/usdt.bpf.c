/* A USDT program: libbpf's usdt.bpf.h brings the maps libbpf's USDT
 * attach needs. */
#include "common.h"
#include <bpf/usdt.bpf.h>

SEC("usdt")
int BPF_USDT(on_tick, int i)
{
	count(0);
	return 0;
}
