#!/bin/bash
# Installs the Debian 12 packages (and Python tools) sriov-audit needs, and only those missing:
#   install-deps.sh build    the C libraries the build links (libpci, libcurl, SQLite, zlib) and pci.ids
#   install-deps.sh test     build + what the tests drive: lspci/ip/ethtool/strace, PostgreSQL, QEMU and a
#                            kernel for the VM test, debootstrap/lintian/dpkg-dev for the package test,
#                            promtool, Chromium and the Python report consumers
#   install-deps.sh deb      build + what building the .deb needs (dpkg-dev for dpkg-shlibdeps)
# As root it installs; a user goes through sudo; without either it prints the command and exits 1.
# Set SRIOV_AUDIT_DEPS_CHECK_ONLY=1 to only print what is missing (exit 1 if anything is).
set -euo pipefail
mode=${1:-build}

build=(libpci-dev pci.ids libcurl4-openssl-dev libsqlite3-dev zlib1g-dev)
deb=(dpkg-dev fakeroot)
test=(pciutils sqlite3 iproute2 iputils-ping ethtool strace ca-certificates openssl curl gzip
      systemd debootstrap zstd lintian dpkg-dev fakeroot
      prometheus chromium fonts-dejavu-core
      postgresql postgresql-client
      qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils
      linux-headers-amd64 linux-source-6.1 make gcc libc6-dev)
# Python modules the tests import or run, as `module:pip-name`.
python=(ansible:ansible openapi_spec_validator:openapi-spec-validator jsonschema:jsonschema yaml:pyyaml
        junitparser:junitparser sarif:sarif-tools)

case "$mode" in
build) wanted=("${build[@]}"); modules=() ;;
deb) wanted=("${build[@]}" "${deb[@]}"); modules=() ;;
test) wanted=("${build[@]}" "${test[@]}"); modules=("${python[@]}") ;;
*) echo "usage: install-deps.sh build|test|deb" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
missing_py=()
for entry in "${modules[@]}"; do
  python3 -c "import ${entry%%:*}" 2>/dev/null || missing_py+=("${entry#*:}")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_py[@]} -eq 0 ]; then
  echo "install-deps: everything the $mode needs is installed"
  exit 0
fi

apt_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
pip_line="python3 -m pip install ${missing_py[*]}"
# Root installs; a user installs through sudo when it needs no password or can ask for one at a
# terminal; anyone else is told the command.
sudo=() can_install=yes
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then sudo=(sudo); else can_install=no; fi
fi
if [ -n "${SRIOV_AUDIT_DEPS_CHECK_ONLY:-}" ] || [ "$can_install" = no ]; then
  echo "install-deps: the $mode needs what is not installed yet; run as root:" >&2
  [ ${#missing[@]} -eq 0 ] || echo "  $apt_line" >&2
  [ ${#missing_py[@]} -eq 0 ] || echo "  $pip_line" >&2
  exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # The VM test's kernel and QEMU are optional: without them it says SKIPPED, so a mirror without
  # them does not stop the rest from being installed.
  optional=" qemu-system-x86 linux-image-amd64 busybox-static linux-headers-amd64 linux-source-6.1 "
  required=() optional_missing=()
  for package in "${missing[@]}"; do
    if [[ "$optional" == *" $package "* ]]; then optional_missing+=("$package"); else required+=("$package"); fi
  done
  [ ${#required[@]} -eq 0 ] || "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${required[@]}" >/dev/null
  if [ ${#optional_missing[@]} -gt 0 ] && ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${optional_missing[@]}" >/dev/null; then
    echo "WARNING: ${optional_missing[*]} could not be installed: the VM test will say SKIPPED" >&2
  fi
fi
if [ ${#missing_py[@]} -gt 0 ]; then
  echo "install-deps: installing Python modules ${missing_py[*]}"
  "${sudo[@]}" python3 -m pip install -q --disable-pip-version-check "${missing_py[@]}"
fi
