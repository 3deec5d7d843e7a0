# Sourced by the other scripts: makes "$UV" a working uv, installing it from PyPI when missing.
if command -v uv >/dev/null 2>&1; then
  UV="uv"
elif python3 -m uv --version >/dev/null 2>&1; then
  UV="python3 -m uv"
else
  echo "==> installing uv (python3 -m pip install uv)"
  python3 -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --user uv
  UV="python3 -m uv"
fi
export UV_PYTHON_DOWNLOADS=never  # use the machine's Python; there is no internet beyond registries
# Some machines set PYTHONDONTWRITEBYTECODE=1: every process (each `livehouse` command, each
# server a test starts) would then compile SQLAlchemy, FastAPI and Alembic from source again,
# 3.8 s instead of 1.4 s to import the app. Let Python cache bytecode as it normally does.
unset PYTHONDONTWRITEBYTECODE
