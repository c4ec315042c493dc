/* Types the skeleton generator must lay out as C does: unions, bitfields,
 * anonymous structs and unions, arrays, enums, padding and packed structs.
 * Every global starts with known values, which the Go test reads back
 * through the generated types. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum color { COLOR_RED = 1, COLOR_GREEN = 2, COLOR_BLUE = -1 };

enum big : __u64 { BIG_ONE = 1, BIG_HUGE = 0x7fffffff };

struct bits {
	__u32 a : 3;
	__s32 b : 5; /* signed: sign-extended */
	__u32 : 4;   /* unnamed padding bitfield */
	__u32 c : 20;
	__u8 flag;
	__u64 wide : 40;
	__s64 neg : 24;
	enum color col : 8;
};

union value {
	__u64 u;
	__s32 i[2];
	char bytes[8];
	struct {
		__u16 lo, hi;
	} half;
};

struct padded {
	__u8 tag;          /* 7 bytes of padding follow */
	__u64 count;
	__u16 port;        /* 2 bytes of padding follow */
	__u32 addr[4];
	struct {           /* anonymous struct: its members are the parent's */
		__u32 x;
		__u8 y;
	};
	union {            /* anonymous union */
		__u32 as_u32;
		__u16 as_u16[2];
	};
	struct {
		__s8 s;
		__u64 t;
	} nested;          /* a named member of anonymous type */
	enum color color;
	char name[5];      /* trailing padding to 8 */
};

struct packed {
	__u8 a;
	__u64 b;
	__u16 c;
} __attribute__((packed));

typedef struct {
	__u32 id;
	union value v;
} item_t;

/* Named like the Go type of the .rodata section's variables. */
struct rodata {
	__u32 not_a_section;
};

/* A bitfield directly in a union has no view; its other members do. */
union low_bits {
	__u32 all;
	__u32 low : 4;
	struct {
		__u32 lo : 4, hi : 28;
	};
};

struct pid_cpu {
	__u32 pid;
	__u32 cpu;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct pid_cpu);
	__type(value, item_t);
} items SEC(".maps");

struct bits g_bits = { .a = 5, .b = -3, .c = 0xabcde, .flag = 0x7f, .wide = 0x123456789aULL, .neg = -1000, .col = COLOR_GREEN };
union value g_value = { .half = { .lo = 0x1111, .hi = 0x2222 } };
struct padded g_padded = { .tag = 9, .count = 1ULL << 40, .port = 443, .addr = { 1, 2, 3, 4 }, .x = 77, .y = 78,
			   .as_u32 = 0xdeadbeef, .nested = { .s = -5, .t = 6 }, .color = COLOR_BLUE, .name = "abcd" };
struct packed g_packed = { .a = 1, .b = 0x0102030405060708ULL, .c = 0x0a0b };
item_t g_items[2] = { { .id = 1, .v = { .u = 10 } }, { .id = 2, .v = { .i = { -1, -2 } } } };
enum big g_big = BIG_HUGE;
const volatile struct pid_cpu g_key = { .pid = 42, .cpu = 3 };
__u64 g_zero;
struct rodata g_named = { .not_a_section = 11 };
union low_bits g_low = { .all = 0x35 };

SEC("syscall")
int touch(void *ctx)
{
	struct pid_cpu k = g_key;
	item_t *it = bpf_map_lookup_elem(&items, &k);

	if (it)
		g_zero += it->id;
	return g_bits.a + g_value.i[0] + g_padded.x + g_packed.c + g_items[1].id + (int)g_big;
}

char LICENSE[] SEC("license") = "GPL";
