#!/usr/bin/env bash
# Builds the Kafka Connect conformance harness (test/conformance/connect-harness) into
# target/connect-harness.jar with its dependencies in target/lib. The first build downloads
# connect-transforms/connect-json/connect-api from Maven Central; later builds are offline-fast and
# skipped entirely when the jar is newer than the sources.
set -euo pipefail
cd "$(dirname "$0")/../test/conformance/connect-harness"
jar=target/connect-harness.jar
if [[ -f "$jar" && -z "$(find pom.xml src -newer "$jar" -print -quit)" ]]; then
  exit 0
fi
mvn -q -B package
