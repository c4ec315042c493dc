package testutil

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// Feature is a kernel capability that some tests need. Whether the running
// kernel has it is declared, not probed: a test that expects a feature the
// table gives the kernel must fail when it does not work, and a test on a
// kernel the table says lacks it checks that using it fails cleanly.
type Feature string

// The features the tests declare. The version in each comment is the first
// kernel release that has it.
const (
	FeatureKprobe              Feature = "kprobe"                 // kprobe, kretprobe, ksyscall (CONFIG_KPROBES)
	FeatureKprobeMulti         Feature = "kprobe_multi"           // 5.18
	FeatureTrampoline          Feature = "trampoline"             // fentry, fexit, fmod_ret on kernel functions (5.5; 6.4 on arm64)
	FeatureFreplace            Feature = "freplace"               // freplace: extension programs replacing a BPF function (5.5; 6.0 on arm64)
	FeatureLSM                 Feature = "lsm"                    // BPF LSM programs (5.7, 6.4 on arm64; booted with lsm=...,bpf)
	FeatureXDPLink             Feature = "xdp_link"               // 5.9
	FeatureSyscallProg         Feature = "syscall_prog"           // BPF_PROG_TYPE_SYSCALL (5.14)
	FeatureBPFCookie           Feature = "bpf_cookie"             // 5.15
	FeatureUserRingbuf         Feature = "user_ringbuf"           // 6.1
	FeatureUprobeMulti         Feature = "uprobe_multi"           // 6.6
	FeatureTCX                 Feature = "tcx"                    // 6.6
	FeatureNetkit              Feature = "netkit"                 // 6.7 (CONFIG_NETKIT)
	FeatureCgroupLink          Feature = "cgroup_link"            // cgroup programs attached with links (5.7)
	FeatureSkLookup            Feature = "sk_lookup"              // sk_lookup programs and netns links for them (5.9)
	FeatureNetfilter           Feature = "netfilter"              // netfilter programs and links (6.4, CONFIG_NETFILTER_BPF_LINK)
	FeatureSockmapLink         Feature = "sockmap_link"           // sk_msg and sk_skb programs attached with links (6.10)
	FeatureXDPFrags            Feature = "xdp_frags"              // BPF_F_XDP_HAS_FRAGS, SEC("xdp.frags") (5.18)
	FeatureUprobeSess          Feature = "uprobe_session"         // 6.13
	FeatureProbeWriteUser      Feature = "probe_write_user"       // bpf_probe_write_user (no lockdown)
	FeatureMapElemIter         Feature = "map_elem_iter"          // iter/bpf_map_elem and other map element iterators (5.9)
	FeatureRawTPLinkCookie     Feature = "raw_tp_link_cookie"     // bpf_link_info reports a raw_tp link's cookie (6.17)
	FeatureRawTPCookie         Feature = "raw_tp_cookie"          // bpf_get_attach_cookie in raw_tp programs (6.10)
	FeatureStructOpsLink       Feature = "struct_ops_link"        // struct_ops maps attached as links, BPF_F_LINK (6.4)
	FeatureTaskIterParams      Feature = "task_iter_params"       // task iterators limited to a tid, pid or pidfd (6.1)
	FeatureTracingCookie       Feature = "tracing_cookie"         // cookies of fentry, fexit, fmod_ret and lsm links (5.19; 6.4 on arm64)
	FeatureFmodRet             Feature = "fmod_ret"               // fmod_ret on bpf_modify_return_test (5.7; 6.4 on arm64)
	FeatureBPFLoop             Feature = "bpf_loop"               // the bpf_loop helper (5.17)
	FeatureTaskState           Feature = "task___state"           // task_struct.__state, which replaced state (5.14)
	FeatureTaskKfuncs          Feature = "task_kfuncs"            // bpf_task_acquire and bpf_task_release kfuncs (6.2)
	FeatureKfuncDeclTag        Feature = "kfunc_decl_tag"         // kfuncs marked with the bpf_kfunc BTF declaration tag (6.9)
	FeatureBPFToken            Feature = "bpf_token"              // BPF tokens, BPF_TOKEN_CREATE (6.9)
	FeatureVerifiedInsns       Feature = "verified_insns"         // bpf_prog_info's verified_insns (5.16)
	FeatureHashLookupAndDelete Feature = "hash_lookup_and_delete" // BPF_MAP_LOOKUP_AND_DELETE_ELEM on hash maps (5.14)
	FeaturePerfLinkInfo        Feature = "perf_link_info"         // bpf_link_info of perf_event links: type, tracepoint name (6.6)
	FeatureBTFTagAttrs         Feature = "btf_tag_attrs"          // type and declaration tags with kind_flag set, attributes (6.14)
	FeatureBTFEnum64           Feature = "btf_enum64"             // signed enums and BTF_KIND_ENUM64 in BTF loaded into the kernel (6.0)
	FeatureKernelBTFID         Feature = "kernel_btf_id"          // the kernel's own BTF has an id, and bpf_btf_info a name and kernel_btf (5.11)
	FeatureModuleBTF           Feature = "module_btf"             // kernel modules' BTF in /sys/kernel/btf (5.11)
	FeatureObjPathFD           Feature = "obj_path_fd"            // BPF_F_PATH_FD: pin and get relative to a directory fd (6.5)
	FeatureMemcgAccount        Feature = "memcg_account"          // BPF memory charged to the cgroup, not RLIMIT_MEMLOCK (5.11)
	FeatureExclusiveMap        Feature = "exclusive_map"          // maps exclusive to a program by its hash (6.18)
	FeatureProgStream          Feature = "prog_stream"            // BPF streams: BPF_PROG_STREAM_READ_BY_FD (6.17)
	FeatureStreamPrintk        Feature = "stream_printk"          // the bpf_stream_vprintk_impl kfunc writes to a stream (6.18)
	FeatureAssocStructOps      Feature = "assoc_struct_ops"       // BPF_PROG_ASSOC_STRUCT_OPS (6.19)
)

