"""Loading an SDXL pipeline for the diffusers provider: from this machine only (a local
folder or the Hugging Face cache, `local_files_only`), on the GPU when there is one, with the
configured speed levers: an fp16-safe VAE, a tiny VAE decoder (taesdxl), channels-last memory
and torch.compile."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.book.providers.models import ModelMissingError, import_torch, is_local
from bot.config import DiffusersConfig
from bot.errors import UserInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    device: str  # "cpu", "cuda", "cuda:1", "mps"
    dtype_name: str  # "fp16", "bf16", "fp32"
    dtype: Any  # the torch dtype


def placement(config: DiffusersConfig, torch: Any) -> Placement:
    """Where the model runs: the configured device, else CUDA when torch sees a GPU; fp16 on
    CUDA and fp32 on the CPU unless configured."""
    device = config.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UserInputError(
            f"EBOOK_BOT_DIFFUSERS_DEVICE: {device} asked for, but torch sees no CUDA GPU"
        )
    auto = "fp16" if device.startswith("cuda") else "fp32"
    name = config.dtype if config.dtype != "auto" else auto
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[name]
    return Placement(device, name, dtype)


def load_pipeline(config: DiffusersConfig) -> tuple[Any, Placement]:
    """The pipeline, on its device, tuned; and where it runs."""
    torch, diffusers = import_torch()
    diffusers.utils.logging.disable_progress_bar()
    where = placement(config, torch)
    started = time.perf_counter()
    pipe = _read(config, diffusers, where)
    pipe.set_progress_bar_config(disable=True)
    pipe = pipe.to(where.device)
    if config.channels_last:  # NHWC: faster convolutions on tensor cores
        pipe.unet.to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
    if config.compile:
        pipe.unet = torch.compile(pipe.unet, mode="max-autotune", fullgraph=True)
    log.info(
        "loaded %s on %s (%s) in %.1f s",
        config.model,
        where.device,
        where.dtype_name,
        time.perf_counter() - started,
    )
    return pipe, where


def _read(config: DiffusersConfig, diffusers: Any, where: Placement) -> Any:
    """The pipeline's weights from disk, with the configured VAE or tiny VAE."""
    model = str(Path(config.model).expanduser()) if is_local(config.model) else config.model
    if is_local(config.model) and not Path(model).is_dir():
        raise ModelMissingError(
            f"EBOOK_BOT_DIFFUSERS_MODEL: {model} is not a folder (a saved diffusers pipeline)"
        )
    variant = config.variant
    if variant is None and not is_local(config.model) and where.dtype_name != "fp32":
        variant = "fp16"
    # newer diffusers call it `dtype` (and deprecate `torch_dtype`)
    new_name = hasattr(diffusers.utils.deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE")
    typed = {"dtype" if new_name else "torch_dtype": where.dtype, "local_files_only": True}
    try:
        kwargs = dict(typed)
        if config.vae:
            kwargs["vae"] = diffusers.AutoencoderKL.from_pretrained(config.vae, **typed)
        pipe = _from_pretrained(diffusers, model, variant, kwargs)
        if config.tiny_vae:
            pipe.vae = diffusers.AutoencoderTiny.from_pretrained(config.tiny_vae, **typed)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelMissingError(
            f"diffusers model {config.model!r} is not on this machine ({first[:300]}). Run "
            "`ebook-bot models pull` where there is network, or set "
            "EBOOK_BOT_DIFFUSERS_MODEL to a local folder"
        ) from None
    return pipe


def _from_pretrained(
    diffusers: Any, model: str, variant: str | None, kwargs: dict[str, Any]
) -> Any:
    cls = diffusers.AutoPipelineForText2Image
    if variant:
        try:
            return cls.from_pretrained(model, variant=variant, **kwargs)
        except (OSError, ValueError):
            log.info("no %s variant of %s here; loading the default weights", variant, model)
    return cls.from_pretrained(model, **kwargs)


def decode(pipe: Any, latents: Any, torch: Any) -> Any:
    """Latents to images in [0, 1] (NCHW float), the way the SDXL pipeline decodes them:
    an fp16 VAE that asks to be upcast (`force_upcast`) decodes in fp32."""
    vae = pipe.vae
    if vae.dtype == torch.float16 and getattr(vae.config, "force_upcast", False):
        vae.to(dtype=torch.float32)
    latents = latents.to(device=vae.device, dtype=vae.dtype)
    scale = getattr(vae.config, "scaling_factor", 1.0) or 1.0
    images = vae.decode(latents / scale, return_dict=False)[0]
    return (images / 2 + 0.5).clamp(0, 1)
