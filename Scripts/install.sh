#!/usr/bin/env bash
# Installs procscope (release build), its man page and its bash, zsh and fish completions under PREFIX
# (default /usr/local), and grants it the capabilities it needs so it runs without sudo. The Swift runtime
# and Foundation are linked in (--static-swift-stdlib): the binary needs only Debian's libraries, not the
# toolchain, and starts in about half the time (no Swift libraries to load and relocate).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
Scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product procscope
binary="$(swift build -c release --show-bin-path)/procscope"
install -D -m 0755 "$binary" "$prefix/bin/procscope"
install -D -m 0644 man/procscope.1 "$prefix/share/man/man1/procscope.1"
"$prefix/bin/procscope" --generate-completion-script bash | install -D -m 0644 /dev/stdin "$prefix/share/bash-completion/completions/procscope"
"$prefix/bin/procscope" --generate-completion-script zsh | install -D -m 0644 /dev/stdin "$prefix/share/zsh/site-functions/_procscope"
"$prefix/bin/procscope" --generate-completion-script fish | install -D -m 0644 /dev/stdin "$prefix/share/fish/vendor_completions.d/procscope.fish"
if command -v setcap >/dev/null; then
    setcap cap_net_raw,cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_bpf,cap_perfmon+eip "$prefix/bin/procscope"
fi
echo "installed $prefix/bin/procscope, its man page and completions"
