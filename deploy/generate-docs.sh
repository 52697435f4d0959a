#!/bin/bash
# `make docs`: the man page (swift-argument-parser's generate-manual plugin) and the bash, zsh and
# fish completions (`--generate-completion-script`), written to deploy/man and deploy/completions.
# They are committed so the .deb and a reader of the tree have them; CLITests.DocsSyncTests fails
# when the commands or options change and these files were not regenerated, and `--check` (run by
# `make test`) regenerates them aside and fails on any difference, byte for byte.
# usage: generate-docs.sh [--check]
set -euo pipefail
check=${1:-}
cd "$(dirname "$0")/.."
# The page's date is the version's, not today's, so regenerating an unchanged tool changes nothing.
date=2026-12-02
swift build --product sriov-audit
swift package plugin generate-manual --configuration debug --date "$date" --section 1 \
  --authors "the sriov-audit developers" >/dev/null
page=$(find .build/plugins -path "*GenerateManual*" -name sriov-audit.1 | head -1)
[ -n "$page" ] || { echo "generate-docs: the plugin wrote no sriov-audit.1" >&2; exit 1; }
bin=$(swift build --show-bin-path)/sriov-audit
if [ "$check" = --check ]; then
  stale=0
  cmp -s "$page" deploy/man/sriov-audit.1 || { diff -u deploy/man/sriov-audit.1 "$page" | head -20; stale=1; }
  for shell in bash zsh fish; do
    "$bin" --generate-completion-script "$shell" | cmp -s - "deploy/completions/sriov-audit.$shell" || stale=1
  done
  [ $stale = 0 ] || { echo "generate-docs: deploy/man or deploy/completions is stale: run make docs" >&2; exit 1; }
  echo "generate-docs: deploy/man/sriov-audit.1 and the completions are what the tool generates"
  exit 0
fi
mkdir -p deploy/man deploy/completions
cp "$page" deploy/man/sriov-audit.1
for shell in bash zsh fish; do
  "$bin" --generate-completion-script "$shell" >"deploy/completions/sriov-audit.$shell"
done
echo "generate-docs: deploy/man/sriov-audit.1 and deploy/completions/sriov-audit.{bash,zsh,fish} written"
