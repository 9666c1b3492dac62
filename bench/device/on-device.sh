#!/usr/bin/env bash
# Runs on the device machine, from the repository root, with .device/ and .gl/ carried (pack.sh):
# unpacks the Vulkan loader, node and dawn.node, then runs the harness with the given flags. Everything it
# prints also goes to $OUT/log.txt, so a run cut off at its time limit still brings its log back.
#   bench/device/on-device.sh --tasks info,kernels,gan-step --deadline 400 ...
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/ssg
python3 -c "import lzma,sys; [open('/tmp/ssg/'+n,'wb').write(lzma.open('.device/'+n+'.xz').read()) for n in ('node','dawn.node')]"
chmod +x /tmp/ssg/node
# The NVIDIA Vulkan driver's manifest is not where the loader looks on this image.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1 && ! ls /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then export VK_DRIVER_FILES=$icd; fi
export XDG_RUNTIME_DIR=/tmp
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv,noheader || true
out=${OUT:-/tmp/ssg-out}
mkdir -p "$out"
/tmp/ssg/node --version
/tmp/ssg/node --max-old-space-size=16384 .device/dist/main.mjs --dawn /tmp/ssg/dawn.node --backend vulkan --out "$out" "$@" 2>&1 | grep -v -E '^Warning: max|^=+$|Hi, looks like|^$' | tee "$out/log.txt"
