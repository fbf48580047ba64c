#!/usr/bin/env bash
# Installs the system packages procscope builds and tests with (Debian 12). Idempotent; needs root.
set -euo pipefail
packages=(libpcap-dev libmnl-dev libbpf-dev time libncurses-dev linux-libc-dev iproute2 tcpdump tshark nethogs python3 tmux nftables libsqlite3-dev dnsmasq-base)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Prometheus, for the test that has a real server scrape procscope: unpacked from the Debian package into
# .build/tools, not installed, because the package would also start a system-wide Prometheus service.
tools=$(cd "$(dirname "$0")/.." && pwd)/.build/tools
if [ ! -x "$tools/usr/bin/prometheus" ]; then
    echo "unpacking prometheus into $tools"
    download=$(mktemp -d)
    (cd "$download" && apt-get download -qq prometheus 2>/dev/null) \
        || { apt-get update -qq && (cd "$download" && apt-get download -qq prometheus); }
    mkdir -p "$tools"
    dpkg-deb -x "$download"/prometheus_*.deb "$tools"
    rm -rf "$download"
fi
