#!/usr/bin/env bash
# The project's single entry point.
#   bash dev.sh app    set up .venv and run the dashboard (serve.py: app.py behind the server guard) on the bundled sample
#   bash dev.sh test   set up .venv plus test extras (Chromium, CJK fonts, a JDK, LibreOffice) and run lint + the whole test suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
VENV=.venv

find_python() {
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required (python3.11 not found on PATH)." >&2
  return 1
}

setup_venv() {
  local requirements=$1
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  # Reinstall only when the requirement files change.
  local stamp="$VENV/.installed-$(basename "$requirements")"
  local digest
  digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$digest" > "$stamp"
  fi
}

install_test_extras() {
  # Debian's Chromium and CJK fonts for the browser tests, a JDK for the Spark tests, LibreOffice and
  # poppler for the deck renders; skipped when present or when we cannot install.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  # LibreOffice Impress and poppler's pdftoppm draw the decks to images (tests/test_export_language.py).
  command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || missing+=(libreoffice-impress)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "note: ${missing[*]} missing and no root: browser or Spark tests will be skipped." >&2; return 0
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (Debian packages) for the browser and Spark tests..."
    $sudo apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
      echo "note: could not install ${missing[*]}: browser or Spark tests will be skipped." >&2
  else
    echo "note: no apt-get: install ${missing[*]} yourself to run the browser tests." >&2
  fi
}

case "${1:-}" in
  app)
    setup_venv requirements.txt
    exec "$VENV/bin/python" -m streamlit run serve.py --server.port 8501 --browser.gatherUsageStats false
    ;;
  test)
    setup_venv requirements-test.txt
    install_test_extras
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    shift
    # Two pytest-xdist workers (one per core here; at most four): the browser flows stay on one worker, the
    # Spark tests on one JVM (tests/conftest.py). One OpenMP / BLAS thread per worker: with two workers each
    # spinning two OpenMP threads the model tests ran 20x slower.
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
      exec "$VENV/bin/python" -m pytest -n auto --maxprocesses=4 --dist loadgroup "$@"
    ;;
  bench)
    setup_venv requirements-test.txt
    shift
    exec "$VENV/bin/python" -m benchmarks.run "$@"
    ;;
  *)
    echo "usage: bash dev.sh app|test|bench" >&2
    exit 2
    ;;
esac
