#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "handler_cgo.h"
#include "_cgo_export.h"

/* The Go operation (cgo.Handle) the current libbpf call on this thread serves.
 * A cgo call keeps its goroutine on one thread until it returns, and libbpf
 * runs callbacks on the calling thread, so a thread-local is exact. */
static __thread uintptr_t current_op;
static __thread int callback_depth;

/* How many golibbpf_block_signals calls on this thread wait for their
 * restore, and the mask before the first: a callback that ends its
 * goroutine skips the restores, and golibbpf_callback_abandoned does them. */
static __thread int signals_blocked;
static __thread sigset_t signals_before;

static int print_level = LIBBPF_WARN;

static int setup_trampoline(struct bpf_program *prog, long cookie)
{
	int err;

	callback_depth++;
	err = goProgSetup(prog, (char *)bpf_program__name(prog), (char *)bpf_program__section_name(prog),
			  (uintptr_t)cookie, current_op);
	callback_depth--;
	return err;
}

static int prepare_load_trampoline(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	int err;

	callback_depth++;
	err = goProgPrepareLoad(prog, opts, (uintptr_t)cookie, current_op);
	callback_depth--;
	return err;
}

static int attach_trampoline(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	int err;

	callback_depth++;
	err = goProgAttach((struct bpf_program *)prog, (uintptr_t)cookie, current_op, link);
	callback_depth--;
	return err;
}

static int print_trampoline(enum libbpf_print_level level, const char *fmt, va_list args)
{
	uintptr_t op = current_op;
	char *msg = NULL;
	int n;

	if ((int)level > __atomic_load_n(&print_level, __ATOMIC_RELAXED) && !(op && level == LIBBPF_WARN))
		return 0;
	n = vasprintf(&msg, fmt, args);
	if (n < 0)
		return n;
	goLibbpfPrint(level, msg, n, op);
	free(msg);
	return n;
}

int golibbpf_register(const char *sec, enum bpf_prog_type prog_type, enum bpf_attach_type attach_type,
		      uintptr_t cookie, int prepare_load, int attach)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts,
		.cookie = (long)cookie,
		.prog_setup_fn = setup_trampoline,
		.prog_prepare_load_fn = prepare_load ? prepare_load_trampoline : NULL,
		.prog_attach_fn = attach ? attach_trampoline : NULL,
	);

	return libbpf_register_prog_handler(sec, prog_type, attach_type, &opts);
}

int golibbpf_in_callback(void)
{
	return callback_depth;
}

void golibbpf_callback_abandoned(void)
{
	callback_depth = 0;
	current_op = 0;
	if (signals_blocked) {
		signals_blocked = 0;
		pthread_sigmask(SIG_SETMASK, &signals_before, NULL);
	}
}

void golibbpf_set_print_level(int level)
{
	__atomic_store_n(&print_level, level, __ATOMIC_RELAXED);
	libbpf_set_print(print_trampoline);
}

/* WITH_OP evaluates expr with op current on this thread, keeping its errno. */
#define WITH_OP(op, type, expr)                 \
	({                                      \
		uintptr_t saved_ = current_op;  \
		type ret_;                      \
		int errno_;                     \
		current_op = (op);              \
		ret_ = (expr);                  \
		errno_ = errno;                 \
		current_op = saved_;            \
		errno = errno_;                 \
		ret_;                           \
	})

/* opened filters a pointer libbpf 1.7.0 can return from a failed open: an
 * error code below -4095 (an extern size that overflows int) becomes
 * ERR_PTR(code), which libbpf's IS_ERR window misses, so it comes back as if
 * it were an object. No user-space pointer has its top bit set on Linux.
 * (libbpf/WORKAROUNDS.md lists this and every other libbpf workaround.) */
static struct bpf_object *opened(struct bpf_object *obj)
{
	if ((intptr_t)obj < 0) {
		errno = EINVAL;
		return NULL;
	}
	return obj;
}

