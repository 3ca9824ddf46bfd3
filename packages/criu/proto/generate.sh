#!/usr/bin/env bash
# Regenerates src/internal/gen/*_pb.ts from proto/*.proto with protoc (Debian's
# protobuf-compiler) and @bufbuild/protoc-gen-es. The output is committed, so
# building the package needs neither tool nor the network.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p src/internal/gen
protoc --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es \
  --es_out=src/internal/gen --es_opt=target=ts,import_extension=js \
  -I proto proto/rpc.proto proto/images.proto
