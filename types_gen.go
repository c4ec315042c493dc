// Code generated from the UAPI enums of linux/bpf.h (libbpf 1.7.0); the values are kernel ABI.

package libbpf

// The program types (enum bpf_prog_type).
const (
	ProgTypeUnspec                ProgType = 0
	ProgTypeSocketFilter          ProgType = 1
	ProgTypeKprobe                ProgType = 2
	ProgTypeSchedCLS              ProgType = 3
	ProgTypeSchedACT              ProgType = 4
	ProgTypeTracepoint            ProgType = 5
	ProgTypeXDP                   ProgType = 6
	ProgTypePerfEvent             ProgType = 7
	ProgTypeCgroupSKB             ProgType = 8
	ProgTypeCgroupSock            ProgType = 9
	ProgTypeLWTIn                 ProgType = 10
	ProgTypeLWTOut                ProgType = 11
	ProgTypeLWTXmit               ProgType = 12
	ProgTypeSockOps               ProgType = 13
	ProgTypeSKSKB                 ProgType = 14
	ProgTypeCgroupDevice          ProgType = 15
	ProgTypeSKMsg                 ProgType = 16
	ProgTypeRawTracepoint         ProgType = 17
	ProgTypeCgroupSockAddr        ProgType = 18
	ProgTypeLWTSeg6Local          ProgType = 19
	ProgTypeLIRCMode2             ProgType = 20
	ProgTypeSKReuseport           ProgType = 21
	ProgTypeFlowDissector         ProgType = 22
	ProgTypeCgroupSysctl          ProgType = 23
	ProgTypeRawTracepointWritable ProgType = 24
	ProgTypeCgroupSockopt         ProgType = 25
	ProgTypeTracing               ProgType = 26
	ProgTypeStructOps             ProgType = 27
	ProgTypeExt                   ProgType = 28
	ProgTypeLSM                   ProgType = 29
	ProgTypeSKLookup              ProgType = 30
	ProgTypeSyscall               ProgType = 31
	ProgTypeNetfilter             ProgType = 32
)

