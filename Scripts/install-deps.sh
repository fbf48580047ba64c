#!/usr/bin/env bash
# Installs the system packages procscope builds and tests with (Debian 12). Idempotent; needs root.
set -euo pipefail
packages=(libpcap-dev libmnl-dev libbpf-dev time libncurses-dev linux-libc-dev iproute2 tcpdump tshark nethogs python3 tmux nftables)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
