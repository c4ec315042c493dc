#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include "../../libbpf_pin.h"
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "chandlers.h"
#include "_cgo_export.h"

/* A handler registered with CH_CROSS has cookie 1: each of its callbacks
 * makes the round trip into Go that a Go handler's callback makes
 * (chCountCrossing only counts it), and otherwise does the C handler's work. */
static inline void cross(long cookie)
{
	if (cookie)
		chCountCrossing();
}

static int setup_fn(struct bpf_program *prog, long cookie)
{
	cross(cookie);
	return 0;
}

static int prepare_fn(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	cross(cookie);
	return 0;
}

static int target_tid;

void ch_set_target(int tid)
{
	__atomic_store_n(&target_tid, tid, __ATOMIC_RELAXED);
}

int ch_open_cpu_clock(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1ULL << 62,
	};
	int fd = syscall(SYS_perf_event_open, &attr, __atomic_load_n(&target_tid, __ATOMIC_RELAXED), -1, -1,
			 PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int attach_fn(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	int fd, err;

	cross(cookie);
	fd = ch_open_cpu_clock();
	if (fd < 0)
		return fd;
	*link = bpf_program__attach_perf_event(prog, fd);
	if (!*link) {
		err = -errno;
		close(fd);
		return err;
	}
	return 0;
}

static int decline_fn(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	cross(cookie);
	*link = NULL;
	return 0;
}

int ch_register(const char *sec, int flags)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts,
		.cookie = (flags & CH_CROSS) ? 1 : 0,
		.prog_setup_fn = setup_fn,
		.prog_prepare_load_fn = (flags & CH_PREPARE) ? prepare_fn : NULL,
		.prog_attach_fn = (flags & CH_ATTACH) ? attach_fn : (flags & CH_DECLINE) ? decline_fn : NULL,
	);

	return libbpf_register_prog_handler(sec, BPF_PROG_TYPE_PERF_EVENT, 0, &opts);
}

int ch_unregister(int id)
{
	return libbpf_unregister_prog_handler(id);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ch_cycle(const void *buf, size_t size, int mode, struct ch_times *t)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link **links = NULL;
	size_t n = 0, cap = 0, i;
	int64_t t0, t1;
	int err = 0;

	t0 = now_ns();
	obj = bpf_object__open_mem(buf, size, NULL);
	if (!obj)
		return -errno;
	t1 = now_ns();
	t->open = t1 - t0;
	t0 = t1;
	err = bpf_object__load(obj);
	t1 = now_ns();
	t->load = t1 - t0;
	t0 = t1;
	if (err)
		goto out;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link = NULL;

		if (!bpf_program__autoload(prog))
			continue;
		if (mode & CH_CYCLE_PERF) {
			int fd = ch_open_cpu_clock();

			if (fd < 0) {
				err = fd;
				break;
			}
			link = bpf_program__attach_perf_event(prog, fd);
			if (!link) {
				err = -errno;
				close(fd);
				break;
			}
		} else if (mode & CH_CYCLE_AUTOATTACH) {
			if (!bpf_program__autoattach(prog))
				continue;
			link = bpf_program__attach(prog);
			if (!link) {
				err = -errno;
				break;
			}
		} else {
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			links = realloc(links, cap * sizeof(*links));
		}
		links[n++] = link;
	}
	t1 = now_ns();
	t->attach = t1 - t0;
out:
	t0 = now_ns();
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	free(links);
	bpf_object__close(obj);
	t->close = now_ns() - t0;
	return err;
}

/* The verifier's stats line reads "verification time <n> usec". */
static int64_t parse_verify_ns(const char *log)
{
	const char *p = strstr(log, "verification time ");
	long long us;

	if (!p || sscanf(p, "verification time %lld usec", &us) != 1)
		return -1;
	return us * 1000;
}

int ch_time_prog_load(const void *buf, size_t size, int n, int64_t *syscall_ns, int64_t *verify_ns,
		      int *insns)
{
	static char log[64 * 1024];
	struct bpf_object *obj;
	struct bpf_program *prog;
	int64_t total = 0, vtotal = 0, t0;
	int i, fd, err = 0, cnt;

	obj = bpf_object__open_mem(buf, size, NULL);
	if (!obj)
		return -errno;
	/* Loading the object relocates the programs' map references and gives
	 * the instructions the kernel verifies. */
	err = bpf_object__load(obj);
	if (err)
		goto out;
	prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		err = -ENOENT;
		goto out;
	}
	cnt = bpf_program__insn_cnt(prog);
	*insns = cnt;
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
			.expected_attach_type = bpf_program__expected_attach_type(prog),
		);

		t0 = now_ns();
		fd = bpf_prog_load(bpf_program__type(prog), "timing", "GPL", bpf_program__insns(prog), cnt, &opts);
		total += now_ns() - t0;
		if (fd < 0) {
			err = fd;
			goto out;
		}
		close(fd);
	}
	*syscall_ns = total / n;
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
			.expected_attach_type = bpf_program__expected_attach_type(prog),
			.log_level = 4,
			.log_buf = log,
			.log_size = sizeof(log),
		);
		int64_t v;

		log[0] = 0;
		fd = bpf_prog_load(bpf_program__type(prog), "timing", "GPL", bpf_program__insns(prog), cnt, &opts);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		close(fd);
		v = parse_verify_ns(log);
		if (v < 0) {
			err = -EPROTO;
			goto out;
		}
		vtotal += v;
	}
	*verify_ns = vtotal / n;
out:
	bpf_object__close(obj);
	return err;
}

int64_t ch_time_vmlinux_btf(void)
{
	int64_t t0 = now_ns(), t;
	struct btf *btf = btf__load_vmlinux_btf();

	t = now_ns() - t0;
	if (!btf)
		return -errno;
	btf__free(btf);
	return t;
}
