#!/bin/bash
# The test command (`make test`, and what CI runs): installs what the tests need (only what is
# missing), starts a throw-away PostgreSQL cluster on 127.0.0.1 unless SRIOV_AUDIT_TEST_PG names a
# server, runs every XCTest suite, and ends with the number of tests that really ran. Parts that
# could not run here (no root, no KVM kernel, no PostgreSQL) print SKIPPED and are listed at the end.
# Extra arguments go to `swift test` (e.g. --filter StoreTests).
set -uo pipefail
cd "$(dirname "$0")/.."

# The C libraries first (the build needs them); the rest (QEMU, a kernel, Chromium, PostgreSQL,
# lintian...) is installed while the tests compile.
deploy/debian/install-deps.sh build || exit 1
deps_log=$(mktemp /tmp/sriov-audit-deps.XXXXXX.log)
if [ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null || sudo -n true 2>/dev/null; then
  deploy/debian/install-deps.sh test >"$deps_log" 2>&1 &
  deps_pid=$!
else
  # sudo will ask for a password: not from the background.
  deploy/debian/install-deps.sh test 2>&1 | tee "$deps_log"
  [ "${PIPESTATUS[0]}" = 0 ] || exit 1
  : >"$deps_log"
  true & deps_pid=$!
fi

log=$(mktemp /tmp/sriov-audit-test.XXXXXX.log)
echo "== swift build --build-tests"
swift build --build-tests 2>&1 | tee "$log" | grep -E "error:|warning: you may be able|Build complete" || true
build_status=${PIPESTATUS[0]}
wait "$deps_pid"
deps_status=$?
cat "$deps_log"
[ "$deps_status" = 0 ] || { echo "sriov-audit tests: what the tests need could not be installed (above)"; exit 1; }
[ "$build_status" = 0 ] || { echo "sriov-audit tests: the build failed (log: $log)"; exit 1; }

if [ -z "${SRIOV_AUDIT_TEST_PG:-}" ]; then
  pgdir=$(mktemp -d /tmp/sriov-audit-pg.XXXXXX)
  trap 'Tests/Postgres/cluster.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
  for port in 54329 54339 54349; do
    if url=$(Tests/Postgres/cluster.sh start "$pgdir" "$port"); then
      export SRIOV_AUDIT_TEST_PG=$url
      echo "== throw-away PostgreSQL cluster in $pgdir: $url"
      break
    fi
  done
  [ -n "${SRIOV_AUDIT_TEST_PG:-}" ] || echo "SKIPPED: PostgreSQL: the throw-away cluster did not start; the store tests run on SQLite only"
else
  echo "== using the PostgreSQL server SRIOV_AUDIT_TEST_PG names"
fi

echo "== the man page and completions against what the tool generates"
if ! deploy/generate-docs.sh --check >"$log.docs" 2>&1; then
  tail -25 "$log.docs"
  echo "sriov-audit tests: deploy/man or deploy/completions is not what the tool generates: run make docs"
  exit 1
fi
tail -1 "$log.docs"

# The package test installs the real .deb (release build, Swift runtime linked statically) into a
# debootstrapped root. SRIOV_AUDIT_DEB=PATH uses a package already built; SRIOV_AUDIT_DEB=none skips it.
if [ -z "${SRIOV_AUDIT_DEB:-}" ]; then
  echo "== make deb (for the package test)"
  if ! SRIOV_AUDIT_DEB=$(deploy/debian/build-deb.sh 2>"$log.deb" | tail -1) || [ ! -f "$SRIOV_AUDIT_DEB" ]; then
    tail -30 "$log.deb"
    echo "sriov-audit tests: the .deb did not build (log: $log.deb)"
    exit 1
  fi
  echo "   $SRIOV_AUDIT_DEB"
fi
[ "${SRIOV_AUDIT_DEB:-}" = none ] && SRIOV_AUDIT_DEB=
export SRIOV_AUDIT_DEB

echo "== swift test"
# XCTest only: with Swift Testing's runner enabled the last line would be its "0 tests" summary.
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}

# XCTest's last "Executed" line is the whole run's (e.g. "Executed 190 tests, with 3 tests skipped and
# 0 failures (0 unexpected) in 412.1 seconds").
summary=$(grep -E "Executed [0-9]+ tests?, with" "$log" | tail -1)
ran=$(sed -nE 's/.*Executed ([0-9]+) tests?, with.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.* ([0-9]+) failures?.*/\1/p' <<<"$summary")
xcskipped=$(sed -nE 's/.*with ([0-9]+) tests? skipped.*/\1/p' <<<"$summary")
skipped=$(grep -hoE "SKIPPED: [^(]*" "$log" | sed -E 's/[[:space:]:]+$//' | sort -u)
if [ -n "$skipped" ]; then
  echo "== parts that could not run here"
  echo "$skipped"
fi
verdict=passed
[ "$status" = 0 ] || verdict=FAILED
echo "sriov-audit tests: ${ran:-no} tests ran (${xcskipped:-0} of them skipped), ${failed:-?} failed; $(grep -c . <<<"$skipped") part(s) SKIPPED — $verdict (log: $log)"
exit "$status"
