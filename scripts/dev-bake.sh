#!/usr/bin/env bash
# Bake the default project into DIR and install it, editable, into DIR/venv.
# Re-running re-bakes over the same files, so the editable install stays valid.
set -euo pipefail
dir=${1:?usage: scripts/dev-bake.sh DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
/work/venv/bin/cookiecutter --no-input -f -o "$dir" "$root" >/dev/null
if [ ! -x "$dir/venv/bin/python" ]; then
  uv venv -q "$dir/venv" -p 3.11
  VIRTUAL_ENV="$dir/venv" uv pip install -q -e "$dir/backtest-lab[dev]" pytest-asyncio aiosqlite
fi
echo "baked: $dir/backtest-lab  python: $dir/venv/bin/python"
