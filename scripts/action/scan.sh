#!/usr/bin/env bash
# The action's scan: flags from the inputs (read from the environment, so that no input can become shell code), the
# exit code and paths as step outputs, summary.md on the job summary. It exits 0: the gate is a later step, so that
# the summary and the uploads happen whatever the verdict.
set -euo pipefail
out="${HSM_AUDIT_OUT:-hsm-audit-results}"
# The output folder exists before the scan, so that --snapshot-out can name a file inside it.
mkdir -p "$out"
args=(scan --out "$out" --fail-on "${HSM_AUDIT_FAIL_ON:-low}")
[ -n "${HSM_AUDIT_FORMATS:-}" ] && args+=(--format "$HSM_AUDIT_FORMATS")
[ -n "${HSM_AUDIT_SUBSCRIPTIONS:-}" ] && args+=(--subscription "$HSM_AUDIT_SUBSCRIPTIONS")
[ -n "${HSM_AUDIT_PERIOD:-}" ] && args+=(--period "$HSM_AUDIT_PERIOD")
[ -n "${HSM_AUDIT_CONFIG:-}" ] && args+=(--config "$HSM_AUDIT_CONFIG")
[ -n "${HSM_AUDIT_WAIVERS:-}" ] && args+=(--waivers "$HSM_AUDIT_WAIVERS")
if [ -n "${HSM_AUDIT_EXTRA_ARGS:-}" ]; then
  # Split on white space only: no globbing, no expansion of what the input says.
  read -r -a extra <<<"$HSM_AUDIT_EXTRA_ARGS"
  args+=("${extra[@]}")
fi
if [ -n "${HSM_AUDIT_CREDENTIAL:-}" ]; then export AZURE_TOKEN_CREDENTIALS="$HSM_AUDIT_CREDENTIAL"; fi

set +e
node "${GITHUB_ACTION_PATH:?}/bin/hsm-audit.js" "${args[@]}"
code=$?
set -e
{
  echo "exit-code=$code"
  echo "out=$out"
  if [ -f "$out/result.json" ]; then echo "result=$out/result.json"; fi
  if [ -f "$out/results.sarif" ]; then echo "sarif=$out/results.sarif"; fi
} >>"${GITHUB_OUTPUT:?}"
if [ -f "$out/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
exit 0
