// The `prepack` step of packages that ship prebuilt binaries: refuses the pack
// when a platform's binary is missing or is not for that platform, so a
// published tarball never falls back to compiling (a user's machine may have
// no compiler and no Node headers). Run from the package's directory:
//   node ../scripts/require-prebuilds.mjs FILE PLATFORM...
// e.g. `@kc+native.node linux-x64` checks prebuilds/linux-x64/@kc+native.node.
// The ELF header says which machine a binary is for (elf(5): e_machine at
// offset 18; EI_CLASS 2 = 64-bit).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ELF_MACHINE = { x64: 62, arm64: 183 };
const [file, ...platforms] = process.argv.slice(2);
if (!file || platforms.length === 0) {
  console.error('usage: require-prebuilds.mjs FILE PLATFORM...');
  process.exit(2);
}

const problems = [];
for (const platform of platforms) {
  const rel = join('prebuilds', platform, file);
  const arch = platform.split('-')[1];
  if (!existsSync(rel)) {
    problems.push(`${rel} is missing`);
    continue;
  }
  const elf = readFileSync(rel);
  if (elf.length < 20 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) problems.push(`${rel} is not a 64-bit ELF file`);
  else if (elf.readUInt16LE(18) !== ELF_MACHINE[arch]) problems.push(`${rel} is for ELF machine ${elf.readUInt16LE(18)}, not ${platform}`);
}
if (problems.length > 0) {
  console.error(`prepack: refusing to pack without every prebuild: ${problems.join('; ')} (scripts/prebuild.sh makes them)`);
  process.exit(1);
}
