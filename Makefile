# The whole set-up of a fresh clone is these two targets.
#   make start   run the portal as production serves it (http://localhost:7007) and its local services
#   make test    install, type-check, lint, test every package, build, run the browser tests
# and, for people changing the frontend, the development server (also all the set-up):
#   make dev     the same, with the frontend's development server on http://localhost:3000
SHELL := /bin/bash

.PHONY: start dev test install clean

start:
	@scripts/start.sh

dev:
	@scripts/start.sh --dev

test:
	@scripts/test-all.sh

# Only the installs (Node 22, Debian packages, dependencies, helm); start and test run it themselves.
install:
	@scripts/install.sh

clean:
	rm -rf node_modules packages/*/dist plugins/*/dist test-results .run
