"""`ebook-bot doctor`: one health check per component, each ok, warn or fail with a reason.

Like a health endpoint: exit 0 when nothing failed, 1 when anything did. `--json` has a
stable shape: {"version", "timestamp", "checks": {name: {"status", "detail"}}}.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot import __version__
from bot.errors import BotError

if TYPE_CHECKING:
    from bot.runtime import Runtime

Status = Literal["ok", "warn", "fail"]
CHECKS = ("settings", "github", "database", "gpu", "model", "storage", "drive")
MIN_FREE_BYTES = 200_000_000
WARN_FREE_BYTES = 2_000_000_000


@dataclass(frozen=True)
class Check:
    status: Status
    detail: str


def _settings(rt: Runtime) -> Check:
    try:
        rt.repo_config()
    except BotError as exc:
        return Check("fail", "; ".join(line.strip() for line in exc.lines()))
    return Check("ok", "environment and .github/ebook-bot.yml are valid")


def _github(rt: Runtime) -> Check:
    from bot.github.repo import GitHubRepo

    settings = rt.settings
    if settings.github_token is None:
        return Check("warn", "GITHUB_TOKEN not set (needed only for the GitHub steps)")
    if not settings.github_repository:
        return Check("warn", "GITHUB_REPOSITORY not set (needed only for the GitHub steps)")
    repo = GitHubRepo(
        settings.github_token.get_secret_value(),
        settings.github_repository,
        api_url=settings.github_api_url,
        max_attempts=2,
    )
    try:
        name, push = repo.access()
    except BotError as exc:
        return Check("fail", f"cannot read {settings.github_repository}: {exc.message}")
    if push is False:
        return Check("fail", f"{name}: the token may read but not push (needs contents: write)")
    rights = "may push" if push else "rights as the workflow's `permissions:` grant"
    return Check("ok", f"{name} readable; token {rights}")


def _database(rt: Runtime) -> Check:
    from bot.book.ledger.db import current_revision, redact

    try:
        ledger = rt.ledger
    except BotError as exc:
        return Check("fail", exc.message)
    url = redact(str(ledger.engine.url))
    return Check("ok", f"{url} at revision {current_revision(ledger.engine)} (head)")


def _uses_diffusers(rt: Runtime) -> bool:
    config = rt.repo_config()
    return "diffusers" in (config.providers.cover, config.providers.coloring_page)


def _gpu(rt: Runtime) -> Check:
    needed = _uses_diffusers(rt)
    try:
        import torch
    except ImportError:
        if needed:
            return Check("fail", "torch is not installed: pip install 'ebook-bot[gpu]'")
        return Check("ok", "not needed: no provider here uses the GPU (torch not installed)")
    if not torch.cuda.is_available():
        status: Status = "warn" if needed else "ok"
        return Check(
            status, f"torch {torch.__version__} sees no CUDA GPU; diffusers would run on the CPU"
        )
    free, total = torch.cuda.mem_get_info()
    name = torch.cuda.get_device_name(0)
    status = "warn" if free < 8_000_000_000 else "ok"
    return Check(
        status, f"{name}: {free / 1e9:.1f} of {total / 1e9:.1f} GB free (torch {torch.__version__})"
    )


def _model(rt: Runtime) -> Check:
    """The diffusers model is on this machine, and whether books made with it may be sold."""
    from bot.book.providers.licence import model_licence
    from bot.book.providers.models import find_model, missing_model_message, model_card

    model = rt.repo_config().diffusers.model
    if not _uses_diffusers(rt) and rt.settings.diffusers_model is None:
        return Check("ok", "not needed: the diffusers provider is not configured")
    found = find_model(model)
    if found is None:
        return Check("fail", missing_model_message(model))
    where = (
        "a local folder" if found.revision is None else f"cached, revision {found.revision[:12]}"
    )
    licence = model_licence(model, model_card(found))
    status: Status = "ok" if licence.commercial else "warn"
    return Check(status, f"{where}; {licence.describe(model)}")


def _storage(rt: Runtime) -> Check:
    """Room where the work goes: a runner's state folder (EBOOK_BOT_STATE_DIR, or the XDG
    one under Actions), made if missing; on a laptop the current folder (books, the
    project's `.ebook-bot/` ledger), without making anything."""
    s = rt.settings
    runner = s.state_dir is not None or s.github_actions
    folder = s.state_path if runner else Path.cwd()
    try:
        if runner:
            folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("fail", f"{folder} is not writable ({exc.strerror})")
    free = shutil.disk_usage(folder).free
    detail = f"{folder} writable, {free / 1e9:.1f} GB free"
    if free < MIN_FREE_BYTES:
        return Check("fail", detail + " (a book needs a few hundred MB)")
    return Check("warn" if free < WARN_FREE_BYTES else "ok", detail)


def _drive(rt: Runtime) -> Check:
    from bot.ops.drive import drive_health

    status, detail = drive_health(rt.settings)
    return Check(status, detail)  # type: ignore[arg-type]


_RUNNERS: dict[str, Callable[[Runtime], Check]] = {
    "settings": _settings,
    "github": _github,
    "database": _database,
    "gpu": _gpu,
    "model": _model,
    "storage": _storage,
    "drive": _drive,
}


def run_checks(rt: Runtime) -> dict[str, Check]:
    results: dict[str, Check] = {}
    for name in CHECKS:
        try:
            results[name] = _RUNNERS[name](rt)
        except BotError as exc:
            results[name] = Check("fail", exc.message)
        except Exception as exc:  # a health check reports, it does not crash
            results[name] = Check("fail", f"{type(exc).__name__}: {exc}"[:300])
    return results


def healthy(results: dict[str, Check]) -> bool:
    return all(c.status != "fail" for c in results.values())


def as_json(results: dict[str, Check], now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    return json.dumps(
        {
            "version": __version__,
            "timestamp": stamp,
            "healthy": healthy(results),
            "checks": {k: {"status": v.status, "detail": v.detail} for k, v in results.items()},
        },
        indent=2,
    )


def as_text(results: dict[str, Check]) -> str:
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    lines = [f"{marks[c.status]}  {name:9s} {c.detail}" for name, c in results.items()]
    verdict = "healthy" if healthy(results) else "unhealthy"
    return "\n".join([*lines, f"ebook-bot {__version__}: {verdict}"]) + "\n"
