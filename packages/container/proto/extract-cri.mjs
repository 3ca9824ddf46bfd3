#!/usr/bin/env node
// Extracts the CRI API (package runtime.v1, k8s.io/cri-api .../api.proto)
// from the containerd binary on this machine: Go protobuf registers every
// compiled .proto's FileDescriptorProto, gzipped, in the binary. No CRI
// .proto ships on Debian, and this is the exact API the daemon serves.
// Writes test/fixtures/cri-runtime-v1.binpb (a FileDescriptorSet of
// api.proto and the imports it keeps, with options stripped: gogoproto's only
// shape Go code, never the wire format) and records containerd's version in
// proto/SOURCE-VERSIONS. Usage: node proto/extract-cri.mjs [/usr/bin/containerd]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync } from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.argv[2] ?? '/usr/bin/containerd';
const data = readFileSync(binary);

/** Every FileDescriptorProto found in a gzip stream of the binary (CRI's v1alpha2 and v1 are both named api.proto). */
const files = [];
for (let at = data.indexOf(Buffer.from([0x1f, 0x8b, 0x08])); at !== -1; at = data.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), at + 1)) {
  let raw;
  try {
    // gunzip stops at the stream's end; trailing bytes are the rest of the binary.
    raw = gunzipSync(data.subarray(at, at + (4 << 20)), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    continue;
  }
  try {
    const fd = fromBinary(FileDescriptorProtoSchema, raw);
    if (fd.name) files.push(fd);
  } catch {
    // Not a descriptor (other gzipped data).
  }
}
const api = files.find((f) => f.package === 'runtime.v1' && f.name.endsWith('api.proto'));
if (!api) throw new Error(`no runtime.v1 api.proto descriptor in ${binary}`);

const DROP = /gogo\.proto$/;
/** Strips options at every level and the gogo import, so the set needs nothing else. */
function strip(fd) {
  fd.options = undefined;
  fd.dependency = fd.dependency.filter((d) => !DROP.test(d));
  fd.publicDependency = [];
  fd.weakDependency = [];
  const msg = (m) => {
    m.options = undefined;
    for (const f of m.field) f.options = undefined;
    for (const n of m.nestedType) msg(n);
    for (const e of m.enumType) enm(e);
  };
  const enm = (e) => {
    e.options = undefined;
    for (const v of e.value) v.options = undefined;
  };
  for (const m of fd.messageType) msg(m);
  for (const e of fd.enumType) enm(e);
  for (const s of fd.service) {
    s.options = undefined;
    for (const m of s.method) m.options = undefined;
  }
  fd.sourceCodeInfo = undefined;
  return fd;
}
const out = [];
const visit = (name) => {
  if (DROP.test(name) || out.some((f) => f.name === name)) return;
  const fd = name === api.name ? api : files.find((f) => f.name === name);
  if (!fd) throw new Error(`${api.name} imports ${name}, not found in ${binary}`);
  for (const d of fd.dependency) visit(d);
  out.push(strip(fd));
};
visit(api.name);
writeFileSync(join(pkgDir, 'test/fixtures/cri-runtime-v1.binpb'), toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: out })));

const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
const versions = join(pkgDir, 'proto/SOURCE-VERSIONS');
const kept = readFileSync(versions, 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('containerd-binary '));
const line = `containerd-binary ${version.split(' ').at(-1)} (${binary}: runtime.v1 ${out.map((f) => f.name).join(', ')} -> test/fixtures/cri-runtime-v1.binpb)`;
writeFileSync(versions, `${[...kept, line].join('\n')}\n`);
console.log(`${out.map((f) => f.name).join(', ')} from ${version}`);
