#!/usr/bin/env bash
# Regenerates man/procscope.1 from the command-line definitions (swift-argument-parser's generate-manual
# plugin), so the manual says what --help says. Run after changing a command or an option.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-manual --date "$(date +%Y-%m-%d)" --authors "the procscope developers"
cp .build/plugins/GenerateManual/outputs/procscope/procscope.1 man/procscope.1
echo "wrote man/procscope.1"
