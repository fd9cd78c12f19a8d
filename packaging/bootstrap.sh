#!/usr/bin/env bash
# Sets up Composer on Debian/Ubuntu (system packages when root, a virtual environment, the project)
# and then starts the app (`run`) or runs the whole test suite (`test`).
#   bash packaging/bootstrap.sh run [FILE]
#   bash packaging/bootstrap.sh test [PYTEST ARGS]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-run}"
shift || true

VENV="${COMPOSER_VENV:-$here/.venv}"
PYTHON="${PYTHON:-python3}"

# What the app needs from the system: FluidSynth, ALSA for rtmidi, Qt's xcb platform, fonts.
RUNTIME_PKGS="python3-venv libfluidsynth3 libasound2 fonts-dejavu-core libegl1 libgl1 libfontconfig1
  libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0"
# What the tests need on top: a virtual screen for the real window, JACK's dummy driver for real ports.
TEST_PKGS="xvfb xauth xdotool imagemagick jackd2"

missing_pkgs() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    echo "${missing[@]:-}"
}

install_system() {
    command -v dpkg-query >/dev/null 2>&1 || {
        echo "composer: not a Debian/Ubuntu system; install FluidSynth 2 and Python 3.10+ yourself (see README)."
        return 0
    }
    # shellcheck disable=SC2086
    local missing; missing="$(missing_pkgs $*)"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "composer: installing system packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # jackd2 asks about realtime priority; the preseed answers no.
        echo "jackd2 jackd/tweak_rt_limits boolean false" | debconf-set-selections 2>/dev/null || true
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "composer: installing system packages with sudo: $missing"
        sudo apt-get update -qq
        # shellcheck disable=SC2086
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "composer: please install these system packages first, then run this again:"
        echo "  sudo apt-get install $missing"
        exit 1
    fi
}

setup_venv() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the project's metadata changed since the last install.
    local stamp="$VENV/.composer-installed"
    local want; want="$extras $(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "composer: installing Python packages into $VENV (log: $VENV/install.log)"
        {
            "$VENV/bin/python" -m pip install --upgrade pip &&
            if [[ "$extras" == *train* ]]; then
                # The CPU build: a plain `torch` would pull several GB of CUDA packages.
                "$VENV/bin/python" -m pip install "torch==${COMPOSER_TORCH_VERSION:-2.13.0}"
            fi &&
            "$VENV/bin/python" -m pip install -e ".$extras"
        } > "$VENV/install.log" 2>&1 || {
            tail -n 30 "$VENV/install.log"
            echo "composer: installing Python packages failed (see $VENV/install.log)" >&2
            exit 1
        }
        echo "$want" > "$stamp"
    fi
}

private_runtime_dir() {
    if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "${XDG_RUNTIME_DIR}" ]; then
        XDG_RUNTIME_DIR="$(mktemp -d /tmp/composer-runtime.XXXXXX)"
        chmod 700 "$XDG_RUNTIME_DIR"
        export XDG_RUNTIME_DIR
        trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT  # gone at exit: the app and the tests run as children (no exec)
    fi
}

case "$mode" in
    run)
        # shellcheck disable=SC2086
        install_system $RUNTIME_PKGS
        setup_venv ""
        private_runtime_dir
        "$VENV/bin/composer" "$@"
        ;;
    test)
        # shellcheck disable=SC2086
        install_system $RUNTIME_PKGS $TEST_PKGS
        # The whole suite includes the tiny training runs, so the train extra comes too
        # (COMPOSER_NO_TRAIN=1 skips it; those tests then skip themselves).
        if [ -n "${COMPOSER_NO_TRAIN:-}" ]; then setup_venv "[test]"; else setup_venv "[test,train]"; fi
        private_runtime_dir
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        echo "== import contracts"; "$VENV/bin/lint-imports"
        echo "== lint"; "$VENV/bin/ruff" check composer_app tests
        echo "== tests"; "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: bash packaging/bootstrap.sh run [FILE] | test [PYTEST ARGS]" >&2
        exit 2
        ;;
esac
