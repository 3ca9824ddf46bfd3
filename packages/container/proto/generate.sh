#!/usr/bin/env bash
# Regenerates src/shim/gen/**/*_pb.ts (containerd's shim v2 task API, its
# events, the runc checkpoint options ctr sends, the cgroup v1 and v2
# metrics ctr reads, and ttrpc's envelope) with protoc
# (Debian's protobuf-compiler) and @bufbuild/protoc-gen-es. The output is
# committed, so building the package needs neither tool nor the network.
#
# `--import` first refreshes the .proto copies under proto/ from Debian's
# golang-github-containerd-containerd-dev (containerd 1.6.20) and
# golang-github-containerd-cgroups-dev (cgroups 1.0.4), with the gogoproto
# options stripped: they only shape Go code, never the wire format.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/gocode/src/github.com/containerd
files=(
  github.com/containerd/containerd/runtime/v2/task/shim.proto
  github.com/containerd/containerd/api/types/mount.proto
  github.com/containerd/containerd/api/types/task/task.proto
  github.com/containerd/containerd/api/events/task.proto
  github.com/containerd/containerd/runtime/v2/runc/options/oci.proto
  github.com/containerd/containerd/runtime/linux/runctypes/runc.proto
  github.com/containerd/cgroups/stats/v1/metrics.proto
  github.com/containerd/cgroups/v2/stats/metrics.proto
)
if [ "${1:-}" = --import ]; then
  for f in "${files[@]}"; do
    mkdir -p "proto/$(dirname "$f")"
    # Drop gogoproto/fieldpath imports, file options and [(gogoproto.x) = y, ...] field options.
    sed -E \
      -e '/^[[:space:]]*import (weak )?"(gogoproto\/gogo|github.com\/containerd\/containerd\/protobuf\/plugin\/fieldpath)\.proto";/d' \
      -e '/^[[:space:]]*option \((gogoproto|containerd\.plugin)\.[^)]*\)/d' \
      -e 's/[[:space:]]*\[\((gogoproto)\.[^]]*\]//g' \
      "$src/${f#github.com/containerd/}" >"proto/$f"
  done
  # Keep the line proto/extract-cri.mjs writes (the CRI API taken from the containerd binary).
  {
    dpkg-query -W -f='${Package} ${Version}\n' golang-github-containerd-containerd-dev golang-github-containerd-cgroups-dev
    grep '^containerd-binary ' proto/SOURCE-VERSIONS || true
  } >proto/SOURCE-VERSIONS.new
  mv proto/SOURCE-VERSIONS.new proto/SOURCE-VERSIONS
fi
rm -rf src/shim/gen
mkdir -p src/shim/gen
protoc --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es \
  --es_out=src/shim/gen --es_opt=target=ts,import_extension=js \
  -I proto proto/ttrpc.proto "${files[@]/#/proto/}"
