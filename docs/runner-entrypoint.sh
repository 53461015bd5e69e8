#!/usr/bin/env bash
# Register an ephemeral runner (one job, then exit), check its health, run it.
set -euo pipefail
: "${RUNNER_URL:?set RUNNER_URL to https://github.com/OWNER/REPO}"
: "${RUNNER_TOKEN:?set RUNNER_TOKEN to a runner registration token}"
cd /home/runner
./config.sh --unattended --ephemeral --replace \
    --url "$RUNNER_URL" --token "$RUNNER_TOKEN" \
    --name "ebook-gpu-$(hostname)" --labels "${RUNNER_LABELS:-gpu}" \
    --runnergroup "${RUNNER_GROUP:-Default}"  # a group restricted to the ebook workflow
# which bot this image holds: the action installs its own instead when the sources differ
echo "ebook-bot in this image: $(cat /home/runner/ebook-bot-buildinfo.json 2>/dev/null || echo unknown)"
ebook-bot doctor || echo "doctor reports problems (see above); jobs will say the same"
exec ./run.sh
