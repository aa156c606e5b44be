#!/bin/sh
# Prepares dist/gpu-check/: everything a bare Linux x64 GPU host (driver only, maybe no Node, no
# Vulkan loader) needs to run the P7 benchmark — the bench bundle with webgpu's native module
# (xz), this machine's Node binary (xz), and the Debian packages of the Vulkan loader and the glvnd
# libraries the NVIDIA Vulkan driver loads through. Run there: `sh dist/gpu-check/gpu-check.sh
# [--quick]`; it prints the adapter and the P7 rows and writes them to $OUT (or /tmp) as p7.txt.
# Needs apt-get (Debian/Ubuntu) here for the .debs; about 35 MB in all.
set -e
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/dist/gpu-check"
rm -rf "$out" && mkdir -p "$out/debs"
node "$root/bin/bench-bundle.mjs"
cp -r "$root/dist/bench-gpu" "$out/bench-gpu"
xz -T0 -6 "$out/bench-gpu/node_modules/webgpu/dist/linux-x64/dawn.node"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
(cd "$out/debs" && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >/dev/null 2>&1)
cat > "$out/gpu-check.sh" <<'SCRIPT'
#!/bin/sh
# P7 on a GPU host: Node (the host's if >= 20, else the copied one), the Vulkan loader and glvnd
# (unpacked from the .debs when missing), the NVIDIA ICD file, then the benchmark.
set -e
here="$(cd "$(dirname "$0")" && pwd)"
work="${TMPDIR:-/tmp}/deepboard-gpu-check"
rm -rf "$work" && mkdir -p "$work" && cp -r "$here/bench-gpu" "$work/"
xz -d "$work/bench-gpu/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
if command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then NODE=node; else xz -dc "$here/node.xz" > "$work/node"; chmod +x "$work/node"; NODE="$work/node"; fi
if ! ldconfig -p | grep -q 'libvulkan.so.1' || ! ldconfig -p | grep -q 'libGLX.so.0'; then
  for d in "$here"/debs/*.deb; do
    if command -v dpkg >/dev/null 2>&1; then dpkg -x "$d" /; else (cd "$work" && ar x "$d" data.tar.xz && tar -xJf data.tar.xz -C / && rm data.tar.xz); fi
  done
  ldconfig
fi
if [ -z "$VK_DRIVER_FILES" ]; then
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
  done
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"
echo "node $("$NODE" --version); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
dest="${OUT:-/tmp}"
NODE="$NODE" "$work/bench-gpu/run.sh" "$@" 2>&1 | tee "$dest/p7.txt"
SCRIPT
chmod +x "$out/gpu-check.sh"
du -sh "$out"
