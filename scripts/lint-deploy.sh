#!/usr/bin/env bash
# Lints the deployment template with cfn-lint (CloudFormation/SAM correctness) and checkov (security).
# Both come from PyPI at pinned versions into one venv under .stack/ (STACK_HOME), created on first
# run and reused afterwards; a version bump below rebuilds it. Exits non-zero on any finding.
# Accepted checkov findings are suppressed inside deploy/template.yaml, each with its reason.
#   bash scripts/lint-deploy.sh [template]     lint (the template in deploy/ by default)
#   bash scripts/lint-deploy.sh --install-only create the venv if needed, lint nothing
set -euo pipefail

install_only=false
if [[ "${1:-}" == "--install-only" ]]; then
  install_only=true
  shift
fi

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30

repo="$(cd "$(dirname "$0")/.." && pwd)"
template="${1:-$repo/deploy/template.yaml}"
venv="${STACK_HOME:-$repo/.stack}/deploy-venv"
wanted="cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION"
marker="$venv/.installed"

if [[ ! -f "$template" ]]; then
  echo "lint-deploy: template not found: $template" >&2
  exit 2
fi

install_venv() {
  local python
  python="$(command -v python3 || true)"
  if [[ -z "$python" ]]; then
    echo "lint-deploy: python3 is required (apt-get install python3 python3-venv)" >&2
    exit 2
  fi
  echo "lint-deploy: creating $venv with $wanted from PyPI (first run only; takes a few minutes)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  if [[ ! -x "$venv/bin/pip" ]]; then
    echo "lint-deploy: the venv has no pip; install python3-venv (apt-get install python3-venv)" >&2
    exit 2
  fi
  # shellcheck disable=SC2086 # $wanted is two requirement specifiers on purpose
  "$venv/bin/pip" install --quiet --disable-pip-version-check $wanted
  printf '%s\n' "$wanted" >"$marker"
}

mkdir -p "$(dirname "$venv")"
# Parallel runs (a developer's test and CI, say) must not build the same venv at once.
exec 9>"$venv.lock"
flock 9
if [[ ! -f "$marker" || "$(cat "$marker")" != "$wanted" ]]; then
  install_venv
fi
flock -u 9
if $install_only; then
  echo "lint-deploy: $wanted ready in $venv"
  exit 0
fi

status=0

echo "== cfn-lint $CFN_LINT_VERSION: $template"
if "$venv/bin/cfn-lint" --format parseable -- "$template"; then
  echo "cfn-lint: no findings"
else
  status=1
fi

# checkov drops resources whose Condition is false under the parameter defaults, so the template alone
# would leave the SQS and EventBridge paths, MSK IAM, auto-registration, the SES configuration set and the
# service-events topic unchecked. It also
# reads copies whose defaults switch each of them on; findings name the copy they came from.
variants="$(mktemp -d)"
trap 'rm -rf "$variants"' EXIT
"$venv/bin/python" - "$template" "$variants" <<'PY'
import json, sys
from cfnlint.decode import decode

template_path, out_dir = sys.argv[1], sys.argv[2]
template, problems = decode(template_path)
if problems:
    sys.exit(f"lint-deploy: cannot read {template_path}: {problems[0]}")
everything_on = {
    "MskClusterArn": "arn:aws:kafka:us-east-1:123456789012:cluster/example/0a1b2c3d-4e5f-6789-abcd-ef0123456789-1",
    "SchemaAutoRegister": "true",
    "CreateSesConfigurationSet": "true",
    "MetadataKeyStrategy": "gsi",
    "MetadataGsiName": "by-message-id",
    "ServiceEventsTopic": "ses-service-events",
}
parameters = template.get("Parameters", {})
# Another template (the test's deliberately bad one, say) has none of these switches: lint it as it is.
modes = ("sns", "sqs", "eventbridge", "eventbridge-sqs") if "TriggerMode" in parameters else ()
for mode in modes:
    for name, value in {**everything_on, "TriggerMode": mode}.items():
        if name not in parameters:
            sys.exit(f"lint-deploy: the template has no parameter {name}; update this script")
        parameters[name]["Default"] = value
    with open(f"{out_dir}/template.{mode}-all-options.json", "w") as out:
        json.dump(template, out)
PY

mapfile -t copies < <(find "$variants" -name 'template.*.json' | sort)

echo "== checkov $CHECKOV_VERSION: $template, and copies with every option on (each trigger mode)"
# --framework cloudformation also expands the SAM transform's serverless resources.
if "$venv/bin/checkov" --quiet --compact --skip-download --framework cloudformation \
  --file "$template" "${copies[@]}"; then
  echo "checkov: no failed checks"
else
  status=1
fi

exit "$status"
