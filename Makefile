# The two commands of a fresh Debian 12 machine with Swift (README, first lines):
#   make audit   install the missing C libraries, build, collect + store + audit this host
#   make test    install what the tests need, start a throw-away PostgreSQL, run every test
# and the packaging ones:
#   make deb     sriov-audit_VERSION_amd64.deb (release build, Swift runtime linked statically)
#   make docs    regenerate the man page and the shell completions from the argument parser
SWIFT ?= swift
ARGS ?=

.PHONY: audit test deb docs bench

audit:
	@deploy/debian/install-deps.sh build
	$(SWIFT) build -c release --product sriov-audit
	@[ "$$(id -u)" = 0 ] || echo "note: not root: config space (SR-IOV/ACS capabilities) and some sysfs files are unreadable; run 'sudo make audit' for the whole picture" >&2
	.build/release/sriov-audit audit $(ARGS)

test:
	@Tests/run-tests.sh $(ARGS)

deb:
	@deploy/debian/build-deb.sh

docs:
	@deploy/generate-docs.sh

bench:
	python3 Tests/Benchmarks/collect_benchmark.py
