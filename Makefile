# kept: `make demo` runs the product, `make test` the whole suite. Both install what they need.
PREFIX ?= $(HOME)/.local

.PHONY: demo test build release clean

demo:
	scripts/demo

test:
	scripts/test

build:
	scripts/setup
	swift build

release:
	scripts/setup
	swift build -c release

clean:
	rm -rf .build
