package coverage

// Twin is Go API that does a libbpf function's whole job without calling
// it: the same bpf(2) command issued from Go, or the same mapped ring read
// and written from Go (the rings' layout is the kernel's, not libbpf's).
// A twin counts as reachable from Go; Check fails when one of its APIs is
// not exported by the package, and when the function is reached through
// libbpf after all (then the twin has no reason to be listed).
type Twin struct {
	APIs []string // the Go functions and methods, as in the table
	How  string   // a few words on how the Go API does the job
}

// The how of the families below.
const (
	elemSys = "the same bpf(2) command issued from Go (map_sys.go): a cgo crossing less on the hottest path"
	ringGo  = "the kernel's mapped ring read from Go (ringbuf.go), no C call per record"
	perfGo  = "the per-CPU perf event rings opened, mapped and read from Go (perfbuf.go)"
	userGo  = "the kernel's mapped user ring written from Go (userringbuf.go)"
)

// Twins maps libbpf functions to their Go twins.
var Twins = map[string]Twin{
	// Element access: fd-level (a Map from MapFromFD works on any fd) and
	// the high-level bpf_map__ forms with their size checks.
	"bpf_map_lookup_elem":                  {[]string{"(*Map).Lookup"}, "BPF_MAP_LOOKUP_ELEM: " + elemSys},
	"bpf_map_lookup_elem_flags":            {[]string{"(*Map).LookupWithFlags"}, "BPF_MAP_LOOKUP_ELEM with flags: " + elemSys},
	"bpf_map__lookup_elem":                 {[]string{"(*Map).Lookup", "(*Map).LookupWithFlags"}, "BPF_MAP_LOOKUP_ELEM after the same key and value size checks: " + elemSys},
	"bpf_map_update_elem":                  {[]string{"(*Map).Update"}, "BPF_MAP_UPDATE_ELEM: " + elemSys},
	"bpf_map__update_elem":                 {[]string{"(*Map).Update"}, "BPF_MAP_UPDATE_ELEM after the same size checks: " + elemSys},
	"bpf_map_delete_elem":                  {[]string{"(*Map).Delete"}, "BPF_MAP_DELETE_ELEM: " + elemSys},
	"bpf_map_delete_elem_flags":            {[]string{"(*Map).Delete"}, "BPF_MAP_DELETE_ELEM; the kernel takes no delete flags (any fail with EINVAL), so Delete has none: " + elemSys},
	"bpf_map__delete_elem":                 {[]string{"(*Map).Delete"}, "BPF_MAP_DELETE_ELEM after the same key size check; the kernel takes no delete flags: " + elemSys},
	"bpf_map_get_next_key":                 {[]string{"(*Map).NextKey"}, "BPF_MAP_GET_NEXT_KEY: " + elemSys},
	"bpf_map__get_next_key":                {[]string{"(*Map).NextKey"}, "BPF_MAP_GET_NEXT_KEY after the same key size check: " + elemSys},
	"bpf_map_lookup_and_delete_elem":       {[]string{"(*Map).LookupAndDelete"}, "BPF_MAP_LOOKUP_AND_DELETE_ELEM: " + elemSys},
	"bpf_map_lookup_and_delete_elem_flags": {[]string{"(*Map).LookupAndDelete"}, "BPF_MAP_LOOKUP_AND_DELETE_ELEM with flags: " + elemSys},
	"bpf_map__lookup_and_delete_elem":      {[]string{"(*Map).LookupAndDelete"}, "BPF_MAP_LOOKUP_AND_DELETE_ELEM after the same size checks: " + elemSys},

	// Ring buffers: the callback is given to each read instead of to the
	// constructor.
	"ring_buffer__new":                   {[]string{"NewRingBuffer"}, "maps each ring buffer map and waits on it with epoll: " + ringGo},
	"ring_buffer__add":                   {[]string{"(*RingBuffer).Add"}, ringGo},
	"ring_buffer__poll":                  {[]string{"(*RingBuffer).Poll", "(*RingBuffer).ReadFunc"}, "epoll, then " + ringGo},
	"ring_buffer__consume":               {[]string{"(*RingBuffer).Consume"}, ringGo},
	"ring_buffer__consume_n":             {[]string{"(*RingBuffer).ConsumeN"}, ringGo},
	"ring_buffer__epoll_fd":              {[]string{"(*RingBuffer).EpollFD"}, "the reader's own epoll fd"},
	"ring_buffer__ring":                  {[]string{"(*RingBuffer).Ring"}, "the reader's i-th ring"},
	"ring_buffer__free":                  {[]string{"(*RingBuffer).Close"}, "unmaps the rings and closes the epoll fd"},
	"ring__consume":                      {[]string{"(*Ring).Consume"}, ringGo},
	"ring__consume_n":                    {[]string{"(*Ring).ConsumeN"}, ringGo},
	"ring__consumer_pos":                 {[]string{"(*Ring).ConsumerPos"}, "reads the mapped consumer position"},
	"ring__producer_pos":                 {[]string{"(*Ring).ProducerPos"}, "reads the mapped producer position"},
	"ring__avail_data_size":              {[]string{"(*Ring).AvailDataSize"}, "producer minus consumer position, read from the mapped pages"},
	"ring__size":                         {[]string{"(*Ring).Size"}, "the data size the ring was mapped with"},
	"ring__map_fd":                       {[]string{"(*Ring).MapFD"}, "the fd of the ring's map"},
	"user_ring_buffer__new":              {[]string{"NewUserRingBuffer"}, "maps the user ring buffer map: " + userGo},
	"user_ring_buffer__reserve":          {[]string{"(*UserRingBuffer).Reserve"}, userGo},
	"user_ring_buffer__reserve_blocking": {[]string{"(*UserRingBuffer).ReserveBlocking"}, "waits on epoll for the kernel to drain, then reserves: " + userGo},
	"user_ring_buffer__submit":           {[]string{"(*UserRingBuffer).Submit"}, userGo},
	"user_ring_buffer__discard":          {[]string{"(*UserRingBuffer).Discard"}, userGo},
	"user_ring_buffer__free":             {[]string{"(*UserRingBuffer).Close"}, "unmaps the ring and closes the epoll fd"},

	// Kept in Go.
	"btf__base_btf": {[]string{"(*BTF).Base"}, "the `*BTF` a split BTF was made on, which the Go value keeps"},

	// Perf buffers: as with ring buffers, the callback goes to each read.
	"perf_buffer__new":            {[]string{"NewPerfBuffer"}, "opens a BPF output perf event per CPU, maps it and stores it in the map: " + perfGo},
	"perf_buffer__poll":           {[]string{"(*PerfBuffer).Poll", "(*PerfBuffer).ReadFunc"}, "epoll, then " + perfGo},
	"perf_buffer__consume":        {[]string{"(*PerfBuffer).Consume"}, perfGo},
	"perf_buffer__consume_buffer": {[]string{"(*PerfBuffer).ConsumeBuffer"}, perfGo},
	"perf_buffer__buffer_cnt":     {[]string{"(*PerfBuffer).BufferCount"}, "the number of per-CPU rings opened"},
	"perf_buffer__buffer_fd":      {[]string{"(*PerfBuffer).BufferFD"}, "the perf event fd of a per-CPU ring"},
	"perf_buffer__buffer":         {[]string{"(*PerfBuffer).Buffer"}, "the mapped memory of a per-CPU ring"},
	"perf_buffer__epoll_fd":       {[]string{"(*PerfBuffer).EpollFD"}, "the reader's own epoll fd"},
	"perf_buffer__free":           {[]string{"(*PerfBuffer).Close"}, "removes the events from the map, unmaps and closes them"},
}
