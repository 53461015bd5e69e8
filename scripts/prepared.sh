#!/usr/bin/env bash
# The action's first step: is the ebook-bot on this runner's PATH the action's own code (same
# sources, not just the same version) with the extras it needs? Writes ready=true|false to
# $GITHUB_OUTPUT and says why in the log. Environment: ACTION_PATH (the action's folder),
# EXTRAS (comma-separated extras), GITHUB_OUTPUT. Nothing here comes from the event.
set -euo pipefail
out="${GITHUB_OUTPUT:-/dev/null}"

install() {
    echo "installing ebook-bot: $1"
    echo "ready=false" >>"$out"
    exit 0
}

[[ "${EXTRAS:-}" =~ ^[a-z,]*$ ]] || { echo "::error::extras: letters and commas only"; exit 2; }
[[ "${ACTION_PATH:-}" == /* ]] || { echo "::error::ACTION_PATH: not an absolute path"; exit 2; }

bin="$(command -v ebook-bot)" || install "none on this runner"
# The interpreter behind the ebook-bot that later steps run (pip writes it as the shebang),
# so the check speaks for exactly that install.
IFS= read -r shebang <"$bin" || true
python="${shebang#\#!}"
[[ "$shebang" == "#!/"* && "$python" != *" "* && -x "$python" ]] \
    || install "$bin is not a script pip installed"

# -P and cd /: the workspace's own bot/ folder (this repository's checkout) must not be
# imported in place of the installed package.
if message="$(cd / && "$python" -P -m bot.buildinfo --matches "$ACTION_PATH/bot" --extras "$EXTRAS" 2>&1)"; then
    echo "::notice::${message##*$'\n'}"
    echo "ready=true" >>"$out"
else
    install "${message##*$'\n'}"
fi
