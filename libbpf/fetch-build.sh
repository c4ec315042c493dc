#!/usr/bin/env bash
# Fetches the pinned upstream libbpf release, verifies it, and builds libbpf.a
# plus its headers into libbpf/build (and an AddressSanitizer variant into
# libbpf/build-asan with ASAN=1). Nothing here is committed but this script.
#
# Source, in order of preference:
#   LIBBPF_SRC=/path/to/libbpf      an existing source tree (has src/Makefile)
#   LIBBPF_TARBALL=/path/to/x.tar.gz the upstream tarball, checked against the pin
#   otherwise Debian's source package, fetched with a private apt configuration
#   that leaves the system's apt setup untouched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/VERSION"
work="$here/work"
src="$work/libbpf-$LIBBPF_VERSION"
asan=${ASAN:-0}
out="$here/build"
[ "$asan" = 1 ] && out="$here/build-asan"

log() { echo "libbpf: $*" >&2; }
die() { log "error: $*"; exit 1; }

verify() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$LIBBPF_SHA256" ] || die "$1: sha256 $got, want $LIBBPF_SHA256"
}

# debian_mirror prints the archive URI of the machine's own Debian entry.
debian_mirror() {
	local f uri=""
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "no Debian entry in the apt sources; set LIBBPF_SRC or LIBBPF_TARBALL"
	echo "$uri"
}

# fetch_debian downloads the orig tarball of Debian's libbpf $LIBBPF_VERSION-N
# from suite sid. The tarball's integrity comes from the pinned sha256, so the
# private index is read without signature checks.
fetch_debian() {
	command -v apt-get >/dev/null || die "apt-get not found; set LIBBPF_SRC or LIBBPF_TARBALL"
	local tmp mirror version
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	mirror=$(debian_mirror)
	mkdir -p "$tmp/lists/partial" "$tmp/dl"
	echo "deb-src [trusted=yes] $mirror sid main" >"$tmp/sources.list"
	local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$tmp/lists" -o Acquire::Languages=none -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
	log "fetching the source index of suite sid"
	apt-get "${opts[@]}" -qq update >&2 || die "apt-get update of the private source list failed"
	version=$(apt-cache "${opts[@]}" showsrc libbpf 2>/dev/null |
		awk -v v="$LIBBPF_VERSION" '$1 == "Version:" && index($2, v "-") == 1 { print $2; exit }')
	[ -n "$version" ] || die "suite sid has no libbpf $LIBBPF_VERSION-N; set LIBBPF_SRC or LIBBPF_TARBALL"
	log "downloading Debian source package libbpf $version"
	(cd "$tmp/dl" && apt-get "${opts[@]}" -qq source --download-only "libbpf=$version" >&2) ||
		die "apt-get source libbpf=$version failed"
	local orig="$tmp/dl/libbpf_${LIBBPF_VERSION}.orig.tar.gz"
	[ -f "$orig" ] || die "source package libbpf $version has no libbpf_${LIBBPF_VERSION}.orig.tar.gz"
	verify "$orig"
	mkdir -p "$work"
	cp "$orig" "$work/"
}

unpack() {
	local tarball=$1
	verify "$tarball"
	rm -rf "$src" "$work/unpack"
	mkdir -p "$work/unpack"
	tar -xzf "$tarball" -C "$work/unpack"
	local top
	top=$(find "$work/unpack" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -f "$top/src/Makefile" ] || die "$tarball does not hold a libbpf source tree"
	mv "$top" "$src"
	rm -rf "$work/unpack"
}

if [ -n "${LIBBPF_SRC:-}" ]; then
	[ -f "$LIBBPF_SRC/src/Makefile" ] || die "LIBBPF_SRC=$LIBBPF_SRC has no src/Makefile"
	src=$(cd "$LIBBPF_SRC" && pwd)
elif [ ! -f "$src/src/Makefile" ]; then
	tarball=${LIBBPF_TARBALL:-$work/libbpf_${LIBBPF_VERSION}.orig.tar.gz}
	[ -f "$tarball" ] || { fetch_debian; tarball="$work/libbpf_${LIBBPF_VERSION}.orig.tar.gz"; }
	unpack "$tarball"
fi

cflags="-g -O2 -fPIC"
[ "$asan" = 1 ] && cflags="-g -O1 -fPIC -fsanitize=address -fno-omit-frame-pointer"
stamp="$out/.stamp"
want="$LIBBPF_VERSION $LIBBPF_SHA256 $src $cflags"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/lib/libbpf.a" ]; then
	touch "$out/lib/libbpf.a" # up to date: tell make so
	exit 0
fi
log "building libbpf.a ($out)"
rm -rf "$out"
mkdir -p "$out/obj"
make -s -C "$src/src" -j"$(nproc)" BUILD_STATIC_ONLY=1 OBJDIR="$out/obj" DESTDIR="$out" \
	PREFIX=/ LIBDIR=/lib INCLUDEDIR=/include UAPIDIR=/include CFLAGS="$cflags" \
	install install_uapi_headers >&2
rm -rf "$out/obj"
echo "$want" >"$stamp"
