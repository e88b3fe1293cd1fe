#!/usr/bin/env bash
# Build the documentation with warnings as errors (mkdocs --strict).
# Usage: docs/build.sh [OUTPUT_DIR]   (default build/docs-site)
# Needs the docs extra: pip install -e ".[docs]"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-build/docs-site}"
# the generated vocabulary pages must be current (regenerate: python docs/_gen_vocabularies.py)
python docs/_gen_vocabularies.py --check
# the comparison of jurisdictions is generated from the packs as part of the build
python docs/_gen_jurisdictions.py
exec python -m mkdocs build --strict --clean --site-dir "$out"
