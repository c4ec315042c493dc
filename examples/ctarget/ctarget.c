/* ctarget: the C program the demo probes through USDT.
 *
 * Every 10 ms it fires the USDT probe demo:tick (from <sys/sdt.h>) with a
 * tick number and the name of a fruit, then sleeps with nanosleep (which the
 * demo's tracepoint sees). It runs until killed, or for argv[1] ticks. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/sdt.h>

static const char *const fruits[] = {"apple", "banana", "cherry", "damson"};

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : -1;
	struct timespec ts = {.tv_nsec = 10 * 1000 * 1000};

	for (long i = 0; n < 0 || i < n; i++) {
		char name[16];
		const char *fruit = name;

		/* A copy on the stack: a BPF program cannot fault in a page, and
		 * the string literals' page may never have been touched. */
		strcpy(name, fruits[i % 4]);
		/* Keep fruit in a register, so the probe's argument is a plain
		 * register operand ("8@%rdx") for every compiler. */
		__asm__ volatile("" : "+r"(fruit));
		DTRACE_PROBE2(demo, tick, i, fruit);
		nanosleep(&ts, NULL);
	}
	return 0;
}
