// Code generated from the FN() list of linux/bpf.h (libbpf 1.7.0); the values are kernel ABI.

package libbpf

// The BPF helper functions (enum bpf_func_id).
const (
	HelperUnspec                     HelperID = 0
	HelperMapLookupElem              HelperID = 1
	HelperMapUpdateElem              HelperID = 2
	HelperMapDeleteElem              HelperID = 3
	HelperProbeRead                  HelperID = 4
	HelperKtimeGetNS                 HelperID = 5
	HelperTracePrintk                HelperID = 6
	HelperGetPrandomU32              HelperID = 7
	HelperGetSmpProcessorID          HelperID = 8
	HelperSKBStoreBytes              HelperID = 9
	HelperL3CsumReplace              HelperID = 10
	HelperL4CsumReplace              HelperID = 11
	HelperTailCall                   HelperID = 12
	HelperCloneRedirect              HelperID = 13
	HelperGetCurrentPIDTGID          HelperID = 14
	HelperGetCurrentUIDGID           HelperID = 15
	HelperGetCurrentComm             HelperID = 16
	HelperGetCgroupClassid           HelperID = 17
	HelperSKBVlanPush                HelperID = 18
	HelperSKBVlanPop                 HelperID = 19
	HelperSKBGetTunnelKey            HelperID = 20
	HelperSKBSetTunnelKey            HelperID = 21
	HelperPerfEventRead              HelperID = 22
	HelperRedirect                   HelperID = 23
	HelperGetRouteRealm              HelperID = 24
	HelperPerfEventOutput            HelperID = 25
	HelperSKBLoadBytes               HelperID = 26
	HelperGetStackid                 HelperID = 27
	HelperCsumDiff                   HelperID = 28
	HelperSKBGetTunnelOpt            HelperID = 29
	HelperSKBSetTunnelOpt            HelperID = 30
	HelperSKBChangeProto             HelperID = 31
	HelperSKBChangeType              HelperID = 32
	HelperSKBUnderCgroup             HelperID = 33
	HelperGetHashRecalc              HelperID = 34
	HelperGetCurrentTask             HelperID = 35
	HelperProbeWriteUser             HelperID = 36
	HelperCurrentTaskUnderCgroup     HelperID = 37
	HelperSKBChangeTail              HelperID = 38
	HelperSKBPullData                HelperID = 39
	HelperCsumUpdate                 HelperID = 40
	HelperSetHashInvalid             HelperID = 41
	HelperGetNumaNodeID              HelperID = 42
	HelperSKBChangeHead              HelperID = 43
	HelperXDPAdjustHead              HelperID = 44
	HelperProbeReadStr               HelperID = 45
	HelperGetSocketCookie            HelperID = 46
	HelperGetSocketUID               HelperID = 47
	HelperSetHash                    HelperID = 48
	HelperSetsockopt                 HelperID = 49
	HelperSKBAdjustRoom              HelperID = 50
	HelperRedirectMap                HelperID = 51
	HelperSkRedirectMap              HelperID = 52
	HelperSockMapUpdate              HelperID = 53
	HelperXDPAdjustMeta              HelperID = 54
	HelperPerfEventReadValue         HelperID = 55
	HelperPerfProgReadValue          HelperID = 56
	HelperGetsockopt                 HelperID = 57
	HelperOverrideReturn             HelperID = 58
	HelperSockOpsCbFlagsSet          HelperID = 59
	HelperMsgRedirectMap             HelperID = 60
	HelperMsgApplyBytes              HelperID = 61
	HelperMsgCorkBytes               HelperID = 62
	HelperMsgPullData                HelperID = 63
	HelperBind                       HelperID = 64
	HelperXDPAdjustTail              HelperID = 65
	HelperSKBGetXfrmState            HelperID = 66
	HelperGetStack                   HelperID = 67
	HelperSKBLoadBytesRelative       HelperID = 68
	HelperFIBLookup                  HelperID = 69
	HelperSockHashUpdate             HelperID = 70
	HelperMsgRedirectHash            HelperID = 71
	HelperSkRedirectHash             HelperID = 72
	HelperLWTPushEncap               HelperID = 73
	HelperLWTSeg6StoreBytes          HelperID = 74
	HelperLWTSeg6AdjustSrh           HelperID = 75
	HelperLWTSeg6Action              HelperID = 76
	HelperRcRepeat                   HelperID = 77
	HelperRcKeydown                  HelperID = 78
	HelperSKBCgroupID                HelperID = 79
	HelperGetCurrentCgroupID         HelperID = 80
	HelperGetLocalStorage            HelperID = 81
	HelperSkSelectReuseport          HelperID = 82
	HelperSKBAncestorCgroupID        HelperID = 83
	HelperSkLookupTCP                HelperID = 84
	HelperSkLookupUDP                HelperID = 85
	HelperSkRelease                  HelperID = 86
	HelperMapPushElem                HelperID = 87
	HelperMapPopElem                 HelperID = 88
	HelperMapPeekElem                HelperID = 89
	HelperMsgPushData                HelperID = 90
	HelperMsgPopData                 HelperID = 91
	HelperRcPointerRel               HelperID = 92
	HelperSpinLock                   HelperID = 93
	HelperSpinUnlock                 HelperID = 94
	HelperSkFullsock                 HelperID = 95
	HelperTCPSock                    HelperID = 96
	HelperSKBEcnSetCe                HelperID = 97
	HelperGetListenerSock            HelperID = 98
	HelperSkcLookupTCP               HelperID = 99
	HelperTCPCheckSyncookie          HelperID = 100
	HelperSysctlGetName              HelperID = 101
	HelperSysctlGetCurrentValue      HelperID = 102
	HelperSysctlGetNewValue          HelperID = 103
	HelperSysctlSetNewValue          HelperID = 104
	HelperStrtol                     HelperID = 105
	HelperStrtoul                    HelperID = 106
	HelperSkStorageGet               HelperID = 107
	HelperSkStorageDelete            HelperID = 108
	HelperSendSignal                 HelperID = 109
	HelperTCPGenSyncookie            HelperID = 110
	HelperSKBOutput                  HelperID = 111
	HelperProbeReadUser              HelperID = 112
	HelperProbeReadKernel            HelperID = 113
	HelperProbeReadUserStr           HelperID = 114
	HelperProbeReadKernelStr         HelperID = 115
	HelperTCPSendAck                 HelperID = 116
	HelperSendSignalThread           HelperID = 117
	HelperJiffies64                  HelperID = 118
	HelperReadBranchRecords          HelperID = 119
	HelperGetNSCurrentPIDTGID        HelperID = 120
	HelperXDPOutput                  HelperID = 121
	HelperGetNetnsCookie             HelperID = 122
	HelperGetCurrentAncestorCgroupID HelperID = 123
	HelperSkAssign                   HelperID = 124
	HelperKtimeGetBootNS             HelperID = 125
	HelperSeqPrintf                  HelperID = 126
	HelperSeqWrite                   HelperID = 127
	HelperSkCgroupID                 HelperID = 128
	HelperSkAncestorCgroupID         HelperID = 129
	HelperRingbufOutput              HelperID = 130
	HelperRingbufReserve             HelperID = 131
	HelperRingbufSubmit              HelperID = 132
	HelperRingbufDiscard             HelperID = 133
	HelperRingbufQuery               HelperID = 134
	HelperCsumLevel                  HelperID = 135
	HelperSkcToTcp6Sock              HelperID = 136
	HelperSkcToTCPSock               HelperID = 137
	HelperSkcToTCPTimewaitSock       HelperID = 138
	HelperSkcToTCPRequestSock        HelperID = 139
	HelperSkcToUdp6Sock              HelperID = 140
	HelperGetTaskStack               HelperID = 141
	HelperLoadHdrOpt                 HelperID = 142
	HelperStoreHdrOpt                HelperID = 143
	HelperReserveHdrOpt              HelperID = 144
	HelperInodeStorageGet            HelperID = 145
	HelperInodeStorageDelete         HelperID = 146
	HelperDPath                      HelperID = 147
	HelperCopyFromUser               HelperID = 148
	HelperSnprintfBTF                HelperID = 149
	HelperSeqPrintfBTF               HelperID = 150
	HelperSKBCgroupClassid           HelperID = 151
	HelperRedirectNeigh              HelperID = 152
	HelperPerCPUPtr                  HelperID = 153
	HelperThisCPUPtr                 HelperID = 154
	HelperRedirectPeer               HelperID = 155
	HelperTaskStorageGet             HelperID = 156
	HelperTaskStorageDelete          HelperID = 157
	HelperGetCurrentTaskBTF          HelperID = 158
	HelperBprmOptsSet                HelperID = 159
	HelperKtimeGetCoarseNS           HelperID = 160
	HelperImaInodeHash               HelperID = 161
	HelperSockFromFile               HelperID = 162
	HelperCheckMtu                   HelperID = 163
	HelperForEachMapElem             HelperID = 164
	HelperSnprintf                   HelperID = 165
	HelperSysBPF                     HelperID = 166
	HelperBTFFindByNameKind          HelperID = 167
	HelperSysClose                   HelperID = 168
	HelperTimerInit                  HelperID = 169
	HelperTimerSetCallback           HelperID = 170
	HelperTimerStart                 HelperID = 171
	HelperTimerCancel                HelperID = 172
	HelperGetFuncIP                  HelperID = 173
	HelperGetAttachCookie            HelperID = 174
	HelperTaskPtRegs                 HelperID = 175
	HelperGetBranchSnapshot          HelperID = 176
	HelperTraceVprintk               HelperID = 177
	HelperSkcToUnixSock              HelperID = 178
	HelperKallsymsLookupName         HelperID = 179
	HelperFindVma                    HelperID = 180
	HelperLoop                       HelperID = 181
	HelperStrncmp                    HelperID = 182
	HelperGetFuncArg                 HelperID = 183
	HelperGetFuncRet                 HelperID = 184
	HelperGetFuncArgCnt              HelperID = 185
	HelperGetRetval                  HelperID = 186
	HelperSetRetval                  HelperID = 187
	HelperXDPGetBuffLen              HelperID = 188
	HelperXDPLoadBytes               HelperID = 189
	HelperXDPStoreBytes              HelperID = 190
	HelperCopyFromUserTask           HelperID = 191
	HelperSKBSetTstamp               HelperID = 192
	HelperImaFileHash                HelperID = 193
	HelperKptrXchg                   HelperID = 194
	HelperMapLookupPercpuElem        HelperID = 195
	HelperSkcToMptcpSock             HelperID = 196
	HelperDynptrFromMem              HelperID = 197
	HelperRingbufReserveDynptr       HelperID = 198
	HelperRingbufSubmitDynptr        HelperID = 199
	HelperRingbufDiscardDynptr       HelperID = 200
	HelperDynptrRead                 HelperID = 201
	HelperDynptrWrite                HelperID = 202
	HelperDynptrData                 HelperID = 203
	HelperTCPRawGenSyncookieIpv4     HelperID = 204
	HelperTCPRawGenSyncookieIpv6     HelperID = 205
	HelperTCPRawCheckSyncookieIpv4   HelperID = 206
	HelperTCPRawCheckSyncookieIpv6   HelperID = 207
	HelperKtimeGetTAINS              HelperID = 208
	HelperUserRingbufDrain           HelperID = 209
	HelperCgrpStorageGet             HelperID = 210
	HelperCgrpStorageDelete          HelperID = 211
)

