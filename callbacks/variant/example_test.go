package variant_test

import (
	"fmt"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/variant"
)

// An object with one copy of each program, where a tool would keep two:
//
//	SEC("tp.best/sched_switch")
//	int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
//	{ ... BPF_CORE_READ(next, pid) ... }
//
//	SEC("fentry.best/vfs_read")
//	int on_read(void *ctx) { ... bpf_get_current_pid_tgid() ... }
//
// Object.Attach attaches on_switch as tp_btf (raw_tp on kernels without
// it) and on_read as fentry (kprobe on kernels without BPF trampolines).
func Example() {
	regs, err := variant.Register() // probes the kernel once, logs the choice
	if err != nil {
		fmt.Println(err)
		return
	}
	defer libbpf.UnregisterAll(regs)

	obj, err := libbpf.OpenObjectFile("tool.bpf.o", nil)
	if err != nil {
		fmt.Println(err) // a target the kernel's BTF lacks fails here
		return
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		fmt.Println(err)
		return
	}
	if err := obj.Attach(); err != nil {
		fmt.Println(err) // wraps variant.ErrNoVariant where neither variant works
		return
	}
	fmt.Println("on_read is", obj.Program("on_read").Type()) // ProgTypeTracing or ProgTypeKprobe
}