// featureSince is the first release of each feature.
var featureSince = map[Feature][2]int{
	FeatureKprobe:              {4, 1},
	FeatureKprobeMulti:         {5, 18},
	FeatureTrampoline:          {5, 5},
	FeatureFreplace:            {5, 5},
	FeatureLSM:                 {5, 7},
	FeatureXDPLink:             {5, 9},
	FeatureSyscallProg:         {5, 14},
	FeatureBPFCookie:           {5, 15},
	FeatureUserRingbuf:         {6, 1},
	FeatureUprobeMulti:         {6, 6},
	FeatureTCX:                 {6, 6},
	FeatureNetkit:              {6, 7},
	FeatureCgroupLink:          {5, 7},
	FeatureSkLookup:            {5, 9},
	FeatureNetfilter:           {6, 4},
	FeatureSockmapLink:         {6, 10},
	FeatureXDPFrags:            {5, 18},
	FeatureUprobeSess:          {6, 13},
	FeatureProbeWriteUser:      {4, 8},
	FeatureMapElemIter:         {5, 9},
	FeatureRawTPLinkCookie:     {6, 17},
	FeatureRawTPCookie:         {6, 10},
	FeatureStructOpsLink:       {6, 4},
	FeatureTaskIterParams:      {6, 1},
	FeatureTracingCookie:       {5, 19},
	FeatureFmodRet:             {5, 7},
	FeatureBPFLoop:             {5, 17},
	FeatureTaskState:           {5, 14},
	FeatureTaskKfuncs:          {6, 2},
	FeatureKfuncDeclTag:        {6, 9},
	FeatureBPFToken:            {6, 9},
	FeatureVerifiedInsns:       {5, 16},
	FeatureHashLookupAndDelete: {5, 14},
	FeaturePerfLinkInfo:        {6, 6},
	FeatureBTFTagAttrs:         {6, 14},
	FeatureBTFEnum64:           {6, 0},
	FeatureKernelBTFID:         {5, 11},
	FeatureModuleBTF:           {5, 11},
	FeatureObjPathFD:           {6, 5},
	FeatureMemcgAccount:        {5, 11},
	FeatureExclusiveMap:        {6, 18},
	FeatureProgStream:          {6, 17},
	FeatureStreamPrintk:        {6, 18},
	FeatureAssocStructOps:      {6, 19},
}

// featureSinceArch overrides featureSince on architectures that got a
// feature later than x86-64. arm64's BPF JIT gained trampolines in 6.0, for
// BPF functions only (freplace); those on kernel functions (fentry, fexit,
// fmod_ret, the LSM hooks, with their cookies) need ftrace's direct calls,
// which arm64 gained in 6.4.
var featureSinceArch = map[string]map[Feature][2]int{
	"arm64": {
		FeatureFreplace:      {6, 0},
		FeatureTrampoline:    {6, 4},
		FeatureLSM:           {6, 4},
		FeatureFmodRet:       {6, 4},
		FeatureTracingCookie: {6, 4},
	},
}