// helperNames are the helpers' names without the bpf_ prefix, by id.
var helperNames = [...]string{
	0:   "unspec",
	1:   "map_lookup_elem",
	2:   "map_update_elem",
	3:   "map_delete_elem",
	4:   "probe_read",
	5:   "ktime_get_ns",
	6:   "trace_printk",
	7:   "get_prandom_u32",
	8:   "get_smp_processor_id",
	9:   "skb_store_bytes",
	10:  "l3_csum_replace",
	11:  "l4_csum_replace",
	12:  "tail_call",
	13:  "clone_redirect",
	14:  "get_current_pid_tgid",
	15:  "get_current_uid_gid",
	16:  "get_current_comm",
	17:  "get_cgroup_classid",
	18:  "skb_vlan_push",
	19:  "skb_vlan_pop",
	20:  "skb_get_tunnel_key",
	21:  "skb_set_tunnel_key",
	22:  "perf_event_read",
	23:  "redirect",
	24:  "get_route_realm",
	25:  "perf_event_output",
	26:  "skb_load_bytes",
	27:  "get_stackid",
	28:  "csum_diff",
	29:  "skb_get_tunnel_opt",
	30:  "skb_set_tunnel_opt",
	31:  "skb_change_proto",
	32:  "skb_change_type",
	33:  "skb_under_cgroup",
	34:  "get_hash_recalc",
	35:  "get_current_task",
	36:  "probe_write_user",
	37:  "current_task_under_cgroup",
	38:  "skb_change_tail",
	39:  "skb_pull_data",
	40:  "csum_update",
	41:  "set_hash_invalid",
	42:  "get_numa_node_id",
	43:  "skb_change_head",
	44:  "xdp_adjust_head",
	45:  "probe_read_str",
	46:  "get_socket_cookie",
	47:  "get_socket_uid",
	48:  "set_hash",
	49:  "setsockopt",
	50:  "skb_adjust_room",
	51:  "redirect_map",
	52:  "sk_redirect_map",
	53:  "sock_map_update",
	54:  "xdp_adjust_meta",
	55:  "perf_event_read_value",
	56:  "perf_prog_read_value",
	57:  "getsockopt",
	58:  "override_return",
	59:  "sock_ops_cb_flags_set",
	60:  "msg_redirect_map",
	61:  "msg_apply_bytes",
	62:  "msg_cork_bytes",
	63:  "msg_pull_data",
	64:  "bind",
	65:  "xdp_adjust_tail",
	66:  "skb_get_xfrm_state",
	67:  "get_stack",
	68:  "skb_load_bytes_relative",
	69:  "fib_lookup",
	70:  "sock_hash_update",
	71:  "msg_redirect_hash",
	72:  "sk_redirect_hash",
	73:  "lwt_push_encap",
	74:  "lwt_seg6_store_bytes",
	75:  "lwt_seg6_adjust_srh",
	76:  "lwt_seg6_action",
	77:  "rc_repeat",
	78:  "rc_keydown",
	79:  "skb_cgroup_id",
	80:  "get_current_cgroup_id",
	81:  "get_local_storage",
	82:  "sk_select_reuseport",
	83:  "skb_ancestor_cgroup_id",
	84:  "sk_lookup_tcp",
	85:  "sk_lookup_udp",
	86:  "sk_release",
	87:  "map_push_elem",
	88:  "map_pop_elem",
	89:  "map_peek_elem",
	90:  "msg_push_data",
	91:  "msg_pop_data",
	92:  "rc_pointer_rel",
	93:  "spin_lock",
	94:  "spin_unlock",
	95:  "sk_fullsock",
	96:  "tcp_sock",
	97:  "skb_ecn_set_ce",
	98:  "get_listener_sock",
	99:  "skc_lookup_tcp",
	100: "tcp_check_syncookie",
	101: "sysctl_get_name",
	102: "sysctl_get_current_value",
	103: "sysctl_get_new_value",
	104: "sysctl_set_new_value",
	105: "strtol",
	106: "strtoul",
	107: "sk_storage_get",
	108: "sk_storage_delete",
	109: "send_signal",
	110: "tcp_gen_syncookie",
	111: "skb_output",
	112: "probe_read_user",
	113: "probe_read_kernel",
	114: "probe_read_user_str",
	115: "probe_read_kernel_str",
	116: "tcp_send_ack",
	117: "send_signal_thread",
	118: "jiffies64",
	119: "read_branch_records",
	120: "get_ns_current_pid_tgid",
	121: "xdp_output",
	122: "get_netns_cookie",
	123: "get_current_ancestor_cgroup_id",
	124: "sk_assign",
	125: "ktime_get_boot_ns",
	126: "seq_printf",
	127: "seq_write",
	128: "sk_cgroup_id",
	129: "sk_ancestor_cgroup_id",
	130: "ringbuf_output",
	131: "ringbuf_reserve",
	132: "ringbuf_submit",
	133: "ringbuf_discard",
	134: "ringbuf_query",
	135: "csum_level",
	136: "skc_to_tcp6_sock",
	137: "skc_to_tcp_sock",
	138: "skc_to_tcp_timewait_sock",
	139: "skc_to_tcp_request_sock",
	140: "skc_to_udp6_sock",
	141: "get_task_stack",
	142: "load_hdr_opt",
	143: "store_hdr_opt",
	144: "reserve_hdr_opt",
	145: "inode_storage_get",
	146: "inode_storage_delete",
	147: "d_path",
	148: "copy_from_user",
	149: "snprintf_btf",
	150: "seq_printf_btf",
	151: "skb_cgroup_classid",
	152: "redirect_neigh",
	153: "per_cpu_ptr",
	154: "this_cpu_ptr",
	155: "redirect_peer",
	156: "task_storage_get",
	157: "task_storage_delete",
	158: "get_current_task_btf",
	159: "bprm_opts_set",
	160: "ktime_get_coarse_ns",
	161: "ima_inode_hash",
	162: "sock_from_file",
	163: "check_mtu",
	164: "for_each_map_elem",
	165: "snprintf",
	166: "sys_bpf",
	167: "btf_find_by_name_kind",
	168: "sys_close",
	169: "timer_init",
	170: "timer_set_callback",
	171: "timer_start",
	172: "timer_cancel",
	173: "get_func_ip",
	174: "get_attach_cookie",
	175: "task_pt_regs",
	176: "get_branch_snapshot",
	177: "trace_vprintk",
	178: "skc_to_unix_sock",
	179: "kallsyms_lookup_name",
	180: "find_vma",
	181: "loop",
	182: "strncmp",
	183: "get_func_arg",
	184: "get_func_ret",
	185: "get_func_arg_cnt",
	186: "get_retval",
	187: "set_retval",
	188: "xdp_get_buff_len",
	189: "xdp_load_bytes",
	190: "xdp_store_bytes",
	191: "copy_from_user_task",
	192: "skb_set_tstamp",
	193: "ima_file_hash",
	194: "kptr_xchg",
	195: "map_lookup_percpu_elem",
	196: "skc_to_mptcp_sock",
	197: "dynptr_from_mem",
	198: "ringbuf_reserve_dynptr",
	199: "ringbuf_submit_dynptr",
	200: "ringbuf_discard_dynptr",
	201: "dynptr_read",
	202: "dynptr_write",
	203: "dynptr_data",
	204: "tcp_raw_gen_syncookie_ipv4",
	205: "tcp_raw_gen_syncookie_ipv6",
	206: "tcp_raw_check_syncookie_ipv4",
	207: "tcp_raw_check_syncookie_ipv6",
	208: "ktime_get_tai_ns",
	209: "user_ringbuf_drain",
	210: "cgrp_storage_get",
	211: "cgrp_storage_delete",
}
