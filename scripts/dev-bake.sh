#!/usr/bin/env bash
# Bake the default project into DIR and install it, editable, into DIR/venv.
# Re-running re-bakes over the same files, so the editable install stays valid.
set -euo pipefail
dir=${1:?usage: scripts/dev-bake.sh DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/.venv/bin/cookiecutter" ] || make -C "$root" venv >/dev/null
mkdir -p "$dir"
# Tool caches left in the template folder are not part of it (and may not be text).
find "$root/{{cookiecutter.project_slug}}" -name .ruff_cache -o -name .mypy_cache -o -name .hypothesis -o -name .pytest_cache -o -name .sqlite-releases | xargs rm -rf
"$root/.venv/bin/cookiecutter" --no-input -f -o "$dir" "$root" >/dev/null
if [ ! -x "$dir/venv/bin/python" ]; then
  "$root/.venv/bin/uv" venv -q "$dir/venv" -p 3.11
  VIRTUAL_ENV="$dir/venv" "$root/.venv/bin/uv" pip install -q -e "$dir/backtest-lab[dev]"
fi
echo "baked: $dir/backtest-lab  python: $dir/venv/bin/python"
