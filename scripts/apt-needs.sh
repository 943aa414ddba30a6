# Sourced by install.sh and test.sh: apt_needs REQUIRED|OPTIONAL PKG... installs the Debian
# packages that are missing when run as root (or with password-less sudo), else says in one
# line what to run. A REQUIRED package that stays missing fails the script.
apt_needs() {
  local kind=$1; shift
  local need=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
  if [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; then
    echo "apt-get install ${need[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      && return 0
    echo "could not install ${need[*]} with apt-get" >&2
  fi
  if [ "$kind" = REQUIRED ]; then
    echo "please run: sudo apt-get install ${need[*]}  (the tests need them)" >&2
    return 1
  fi
  echo "please run: sudo apt-get install ${need[*]}  (Hearth works without them, minus audio devices / the espeak fallback)" >&2
}
