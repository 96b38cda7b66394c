#!/usr/bin/env bash
# Pre-builds what the interop tests (test/interop/) need, so CI can do it once up front:
#   java    the AWS Glue Schema Registry serde harness (Maven, Java 17) in test/interop/glue-java/target
#   python  the venv with confluent-kafka's AvroDeserializer in .stack/interop-venv
# No argument builds both. Re-running is cheap: each part is skipped while its inputs are unchanged.
# Usage: scripts/prepare-interop.sh [java|python]...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="$ROOT/test/interop/glue-java"
REQUIREMENTS="$ROOT/test/interop/requirements.txt"
VENV="${INTEROP_VENV:-$ROOT/.stack/interop-venv}"

prepare_java() {
  local classpath="$HARNESS/target/classpath.txt"
  if [[ -f "$classpath" && -z "$(find "$HARNESS/pom.xml" "$HARNESS/src" -newer "$classpath" -print -quit)" ]]; then
    echo "interop: Java harness up to date ($HARNESS/target)"
    return
  fi
  command -v java >/dev/null || { echo "interop: java (17+) is not on PATH" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "interop: mvn (Maven) is not on PATH" >&2; exit 1; }
  echo "interop: building the Java harness with Maven (first run downloads software.amazon.glue:schema-registry-serde)"
  mvn -q -B -f "$HARNESS/pom.xml" package
  touch "$classpath"
}

prepare_python() {
  local stamp="$VENV/.requirements.sha256"
  local wanted
  wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "interop: Python venv up to date ($VENV)"
    return
  fi
  command -v python3 >/dev/null || { echo "interop: python3 is not on PATH" >&2; exit 1; }
  echo "interop: creating $VENV from $REQUIREMENTS"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$wanted" > "$stamp"
}

parts=("$@")
[[ ${#parts[@]} -eq 0 ]] && parts=(java python)
for part in "${parts[@]}"; do
  case "$part" in
    java) prepare_java ;;
    python) prepare_python ;;
    *) echo "usage: $0 [java|python]..." >&2; exit 2 ;;
  esac
done
