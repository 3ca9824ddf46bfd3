#!/usr/bin/env bash
# Builds the API reference of every kc package into docs/api with TypeDoc
# (typedoc.json: one site, one module per package, docs/index.md as the landing
# page and the guides in docs/ beside it). Fails when an exported symbol or an
# exported member has no TSDoc comment, or a {@link} does not resolve; the site
# is written either way and every finding is in .cache/docs/validation.txt.
# Needs no build: TypeDoc reads the TypeScript sources (tsconfig.docs.json).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/docs/build.mjs "$@"
