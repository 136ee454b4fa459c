# kept: `make demo` runs the product, `make test` the whole suite. Both install what they need.
PREFIX ?= $(HOME)/.local

.PHONY: demo test deb reliability fuzz bench picture build release install uninstall clean

demo:
	scripts/demo

test:
	scripts/test

# dist/kept_VERSION_ARCH.deb and the same tree as dist/kept-VERSION-ARCH.tar.gz: kept and keptd with
# the Swift runtime and Foundation linked in. The version is Sources/KeptCore/Version.swift's.
deb:
	scripts/setup package
	scripts/package

# Crashes, restarts, clocks, hostile clients, full disks, broken files: the figures, then 5 minutes of fuzzing.
reliability:
	scripts/reliability

# libFuzzer over the request path, the date parser and the answer reader; SECONDS=3600 for an hour.
fuzz:
	scripts/setup
	scripts/fuzz $(or $(SECONDS),300)

# kept beside taskwarrior, remind and calcurse (and the calendar beside caldav on Radicale and
# Xandikos); writes docs/benchmarks.md (about 20 minutes).
bench:
	scripts/bench

# docs/report.png, the README's picture of `kept report --format html`, from a demonstration store.
picture:
	scripts/picture

build:
	scripts/setup build
	swift build

release:
	scripts/setup build
	swift build -c release

# Binaries to $(PREFIX)/bin, user units to ~/.config/systemd/user; then
#   systemctl --user enable --now keptd.socket
install:
	PREFIX=$(PREFIX) scripts/install

uninstall:
	-systemctl --user disable --now keptd.socket keptd.service
	rm -f $(PREFIX)/bin/kept $(PREFIX)/bin/keptd
	rm -f $(PREFIX)/share/man/man1/kept.1 $(PREFIX)/share/man/man1/kept.*.1 $(PREFIX)/share/man/man1/keptd.1
	rm -f $${XDG_CONFIG_HOME:-$$HOME/.config}/systemd/user/keptd.service $${XDG_CONFIG_HOME:-$$HOME/.config}/systemd/user/keptd.socket
	-systemctl --user daemon-reload

clean:
	rm -rf .build dist
