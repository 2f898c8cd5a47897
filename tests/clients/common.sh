# shellcheck shell=bash
# Shared by the scripts in tests/clients: a Python venv with pinned PyPI packages, made on first
# use under a lock (parallel tests share it). Sourced, not run.
#   XMINDCONV_TC_VENV   the venv (default /tmp/xmindconv-tc-venv)
# Exit codes of the scripts: 0 done, 1 the tool rejected the input, 2 setup failure (python3
# or PyPI missing), 64 usage.
set -uo pipefail
TC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TC_VENV="${XMINDCONV_TC_VENV:-/tmp/xmindconv-tc-venv}"
TC_LOG="${TC_VENV}.log"
# Pinned: xmind2testcase 1.5.0 and the XMind SDK it reads maps with (its other requirements,
# flask and arrow, serve only its web tool, which is not used: installed without dependencies);
# openpyxl and its one dependency.
TC_PINS=(xmind2testcase==1.5.0 XMind==1.2.0 openpyxl==3.1.5 et-xmlfile==2.0.0)

_tc_install() {
  local want; want="$(printf '%s\n' "${TC_PINS[@]}" | sha256sum | cut -c1-16)"
  [ -f "$TC_VENV/.pins" ] && [ "$(cat "$TC_VENV/.pins")" = "$want" ] && return 0
  rm -rf "$TC_VENV"
  # Debian's python3 has no ensurepip without the python3-venv package.
  if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends python3-venv; } \
      >>"$TC_LOG" 2>&1 || return 1
  fi
  python3 -m venv "$TC_VENV" >>"$TC_LOG" 2>&1 || return 1
  "$TC_VENV/bin/pip" install -q --no-deps "${TC_PINS[@]}" >>"$TC_LOG" 2>&1 || return 1
  echo "$want" >"$TC_VENV/.pins"
}

tc_venv() {
  command -v python3 >/dev/null || { echo "$PROG: python3 is missing" >&2; exit 2; }
  local want; want="$(printf '%s\n' "${TC_PINS[@]}" | sha256sum | cut -c1-16)"
  if ! { [ -f "$TC_VENV/.pins" ] && [ "$(cat "$TC_VENV/.pins")" = "$want" ]; }; then
    ( flock -w 1800 9 || exit 99; _tc_install ) 9>"${TC_VENV}.lock" || {
      echo "$PROG: could not install ${TC_PINS[*]} into $TC_VENV (see $TC_LOG)" >&2
      tail -n 20 "$TC_LOG" >&2 2>/dev/null
      exit 2
    }
  fi
}
