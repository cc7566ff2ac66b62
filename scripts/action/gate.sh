#!/usr/bin/env bash
# The action's last step: the job fails with hsm-audit's exit code, each said in words.
set -u
code="${HSM_AUDIT_EXIT_CODE:-}"
case "$code" in
  0) echo "hsm-audit: compliant." ;;
  1) echo "::error::hsm-audit: an HSM fails a policy at or above fail-on (exit code 1)." ;;
  2) echo "::error::hsm-audit: usage, configuration or sign-in error (exit code 2): see the Scan step." ;;
  3) echo "::error::hsm-audit: compliance not proven: evidence missing or manual review needed (exit code 3)." ;;
  *) echo "::error::hsm-audit did not finish (exit code '${code:-none}')." ; code=1 ;;
esac
exit "$code"
