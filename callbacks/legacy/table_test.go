package legacy

import (
	"testing"

	"github.com/golibbpf/libbpf"
)

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		sec    string
		prefix string
		pt     libbpf.ProgType
		at     libbpf.AttachType
	}{
		{"classifier/ingress", "classifier", libbpf.ProgTypeSchedCLS, 0},
		{"classifier_egress", "classifier", libbpf.ProgTypeSchedCLS, 0},
		{"action/mark", "action", libbpf.ProgTypeSchedACT, 0},
		{"xdp_devmap/redirect", "xdp_devmap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap},
		{"xdp_cpumap/steer", "xdp_cpumap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap},
		{"xdp_devmap", "xdp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP}, // no '/': libbpf 0.8 fell through to "xdp"
		{"xdp1", "xdp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP},
		{"socket_udp", "socket", libbpf.ProgTypeSocketFilter, 0},
		{"socket1", "socket", libbpf.ProgTypeSocketFilter, 0},
		{"sk_reuseport/migrate_all", "sk_reuseport/migrate", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelectOrMigrate},
		{"sk_reuseport_select", "sk_reuseport", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelect},
		{"cgroup/sock_create_v4", "cgroup/sock_create", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate},
		{"cgroup/sock_release_x", "cgroup/sock_release", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockRelease},
		{"cgroup/sockx", "cgroup/sock", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate},
		{"cgroup/skb_filter", "cgroup/skb", libbpf.ProgTypeCgroupSKB, 0},
		{"cgroup_skb/ingress_count", "cgroup_skb/ingress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress},
		{"cgroup/connect4_redirect", "cgroup/connect4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Connect},
		{"cgroup/dev_filter", "cgroup/dev", libbpf.ProgTypeCgroupDevice, libbpf.AttachTypeCgroupDevice},
		{"sk_skb/stream_verdict_x", "sk_skb/stream_verdict", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamVerdict},
		{"sk_skb_parse", "sk_skb", libbpf.ProgTypeSKSKB, 0},
		{"sockops_rtt", "sockops", libbpf.ProgTypeSockOps, libbpf.AttachTypeCgroupSockOps},
		{"perf_event_cycles", "perf_event", libbpf.ProgTypePerfEvent, 0},
		{"lwt_xmit_encap", "lwt_xmit", libbpf.ProgTypeLWTXmit, 0},
		{"sk_lookup/dispatch", "sk_lookup", libbpf.ProgTypeSKLookup, libbpf.AttachTypeSKLookup},
		{"syscall_open", "syscall", libbpf.ProgTypeSyscall, 0},
	} {
		d, ok := Lookup(tc.sec)
		if !ok {
			t.Errorf("Lookup(%q): not found", tc.sec)
			continue
		}
		if d.Prefix != tc.prefix || d.ProgType != tc.pt || d.AttachType != tc.at {
			t.Errorf("Lookup(%q) = %q %v %v, want %q %v %v", tc.sec, d.Prefix, d.ProgType, d.AttachType, tc.prefix, tc.pt, tc.at)
		}
	}
	for _, sec := range []string{"", "kprobe", "not_a_section", "tc_", "xd", "sched_cls", "lsm_x"} {
		if d, ok := Lookup(sec); ok {
			t.Errorf("Lookup(%q) = %+v, want no match", sec, d)
		}
	}
}

// TestDefsReachable checks the table's order: no prefix is hidden behind an
// earlier one that also matches it, and every entry says what to use.
func TestDefsReachable(t *testing.T) {
	for _, d := range Defs() {
		got, ok := Lookup(d.Prefix)
		if !ok || got.Prefix != d.Prefix {
			t.Errorf("prefix %q is shadowed by %q", d.Prefix, got.Prefix)
		}
		if d.Use == "" {
			t.Errorf("prefix %q: no replacement", d.Prefix)
		}
	}
}
