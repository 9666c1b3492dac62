#!/usr/bin/env bash
# Gathers into .device/ (git-ignored) what the device machine needs to run the harness, for the device tool's
# `carry` (64 MiB at most with the working tree): the bundle, this machine's node binary and Dawn's addon,
# both xz-compressed, and the data file. The Vulkan loader travels separately in .gl/ (see on-device.sh).
#   bench/device/pack.sh [DATA.npz]      (SSG_DAWN_NODE: path of dawn.node; default from `npm i --no-save webgpu@0.6.2`)
set -euo pipefail
cd "$(dirname "$0")/../.."
dawn=${SSG_DAWN_NODE:-node_modules/webgpu/dist/linux-x64/dawn.node}
[ -f "$dawn" ] || { echo "pack: no dawn.node at $dawn (npm install --no-save webgpu@0.6.2, or set SSG_DAWN_NODE)" >&2; exit 1; }
npx vite build --config vite.device.config.mts --logLevel warn
mkdir -p .device
node_bin=$(readlink -f "$(command -v node)")
# The node binary changes rarely and takes ~30 s to compress: reuse the last one when it is the same file.
stamp="$(stat -c %s-%Y "$node_bin")"
if [ ! -f .device/node.xz ] || [ "$(cat .device/node.stamp 2>/dev/null)" != "$stamp" ]; then
  xz -T2 -6 -c "$node_bin" > .device/node.xz && echo "$stamp" > .device/node.stamp
fi
xz -T2 -6 -c "$dawn" > .device/dawn.node.xz
rm -f .device/*.npz
if [ $# -ge 1 ]; then cp "$1" .device/; fi
du -sh .device .gl 2>/dev/null
