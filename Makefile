# The whole set-up of a fresh clone is these two targets.
#   make start   run the portal (http://localhost:3000) and its local services
#   make test    install, type-check, lint, test every package, build, run the browser tests
SHELL := /bin/bash

.PHONY: start test install clean

start:
	@scripts/start.sh

test:
	@scripts/test-all.sh

# Only the installs (Node 22, Debian packages, dependencies, helm); start and test run it themselves.
install:
	@scripts/install.sh

clean:
	rm -rf node_modules packages/*/dist plugins/*/dist test-results .run
