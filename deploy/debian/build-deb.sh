#!/bin/bash
# Builds .build/debian/sriov-audit_VERSION_amd64.deb (`make deb`): a release build with the Swift
# runtime linked statically, so the package needs only Debian's own libraries (dpkg-shlibdeps
# names them: libc6, libpci3, libsqlite3-0, zlib1g, libstdc++6, libgcc-s1), libcurl4 (loaded on
# the first push) and pci.ids.
# Contents: the binary, the default rules and their schema under /usr/share/sriov-audit/rules/, the
# systemd units and sysusers file, the man page and bash/zsh/fish completions (deploy/man and
# deploy/completions, generated from the argument parser by `make docs`), README and copyright.
# usage: build-deb.sh [OUTDIR]        prints the path of the .deb on its last line
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.build/debian}
deploy/debian/install-deps.sh deb >&2

version=$(sed -nE 's/.*public static let current = "([^"]+)".*/\1/p' Sources/Inventory/HostSnapshot.swift)
[ -n "$version" ] || { echo "build-deb: no version in Sources/Inventory/HostSnapshot.swift" >&2; exit 1; }
arch=$(dpkg --print-architecture)

stage=$(mktemp -d /tmp/sriov-audit-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT

echo "== release build of sriov-audit $version, Swift runtime linked statically" >&2
# libcurl is loaded with dlopen on the first push (Sources/CCurl): the package build reads its
# headers through a libcurl.pc without its Libs line, so the binary does not load libcurl and its
# TLS, Kerberos and LDAP libraries (~5 MB) on every run.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
mkdir -p "$stage/pkgconfig"
sed '/^Libs/d' "/usr/lib/$multiarch/pkgconfig/libcurl.pc" >"$stage/pkgconfig/libcurl.pc"
export PKG_CONFIG_PATH=$stage/pkgconfig
# -static-stdlib makes swiftc export every symbol of the executable (-export-dynamic); nothing
# looks them up, and not exporting them saves the loader 50,000 symbols and ~2 MB of memory.
# -z now: every symbol bound at start, so the GOT can be read-only (Debian's hardening).
flags=(-c release --static-swift-stdlib -Xlinker --no-export-dynamic -Xlinker -z -Xlinker now)
swift build "${flags[@]}" --product sriov-audit >&2
binary=$(swift build "${flags[@]}" --show-bin-path)/sriov-audit
if ldd "$binary" | grep -E "libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libcurl" >&2; then
  echo "build-deb: the binary still needs the Swift runtime's shared libraries or libcurl (above)" >&2
  exit 1
fi
if nm -D --undefined-only "$binary" | grep -w -E "curl_[a-z_]+" >&2; then
  echo "build-deb: the binary calls libcurl directly (above): it would not start without it" >&2
  exit 1
fi
root=$stage/sriov-audit_${version}_$arch
doc=$root/usr/share/doc/sriov-audit
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/sriov-audit/rules" "$doc" \
  "$root/usr/share/man/man1" "$root/lib/systemd/system" "$root/usr/lib/sysusers.d" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/lintian/overrides"
install -m 0755 "$binary" "$root/usr/bin/sriov-audit"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/sriov-audit"
install -m 0644 rules/default.yaml rules/rules.schema.json "$root/usr/share/sriov-audit/rules/"
install -m 0644 deploy/systemd/*.service deploy/systemd/*.timer "$root/lib/systemd/system/"
install -m 0644 deploy/systemd/sriov-audit.sysusers "$root/usr/lib/sysusers.d/sriov-audit.conf"
gzip -9n <deploy/man/sriov-audit.1 >"$root/usr/share/man/man1/sriov-audit.1.gz"
# bash-completion sources the file: the generator's #! line is dropped.
sed '1{/^#!/d}' deploy/completions/sriov-audit.bash >"$root/usr/share/bash-completion/completions/sriov-audit"
install -m 0644 deploy/completions/sriov-audit.zsh "$root/usr/share/zsh/vendor-completions/_sriov-audit"
install -m 0644 deploy/completions/sriov-audit.fish "$root/usr/share/fish/vendor_completions.d/sriov-audit.fish"
install -m 0644 README.md "$doc/README.md"
install -m 0644 deploy/debian/copyright "$doc/copyright"
install -m 0644 deploy/debian/lintian-overrides "$root/usr/share/lintian/overrides/sriov-audit"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")/" \
  deploy/debian/changelog.in | gzip -9n >"$doc/changelog.gz"   # a native package: changelog, not changelog.Debian

# Depends from the libraries the binary really links (and pci.ids, which libpci reads at run time).
mkdir -p "$stage/shlibs/debian"
printf 'Source: sriov-audit\n\nPackage: sriov-audit\nArchitecture: any\n' >"$stage/shlibs/debian/control"
depends=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/sriov-audit" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends, libcurl4, pci.ids/" -e "s/@SIZE@/$size/" \
  deploy/debian/control.in >"$root/DEBIAN/control"
install -m 0755 deploy/debian/postinst "$root/DEBIAN/postinst"
(cd "$root" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)

mkdir -p "$out"
deb=$out/sriov-audit_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
