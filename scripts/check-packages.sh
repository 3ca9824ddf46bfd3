#!/usr/bin/env bash
# Checks the publish shape of every kc package, the way a user would meet it:
#   1. builds (turbo; cached) unless --no-build, and makes sure
#      native/prebuilds/linux-x64 exists (scripts/prebuild.sh otherwise);
#   2. `pnpm pack`s @kc/native and the six packages into a temp dir (pnpm
#      rewrites every `workspace:` range to the version: `workspace:*` exact,
#      `workspace:^` as ^version); a package's `prepack` refuses the pack
#      when a platform's prebuild is missing (scripts/require-prebuilds.mjs);
#   3. creates a clean project outside the repository and installs the
#      tarballs with npm; npm `overrides` pin every @kc/* dependency to its
#      local tarball, so nothing @kc comes from a registry;
#   4. runs scripts/check-packages/check.mjs there: each package imports with
#      `import` (ESM) and `require` (CJS), every value its .d.ts declares exists
#      at run time in both, `exports`/`bin` targets are in the tarball, the
#      types resolve for NodeNext ESM and CJS consumers, @kc/native is a peer
#      (one copy) and @types/node an optional peer where the .d.ts need it,
#      @kc/native loads its addon from prebuilds/ (not a local build), and
#      with every package loaded by both `import` and `require` in one process
#      one KcError identity holds (scripts/check-packages/error-identity.mjs).
# Prints one line per check ("ok"/"FAIL") and a last line
#   check-packages: N passed, N failed
# Exit 0 when everything passed. Options: --no-build, --keep (keep the temp dir),
# --json FILE (the results as JSON, for examples/publish-shape.privileged.test.ts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=1 keep=0 json=
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --json) json=$2; shift 2 ;;
    *) echo "check-packages: unknown option $1" >&2; exit 2 ;;
  esac
done

packages=(native packages/cgroups packages/namespaces packages/seccomp packages/caps packages/criu packages/container)

if [ $build = 1 ]; then
  pnpm exec turbo run build --output-logs=errors-only >/dev/null
fi
if [ ! -e native/prebuilds/linux-x64/@kc+native.node ]; then
  bash scripts/prebuild.sh >/dev/null
fi

work=$(mktemp -d /tmp/kc-check-packages-XXXXXX)
if [ $keep = 0 ]; then trap 'rm -rf "$work"' EXIT; else echo "check-packages: keeping $work"; fi
mkdir -p "$work/tarballs" "$work/project"

# A failed pack (a `prepack` that finds a platform's prebuild missing, see
# scripts/require-prebuilds.mjs) fails the whole check, with pnpm's output.
pids=()
for p in "${packages[@]}"; do
  (cd "$p" && pnpm pack --pack-destination "$work/tarballs" >"$work/pack-${p//\//-}.log" 2>&1) &
  pids+=($!)
done
pack_failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || pack_failed+=("${packages[$i]}")
done
if [ ${#pack_failed[@]} -gt 0 ]; then
  for p in "${pack_failed[@]}"; do
    echo "FAIL $p pnpm pack:"
    sed 's/^/  /' "$work/pack-${p//\//-}.log"
  done
  echo "check-packages: 0 passed, ${#pack_failed[@]} failed"
  exit 1
fi

# The clean project: depends on every tarball; overrides send the packages'
# own @kc/* dependencies (exact versions after pnpm pack) to the same files.
node - "$work" <<'JS'
const { readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const work = process.argv[2];
const deps = {};
for (const f of readdirSync(join(work, 'tarballs'))) {
  const m = /^kc-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(f);
  if (m) deps[`@kc/${m[1]}`] = `file:${join(work, 'tarballs', f)}`;
}
writeFileSync(join(work, 'project', 'package.json'),
  JSON.stringify({ name: 'kc-publish-check', private: true, version: '0.0.0', dependencies: deps, overrides: deps }, null, 2));
JS
(cd "$work/project" && npm install --prefer-offline --no-audit --no-fund --loglevel=error >"$work/npm-install.log" 2>&1) || {
  cat "$work/npm-install.log" >&2
  echo "check-packages: npm install of the tarballs failed"
  echo "check-packages: 0 passed, 1 failed"
  exit 1
}

# The checker runs from the repository (it needs TypeScript) against the project.
node scripts/check-packages/check.mjs "$work/project" ${json:+--json "$json"}