// The attach types (enum bpf_attach_type).
const (
	AttachTypeCgroupInetIngress          AttachType = 0
	AttachTypeCgroupInetEgress           AttachType = 1
	AttachTypeCgroupInetSockCreate       AttachType = 2
	AttachTypeCgroupSockOps              AttachType = 3
	AttachTypeSKSKBStreamParser          AttachType = 4
	AttachTypeSKSKBStreamVerdict         AttachType = 5
	AttachTypeCgroupDevice               AttachType = 6
	AttachTypeSKMsgVerdict               AttachType = 7
	AttachTypeCgroupInet4Bind            AttachType = 8
	AttachTypeCgroupInet6Bind            AttachType = 9
	AttachTypeCgroupInet4Connect         AttachType = 10
	AttachTypeCgroupInet6Connect         AttachType = 11
	AttachTypeCgroupInet4PostBind        AttachType = 12
	AttachTypeCgroupInet6PostBind        AttachType = 13
	AttachTypeCgroupUDP4SendMsg          AttachType = 14
	AttachTypeCgroupUDP6SendMsg          AttachType = 15
	AttachTypeLIRCMode2                  AttachType = 16
	AttachTypeFlowDissector              AttachType = 17
	AttachTypeCgroupSysctl               AttachType = 18
	AttachTypeCgroupUDP4RecvMsg          AttachType = 19
	AttachTypeCgroupUDP6RecvMsg          AttachType = 20
	AttachTypeCgroupGetSockopt           AttachType = 21
	AttachTypeCgroupSetSockopt           AttachType = 22
	AttachTypeTraceRawTP                 AttachType = 23
	AttachTypeTraceFentry                AttachType = 24
	AttachTypeTraceFexit                 AttachType = 25
	AttachTypeModifyReturn               AttachType = 26
	AttachTypeLSMMAC                     AttachType = 27
	AttachTypeTraceIter                  AttachType = 28
	AttachTypeCgroupInet4GetPeerName     AttachType = 29
	AttachTypeCgroupInet6GetPeerName     AttachType = 30
	AttachTypeCgroupInet4GetSockName     AttachType = 31
	AttachTypeCgroupInet6GetSockName     AttachType = 32
	AttachTypeXDPDevMap                  AttachType = 33
	AttachTypeCgroupInetSockRelease      AttachType = 34
	AttachTypeXDPCPUMap                  AttachType = 35
	AttachTypeSKLookup                   AttachType = 36
	AttachTypeXDP                        AttachType = 37
	AttachTypeSKSKBVerdict               AttachType = 38
	AttachTypeSKReuseportSelect          AttachType = 39
	AttachTypeSKReuseportSelectOrMigrate AttachType = 40
	AttachTypePerfEvent                  AttachType = 41
	AttachTypeTraceKprobeMulti           AttachType = 42
	AttachTypeLSMCgroup                  AttachType = 43
	AttachTypeStructOps                  AttachType = 44
	AttachTypeNetfilter                  AttachType = 45
	AttachTypeTCXIngress                 AttachType = 46
	AttachTypeTCXEgress                  AttachType = 47
	AttachTypeTraceUprobeMulti           AttachType = 48
	AttachTypeCgroupUnixConnect          AttachType = 49
	AttachTypeCgroupUnixSendMsg          AttachType = 50
	AttachTypeCgroupUnixRecvMsg          AttachType = 51
	AttachTypeCgroupUnixGetPeerName      AttachType = 52
	AttachTypeCgroupUnixGetSockName      AttachType = 53
	AttachTypeNetkitPrimary              AttachType = 54
	AttachTypeNetkitPeer                 AttachType = 55
	AttachTypeTraceKprobeSession         AttachType = 56
	AttachTypeTraceUprobeSession         AttachType = 57
	AttachTypeTraceFsession              AttachType = 58
)

// The map types (enum bpf_map_type).
const (
	MapTypeUnspec                        MapType = 0
	MapTypeHash                          MapType = 1
	MapTypeArray                         MapType = 2
	MapTypeProgArray                     MapType = 3
	MapTypePerfEventArray                MapType = 4
	MapTypePerCPUHash                    MapType = 5
	MapTypePerCPUArray                   MapType = 6
	MapTypeStackTrace                    MapType = 7
	MapTypeCgroupArray                   MapType = 8
	MapTypeLRUHash                       MapType = 9
	MapTypeLRUPerCPUHash                 MapType = 10
	MapTypeLPMTrie                       MapType = 11
	MapTypeArrayOfMaps                   MapType = 12
	MapTypeHashOfMaps                    MapType = 13
	MapTypeDevMap                        MapType = 14
	MapTypeSockMap                       MapType = 15
	MapTypeCPUMap                        MapType = 16
	MapTypeXskmap                        MapType = 17
	MapTypeSockHash                      MapType = 18
	MapTypeCgroupStorageDeprecated       MapType = 19
	MapTypeCgroupStorage                 MapType = 19
	MapTypeReuseportSockArray            MapType = 20
	MapTypePerCPUCgroupStorageDeprecated MapType = 21
	MapTypePerCPUCgroupStorage           MapType = 21
	MapTypeQueue                         MapType = 22
	MapTypeStack                         MapType = 23
	MapTypeSKStorage                     MapType = 24
	MapTypeDevMapHash                    MapType = 25
	MapTypeStructOps                     MapType = 26
	MapTypeRingBuf                       MapType = 27
	MapTypeInodeStorage                  MapType = 28
	MapTypeTaskStorage                   MapType = 29
	MapTypeBloomFilter                   MapType = 30
	MapTypeUserRingBuf                   MapType = 31
	MapTypeCgrpStorage                   MapType = 32
	MapTypeArena                         MapType = 33
	MapTypeInsnArray                     MapType = 34
)
