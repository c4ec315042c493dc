package libbpf

import "fmt"

// BTF objects in the kernel, at the level of bpf(2): by fd and by id.

// BTFLoadOptions are the options of BTFLoad.
type BTFLoadOptions struct {
	Flags   uint32 // BPF_F_TOKEN_FD when TokenFD is set
	TokenFD int    // a BPF token (BPFTokenCreate), 0 for none
}

// BTFLoad loads raw BTF data into the kernel and returns its fd, which the
// caller owns (bpf_btf_load). (*BTF).LoadIntoKernel does the same for a BTF.
func BTFLoad(data []byte, opts BTFLoadOptions) (int, error) {
	if len(data) == 0 {
		return -1, fmt.Errorf("load BTF: no data: %w", errInvalidArgument)
	}
	fd, err := btfLoadRaw(data, opts.Flags, opts.TokenFD)
	if err != nil {
		return -1, fmt.Errorf("load %d bytes of BTF: %w", len(data), err)
	}
	return fd, nil
}

// BTFGetFDByIDOptions are the options of BTFGetFDByID.
type BTFGetFDByIDOptions = GetFDByIDOptions

// BTFGetFDByID opens the kernel's BTF object id and returns an fd the
// caller owns (bpf_btf_get_fd_by_id, or bpf_btf_get_fd_by_id_opts with
// options). LoadBTFFromKernelByID reads it as a *BTF instead.
func BTFGetFDByID(id uint32, opts BTFGetFDByIDOptions) (int, error) {
	return openByID("BTF", idBTF, id, opts)
}

// FindVmlinuxBTFID returns the id in the running kernel's BTF of the type a
// tracing program of attach type t attaches to by name
// (libbpf_find_vmlinux_btf_id): the function name for fentry, fexit and
// fmod_ret, "btf_trace_<name>" for tp_btf (AttachTypeTraceRawTP),
// "bpf_lsm_<name>" for LSM and "bpf_iter_<name>" for iterators. It is the
// LoadOptions.AttachBTFID of a program loaded by hand.
func FindVmlinuxBTFID(name string, t AttachType) (uint32, error) {
	id, err := findVmlinuxBTFID(name, t)
	if err != nil {
		return 0, fmt.Errorf("vmlinux BTF id of %s (%s): %w", name, t, err)
	}
	return id, nil
}

// BTFGetNextID returns the id of the kernel's next BTF object after start
// (bpf_btf_get_next_id); unix.ENOENT after the last. Start from 0.
func BTFGetNextID(start uint32) (uint32, error) {
	id, err := btfGetNextID(start)
	if err != nil {
		return 0, fmt.Errorf("BTF id after %d: %w", start, err)
	}
	return id, nil
}

// BTFInfo describes a BTF object in the kernel.
type BTFInfo struct {
	ID        uint32
	Size      uint32 // bytes of BTF data
	Name      string // "vmlinux", a module's name, or "" for loaded BTF (always "" before Linux 5.11)
	KernelBTF bool   // the kernel's or a module's own (5.11: earlier kernels give their own BTF no id)
}

// BTFGetInfoByFD describes the BTF object fd (bpf_btf_get_info_by_fd).
func BTFGetInfoByFD(fd int) (BTFInfo, error) {
	info, err := btfGetInfoByFD(fd)
	if err != nil {
		return BTFInfo{}, fmt.Errorf("info of BTF fd %d: %w", fd, err)
	}
	return info, nil
}
