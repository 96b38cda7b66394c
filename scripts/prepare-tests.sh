#!/usr/bin/env bash
# Everything the tests need beyond npm and the local stack, so that `npm test` passes on a fresh machine:
# the Kafka Connect conformance harness and the Glue serde interop harness (Maven), the confluent-kafka
# venv and the template linters (PyPI), PostgreSQL and Chromium (Debian packages, apt). Each step is
# idempotent and takes a moment once done; .ci/run calls them one by one first, to time them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-connect-harness.sh
bash scripts/prepare-interop.sh
bash scripts/install-postgres.sh
bash scripts/install-chromium.sh
bash scripts/lint-deploy.sh --install-only
