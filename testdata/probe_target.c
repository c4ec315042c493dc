/* A target for uprobes and USDT: after reading a line from stdin (so a test
 * can attach first) it calls golibbpf_tick and fires the USDT probe
 * golibbpf:tick argv[1] times each, then exits. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

__attribute__((noinline)) int golibbpf_tick(int i)
{
	__asm__ volatile("" ::: "memory");
	return i + 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	char line[16];

	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (int i = 0; i < n; i++) {
		golibbpf_tick(i);
		DTRACE_PROBE1(golibbpf, tick, i);
	}
	return 0;
}