// kernelExceptions declares, per kernel (a substring of its release), what it
// lacks although its version has it, and why.
var kernelExceptions = []struct {
	release string
	lacks   map[Feature]string
}{
	// Debian's 5.10 and 6.1 cloud kernels (the VM matrix).
	{"5.10.0-32-cloud", map[Feature]string{
		FeatureFmodRet: "bpf_modify_return_test is not modifiable",
	}},
	{"6.1.0-50-cloud", map[Feature]string{
		FeatureKprobeMulti: "built without CONFIG_FPROBE",
		FeatureFmodRet:     "bpf_modify_return_test is not modifiable",
	}},
	// Debian's 6.12 on arm64 (make vmtest ARCH=arm64): fprobe needed
	// ftrace's pt_regs, which arm64 stopped giving in 6.2, until it was
	// rebuilt on the function graph tracer in 6.14.
	{"6.12.117+deb13-cloud-arm64", map[Feature]string{
		FeatureKprobeMulti: "built without CONFIG_FPROBE (none on arm64 from 6.2 to 6.13)",
	}},
	// The development VM and CI's machine.
	{"-fc-", map[Feature]string{
		FeatureKprobe:         "built without CONFIG_KPROBES",
		FeatureKprobeMulti:    "built without CONFIG_KPROBES",
		FeatureTrampoline:     "BPF trampolines fail with EPERM",
		FeatureFreplace:       "BPF trampolines fail with EPERM",
		FeatureLSM:            "BPF trampolines fail with EPERM",
		FeatureFmodRet:        "BPF trampolines fail with EPERM",
		FeatureProbeWriteUser: "kernel lockdown",
		FeatureNetkit:         "built without CONFIG_NETKIT",
		FeatureMapElemIter:    "map element iterators fail to load with EPERM",
		FeatureStreamPrintk:   "bpf_stream_vprintk_impl fails with ENOMEM: its lock-free page allocation fails",
	}},
}

var kernelRelease = sync.OnceValue(func() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
})

// KernelVersion returns the running kernel's major and minor version.
func KernelVersion() (major, minor int) {
	parts := strings.SplitN(kernelRelease(), ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	major, _ = strconv.Atoi(parts[0])
	minor, _ = strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return major, minor
}

// KernelLacks reports whether the table says the running kernel lacks f, and
// why ("needs 6.6, this is 6.1", "built without CONFIG_KPROBES").
func KernelLacks(f Feature) (why string, lacks bool) {
	why, lacks, _ = kernelLacks(f)
	return why, lacks
}

// kernelLacks is KernelLacks, also telling whether the kernel lacks f only
// because its architecture got f later than x86-64 (featureSinceArch).
func kernelLacks(f Feature) (why string, lacks, byArch bool) {
	since, ok := featureSince[f]
	if !ok {
		panic(fmt.Sprintf("testutil: undeclared kernel feature %q", f))
	}
	release := kernelRelease()
	for _, k := range kernelExceptions {
		if strings.Contains(release, k.release) {
			if why, ok := k.lacks[f]; ok {
				return fmt.Sprintf("%s: %s on %s", f, why, release), true, false
			}
		}
	}
	major, minor := KernelVersion()
	before := func(v [2]int) bool { return major < v[0] || major == v[0] && minor < v[1] }
	if before(since) {
		return fmt.Sprintf("%s needs %d.%d, this is %s", f, since[0], since[1], release), true, false
	}
	if v, ok := featureSinceArch[runtime.GOARCH][f]; ok && before(v) {
		return fmt.Sprintf("%s needs %d.%d on %s, this is %s", f, v[0], v[1], runtime.GOARCH, release), true, true
	}
	return "", false, false
}

// ENOTSUPP is the kernel's internal ENOTSUPP (524), which golang.org/x/sys
// does not name and bpf(2) returns, e.g. for attaching a program whose
// trampoline the JIT cannot build.
const ENOTSUPP = unix.Errno(524)

// LacksAtAttach reports whether the running kernel lacks f yet loads the
// programs that need it, failing only their attach (with ENOTSUPP): on
// arm64 before 6.4 the verifier takes fentry, fexit, fmod_ret and LSM
// programs (freplace before 6.0), but no trampoline can be built for them.
// Elsewhere a kernel without f refuses the load itself.
func LacksAtAttach(f Feature) bool {
	_, _, byArch := kernelLacks(f)
	return byArch
}

// KernelHas reports whether the table says the running kernel has f.
func KernelHas(f Feature) bool {
	_, lacks := KernelLacks(f)
	return !lacks
}

// RequireFeature skips t when the table says the running kernel lacks f, in
// CI too: the table, not the test, decides, and a test of the feature's
// absence belongs beside it.
func RequireFeature(t testing.TB, f Feature) {
	t.Helper()
	if why, lacks := KernelLacks(f); lacks {
		t.Skip(why)
	}
}
