#!/usr/bin/env bash
# Build the images docker-compose.mcp-reliability.yml needs from what is already on this machine,
# for a Docker engine that cannot pull: the host's node binary and its libraries (plus busybox for
# sh/wget in healthchecks and iproute2's tc for netem), the installed node_modules, and Debian's
# prometheus binary. Writes an env file that points the compose file's image variables at them:
#
#   tools/offline-images.sh [--env-file PATH]     (default: .mcp-reliability/offline-images.env)
#
# Then:  mcp-reliability stack --images-env .mcp-reliability/offline-images.env ...
# (run-mcp-reliability-tests.sh uses that file when it exists). On GitHub none of this is needed:
# the public images (node:20-bookworm-slim, prom/prometheus, grafana, loki, promtail) are pulled.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
env_file=.mcp-reliability/offline-images.env
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "offline-images: unknown argument '$1' (expected --env-file PATH)" >&2; exit 2 ;;
  esac
done

NODE_TAG=${MCP_RELIABILITY_NODE_IMAGE:-mcp-reliability/node-offline:local}
APP_TAG=${MCP_RELIABILITY_IMAGE:-mcp-reliability:local}
PROM_TAG=${PROMETHEUS_IMAGE:-mcp-reliability/prometheus-offline:local}

need() { command -v "$1" >/dev/null 2>&1 || { echo "offline-images: '$1' not found: $2" >&2; exit 3; }; }
need docker "install Debian's docker.io and start dockerd"
need node "the host's node binary is copied into the image"
need prometheus "install Debian's prometheus package"
need busybox "install Debian's busybox-static package (sh and wget for healthchecks)"
docker info >/dev/null 2>&1 || { echo "offline-images: no Docker engine answers (start dockerd)" >&2; exit 3; }
[ -f lib/cli/main.js ] || { echo "offline-images: lib/ is not built: run 'npm run build' first" >&2; exit 3; }
[ -d node_modules ] || { echo "offline-images: node_modules missing: run 'npm ci' first" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copy a binary and every shared library it loads (ldd) into a root folder, at the same paths.
copy_with_libs() {
  local rootfs=$1 bin=$2 dest=${3:-$2}
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L "$bin" "$rootfs$dest"
  ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# A minimal root: busybox as sh/wget/ls/cat/sleep, /etc/passwd with root and nobody, /tmp.
base_rootfs() {
  local rootfs=$1
  mkdir -p "$rootfs"/{bin,etc,tmp,usr/bin,usr/sbin}
  chmod 1777 "$rootfs/tmp"
  cp -L "$(command -v busybox)" "$rootfs/bin/busybox"
  for applet in sh wget ls cat sleep env ps kill mkdir rm cp echo nc; do ln -sf busybox "$rootfs/bin/$applet"; done
  ln -sf ../../bin/busybox "$rootfs/usr/bin/env"  # #!/usr/bin/env node in npm bin scripts
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && mkdir -p "$rootfs/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
  # glibc resolves names through these modules (compose service names go through DNS).
  for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
    [ -e "$lib" ] && mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"
  done
  return 0
}

echo "offline-images: node base image $NODE_TAG (node $(node --version) from $(command -v node))"
node_root=$work/node
base_rootfs "$node_root"
copy_with_libs "$node_root" "$(command -v node)" /usr/local/bin/node
if command -v tc >/dev/null 2>&1; then copy_with_libs "$node_root" "$(command -v tc)" /usr/sbin/tc; fi
tar -C "$node_root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/bin' \
  --change 'CMD ["node"]' - "$NODE_TAG" >/dev/null

echo "offline-images: app image $APP_TAG (this checkout's lib/ and node_modules on $NODE_TAG)"
docker build -q -f docker/Dockerfile --build-arg "NODE_IMAGE=$NODE_TAG" -t "$APP_TAG" "$root" >/dev/null

echo "offline-images: prometheus image $PROM_TAG ($(prometheus --version 2>&1 | head -1))"
prom_root=$work/prometheus
base_rootfs "$prom_root"
copy_with_libs "$prom_root" "$(command -v prometheus)" /bin/prometheus
copy_with_libs "$prom_root" "$(command -v promtool)" /bin/promtool
mkdir -p "$prom_root/prometheus" "$prom_root/etc/prometheus"
chown 65534:65534 "$prom_root/prometheus"
tar -C "$prom_root" -c . | docker import \
  --change 'ENTRYPOINT ["/bin/prometheus"]' \
  --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
  --change 'USER nobody' \
  --change 'WORKDIR /prometheus' - "$PROM_TAG" >/dev/null

mkdir -p "$(dirname "$env_file")"
cat >"$env_file" <<ENV
# Written by tools/offline-images.sh: images built from this machine, no pull needed.
MCP_RELIABILITY_NODE_IMAGE=$NODE_TAG
MCP_RELIABILITY_IMAGE=$APP_TAG
PROMETHEUS_IMAGE=$PROM_TAG
ENV
echo "offline-images: wrote $env_file"
