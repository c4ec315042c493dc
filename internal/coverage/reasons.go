package coverage

// Reasons says why a public libbpf function has no Go API: deprecated or
// superseded in libbpf itself, C-only memory management, or a C tool's
// job that Go code does otherwise. A function the package reaches shows its
// Go API instead, even if it is listed here.
var Reasons = map[string]string{
	// Superseded or deprecated in libbpf.
	"bpf_object__open":                      "superseded by `bpf_object__open_file` (`OpenObjectFile`), as libbpf's own header says",
	"bpf_program__get_type":                 "deprecated alias of `bpf_program__type` (`(*Program).Type`)",
	"bpf_program__get_expected_attach_type": "deprecated alias of `bpf_program__expected_attach_type` (`(*Program).ExpectedAttachType`)",
	"btf__get_raw_data":                     "deprecated alias of `btf__raw_data` (`(*BTF).RawData`)",
	"btf_ext__get_raw_data":                 "deprecated alias of `btf_ext__raw_data`",
	"libbpf_find_kernel_btf":                "deprecated alias of `btf__load_vmlinux_btf` (`LoadVmlinuxBTF`)",
	"libbpf_set_strict_mode":                "does nothing since libbpf 1.0, whose behaviour is always the strict one",
	"libbpf_get_error":                      "Go calls return an error; the module turns libbpf's NULL-and-errno and negative returns into wrapped errnos itself",

	// Partly done in Go.
	"perf_buffer__new_raw": "`NewPerfBuffer` with `PerfBufferOptions` covers its wakeup watermark and its own CPUs and map keys; an arbitrary perf_event_attr and a callback on every raw perf record (not only samples and losses) are not offered",

	// Kept in Go.
	"bpf_object__prev_program": "`(*Object).Programs` returns the programs in ELF order as a slice, which Go walks either way (libbpf's next/prev pair is C's iterator)",
	"bpf_object__prev_map":     "`(*Object).Maps` returns the maps in ELF order as a slice, which Go walks either way (libbpf's next/prev pair is C's iterator)",
	"bpf_map__get_pin_path":    "the same accessor as `bpf_map__pin_path` (both return the map's pin path): `(*Map).PinPath`",

	// bpftool's generated C skeletons: Go code opens and attaches an Object.
	"bpf_object__open_skeleton":       "C skeletons are bpftool-generated C; Go opens the embedded object with `OpenObjectBytes`",
	"bpf_object__load_skeleton":       "C skeletons are bpftool-generated C; Go uses `(*Object).Load`",
	"bpf_object__detach_skeleton":     "C skeletons are bpftool-generated C; Go closes the links `(*Object).Attach` made with `(*Object).Close`",
	"bpf_object__destroy_skeleton":    "C skeletons are bpftool-generated C; Go uses `(*Object).Close`",
	"bpf_object__open_subskeleton":    "C subskeletons are bpftool-generated C for libraries linked into an object; Go reaches their maps and programs by name on the Object",
	"bpf_object__destroy_subskeleton": "C subskeletons are bpftool-generated C; nothing to free in Go",
	"bpf_object__gen_loader":          "makes the light-skeleton loader program that `bpftool gen skeleton -L` embeds in C; a build-time feature of bpftool",

	// struct btf_ext: the .BTF.ext records as a C object.
	"btf_ext__new":            "struct btf_ext is libbpf's C container of .BTF.ext; Go reads a program's records with `(*Program).FuncInfo` and `(*Program).LineInfo`, and `Linker` writes .BTF.ext",
	"btf_ext__free":           "C memory management of struct btf_ext (see `btf_ext__new`)",
	"btf_ext__raw_data":       "struct btf_ext is not exposed (see `btf_ext__new`); the .BTF.ext bytes are an ELF section any ELF reader gives",
	"btf_ext__endianness":     "struct btf_ext is not exposed (see `btf_ext__new`)",
	"btf_ext__set_endianness": "struct btf_ext is not exposed (see `btf_ext__new`)",
}
