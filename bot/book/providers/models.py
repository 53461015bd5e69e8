"""The diffusers model on this machine: where it is (a local folder or the Hugging Face
cache, never downloaded during a book), which revision, its card, and `models pull`."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import DiffusersConfig
from bot.errors import BotError, UserInputError

GPU_EXTRA = "pip install 'ebook-bot[gpu]'"


class ModelMissingError(UserInputError):
    """The configured model is not on this machine (a setting to fix: exit 2)."""


def is_local(model: str) -> bool:
    return model.startswith(("/", "./", "../", "~")) or Path(model).expanduser().is_dir()


def missing_extra() -> str | None:
    """The first package of the gpu extra that is not installed, or None."""
    for name in ("torch", "diffusers", "transformers"):
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):  # a broken or blocked install counts as missing
            return name
    return None


def import_torch() -> tuple[Any, Any]:
    missing = missing_extra()
    if missing:
        raise UserInputError(f"provider diffusers needs {missing}: {GPU_EXTRA}")
    import diffusers
    import torch

    _adopt_loggers(diffusers)
    return torch, diffusers


def _adopt_loggers(diffusers: Any) -> None:
    """diffusers and transformers print through handlers of their own (warnings, progress
    bars); hand their records to the bot's logging, which shows other libraries only at
    DEBUG, and keep their progress bars off the terminal."""
    import transformers

    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    for lib in (diffusers.utils.logging, transformers.utils.logging):
        lib.disable_default_handler()
        lib.enable_propagation()
        lib.set_verbosity(logging.DEBUG if debug else logging.ERROR)
        if not debug:
            lib.disable_progress_bar()


@dataclass(frozen=True)
class FoundModel:
    folder: Path  # the saved pipeline (model_index.json inside)
    revision: str | None  # the hub commit of a cached snapshot; None for a local folder


PIPELINE = "model_index.json"  # a saved pipeline has one
COMPONENT = "config.json"  # a saved VAE (or other single model) has one


def find_model(model: str, marker: str = PIPELINE) -> FoundModel | None:
    """The saved pipeline (or component) `model` names, on this machine only; None when it
    is not here."""
    if is_local(model):
        folder = Path(model).expanduser()
        return FoundModel(folder, None) if (folder / marker).is_file() else None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(model, marker)
    if not isinstance(found, str):
        return None
    folder = Path(found).parent  # .../models--org--name/snapshots/<commit>/
    return FoundModel(folder, folder.name)


def model_card(found: FoundModel) -> str | None:
    """The model card (README.md) saved beside the pipeline, if any."""
    try:
        return (found.folder / "README.md").read_text("utf-8", errors="replace")[:20_000]
    except OSError:
        return None


def missing_model_message(model: str) -> str:
    if is_local(model):
        return f"EBOOK_BOT_DIFFUSERS_MODEL: {model} is not a saved diffusers model (a folder)"
    return (
        f"diffusers model {model!r} is not on this machine: run `ebook-bot models pull` "
        "where there is network, or set EBOOK_BOT_DIFFUSERS_MODEL to a local folder"
    )


def pull(model: str | None, config: DiffusersConfig, token: str | None = None) -> list[str]:
    """Fill the local cache with the model (and the configured VAEs); returns what it did."""
    target = model or config.model
    if is_local(target):
        if not Path(target).expanduser().is_dir():
            raise UserInputError(f"MODEL: {target} is not a folder")
        return [f"{target}: a local folder, nothing to download"]
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:
        raise UserInputError(
            "models pull needs the gpu extra: pip install 'ebook-bot[gpu]'"
        ) from None
    done = []
    wanted: list[tuple[str, str | None]] = [(target, config.variant or "fp16")]
    wanted += [(extra, None) for extra in (config.vae, config.tiny_vae) if extra]
    for repo_id, variant in wanted:
        patterns = ["*.json", "*.txt", "*.model", "README.md", "LICENSE*"]  # card: licence
        patterns.append(f"*.{variant}.safetensors" if variant else "*.safetensors")
        try:
            path = snapshot_download(repo_id, allow_patterns=patterns, token=token or None)
        except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BotError(f"models pull: could not download {repo_id}: {first[:300]}") from None
        done.append(f"{repo_id}: in the cache at {path}")
    return done