struct bpf_object *golibbpf_open_file(const char *path, const struct bpf_object_open_opts *opts, uintptr_t op)
{
	return opened(WITH_OP(op, struct bpf_object *, bpf_object__open_file(path, opts)));
}

struct bpf_object *golibbpf_open_mem(const void *buf, size_t size, const struct bpf_object_open_opts *opts,
				     uintptr_t op)
{
	return opened(WITH_OP(op, struct bpf_object *, bpf_object__open_mem(buf, size, opts)));
}

/* The signals a fault raises on the faulting thread. Were one blocked, the
 * kernel would reset it to its default action and kill the process instead
 * of running the Go runtime's handler. */
static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };

void golibbpf_block_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigfillset(&set);
	for (i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		sigdelset(&set, fault_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
	if (signals_blocked++ == 0)
		signals_before = *old;
}

void golibbpf_restore_signals(const sigset_t *old)
{
	int errno_ = errno;

	if (signals_blocked > 0)
		signals_blocked--;
	pthread_sigmask(SIG_SETMASK, old, NULL);
	errno = errno_;
}

int golibbpf_load(struct bpf_object *obj, uintptr_t op)
{
	return WITH_OP(op, int, GOLIBBPF_SIGNALS_BLOCKED(int, bpf_object__load(obj)));
}

int golibbpf_prepare(struct bpf_object *obj, uintptr_t op)
{
	return WITH_OP(op, int, bpf_object__prepare(obj));
}

struct bpf_link *golibbpf_attach(struct bpf_program *prog, uintptr_t op)
{
	return WITH_OP(op, struct bpf_link *, bpf_program__attach(prog));
}

int golibbpf_autoattach_program(struct bpf_program *prog, struct bpf_link **link, uintptr_t op)
{
	struct bpf_prog_skeleton prog_skel = {
		.name = bpf_program__name(prog),
		.prog = &prog,
		.link = link,
	};
	struct bpf_object_skeleton skel = {
		.sz = sizeof(skel),
		.prog_cnt = 1,
		.prog_skel_sz = sizeof(prog_skel),
		.progs = &prog_skel,
	};

	*link = NULL;
	return WITH_OP(op, int, bpf_object__attach_skeleton(&skel));
}

int golibbpf_autoattach_map(struct bpf_map *map, struct bpf_link **link, uintptr_t op)
{
	struct bpf_map_skeleton map_skel = {
		.name = bpf_map__name(map),
		.map = &map,
		.link = link,
	};
	struct bpf_object_skeleton skel = {
		.sz = sizeof(skel),
		.map_cnt = 1,
		.map_skel_sz = sizeof(map_skel),
		.maps = &map_skel,
	};

	*link = NULL;
	return WITH_OP(op, int, bpf_object__attach_skeleton(&skel));
}

int golibbpf_test_run(int prog_fd, const void *data_in, uint32_t data_size_in, void *data_out,
		      uint32_t *data_size_out, const void *ctx_in, uint32_t ctx_size_in, void *ctx_out,
		      uint32_t *ctx_size_out, int repeat, uint32_t flags, uint32_t cpu,
		      uint32_t *retval, uint32_t *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = data_in,
		.data_size_in = data_size_in,
		.data_out = data_out,
		.data_size_out = *data_size_out,
		.ctx_in = ctx_in,
		.ctx_size_in = ctx_size_in,
		.ctx_out = ctx_out,
		.ctx_size_out = *ctx_size_out,
		.repeat = repeat,
		.flags = flags,
		.cpu = cpu,
	);
	/* Signals blocked, a repeated run runs exactly repeat times. */
	int err = GOLIBBPF_SIGNALS_BLOCKED(int, bpf_prog_test_run_opts(prog_fd, &opts));

	*data_size_out = opts.data_size_out;
	*ctx_size_out = opts.ctx_size_out;
	*retval = opts.retval;
	*duration = opts.duration;
	return err;
}
