#!/bin/sh
# bootstrap.sh: set up a fresh Debian machine, build triage, then open the demo
# or run the whole test suite. The README's two commands are:
#   ./bootstrap.sh demo     install what is missing, build, open the demo
#   ./bootstrap.sh check    install what is missing, build, run every test
# Extra arguments go to configure (e.g. --enable-asan builds in _build-asan).
set -eu

cd "$(dirname "$0")"
top=$(pwd)
what=${1:-}
[ $# -gt 0 ] && shift

PACKAGES="build-essential autoconf automake autopoint gettext pkg-config
libncurses-dev libcurl4-openssl-dev libsqlite3-dev libjansson-dev libgit2-dev
check libpq-dev libmicrohttpd-dev zlib1g-dev libzstd-dev libinih-dev libsodium-dev
libgmime-3.0-dev postgresql tmux sqlite3 mandoc git ca-certificates curl
python3-aiosmtpd locales clang valgrind zsh"

usage() {
	echo "usage: ./bootstrap.sh demo|check [configure options]" >&2
	exit 2
}

# Install the Debian packages that are not installed yet.
install_missing() {
	missing=""
	for p in $PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	echo "bootstrap: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "bootstrap: need root or sudo to install:$missing" >&2
		exit 1
	fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing
}

# Configure (out of tree) and build; the build directory depends on options.
build() {
	builddir="$top/_build"
	case " $* " in *" --enable-asan "*) builddir="$top/_build-asan" ;; esac
	if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] ||
	    [ "$top/Makefile.am" -nt "$top/configure" ]; then
		(cd "$top" && autoreconf -fi)
	fi
	mkdir -p "$builddir"
	cd "$builddir"
	if [ ! -f Makefile ] || [ "$(cat .bootstrap-args 2>/dev/null)" != "$*" ]; then
		"$top/configure" --enable-werror "$@"
		echo "$*" > .bootstrap-args
	fi
	make -j"$(nproc)"
}

case $what in
demo)
	install_missing
	build "$@"
	exec "$builddir/triage" demo
	;;
check)
	install_missing
	build "$@"
	make -j"$(nproc)" check
	;;
*)
	usage
	;;
esac
