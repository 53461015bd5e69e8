"""SDXL-turbo (or any SDXL-architecture model) through diffusers, on the GPU when there is one.

The model is a hub id or a local folder, always loaded with `local_files_only=True`: a
runner never downloads weights in the middle of a book (`ebook-bot models pull` fills the
cache beforehand). Pages are made in batches, each with its own seeded generator, so a
page is the same whichever batch it lands in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from bot.book.providers.base import Capabilities, ImageRequest, Provenance
from bot.book.providers.models import (
    COMPONENT,
    GPU_EXTRA,
    PIPELINE,
    ModelMissingError,
    find_model,
    import_torch,
    is_local,
    missing_extra,
    missing_model_message,
)
from bot.book.providers.prompts import prompt_for
from bot.config import DiffusersConfig, RepoConfig
from bot.errors import UserInputError

log = logging.getLogger(__name__)


def generation_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """The model's canvas for a wanted aspect: the short side given, the long side in
    proportion, both multiples of 8 (512 for 8.5x11 portrait gives 512x664)."""
    if width <= height:
        w, h = short_side, round(short_side * height / width / 8) * 8
    else:
        w, h = round(short_side * width / height / 8) * 8, short_side
    return max(8, w), max(8, h)


class DiffusersProvider:
    """Text-to-image with an SDXL pipeline; one call makes up to `batch_size` at once."""

    name = "diffusers"

    def __init__(self, config: RepoConfig | DiffusersConfig | None = None) -> None:
        if isinstance(config, RepoConfig):
            config = config.diffusers
        self.config = config or DiffusersConfig()
        self.batch_size = self.config.batch_size
        self.model_id: str | None = self.config.model
        self._pipe: Any = None
        self._device = "cpu"
        self._dtype_name = "fp32"

    @property
    def fingerprint(self) -> str:
        c = self.config
        return f"{c.model}|steps={c.steps}|w={c.width}|vae={c.vae or ''}|tiny={c.tiny_vae or ''}"

    def check(self) -> None:
        """The gpu extra is installed and the model (and its VAEs) are on this machine."""
        missing = missing_extra()
        if missing:
            raise UserInputError(f"provider diffusers needs {missing}: {GPU_EXTRA}")
        c = self.config
        wanted = [(c.model, PIPELINE), (c.vae, COMPONENT), (c.tiny_vae, COMPONENT)]
        for model, marker in wanted:
            if model and find_model(model, marker) is None:
                raise ModelMissingError(missing_model_message(model))

    def describe(self, request: ImageRequest) -> Provenance:
        found = find_model(self.config.model)
        return Provenance(prompt_for(request), found.revision if found else None)

    @property
    def capabilities(self) -> Capabilities:
        # CPU generators seed each page: the same page on any GPU or none
        gpu = self._device.startswith("cuda")
        return Capabilities(seeded=True, batch_size=self.batch_size, retries=True, gpu=gpu)

    # loading ------------------------------------------------------------------------------
    def load(self) -> Any:
        if self._pipe is not None:
            return self._pipe
        torch, diffusers = import_torch()
        diffusers.utils.logging.disable_progress_bar()
        c = self.config
        device = c.device or ("cuda" if torch.cuda.is_available() else "cpu")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise UserInputError(
                f"EBOOK_BOT_DIFFUSERS_DEVICE: {device} asked for, but torch sees no CUDA GPU"
            )
        dtype_name = (
            c.dtype if c.dtype != "auto" else ("fp16" if device.startswith("cuda") else "fp32")
        )
        dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
        model = str(Path(c.model).expanduser()) if is_local(c.model) else c.model
        if is_local(c.model) and not Path(model).is_dir():
            raise ModelMissingError(
                f"EBOOK_BOT_DIFFUSERS_MODEL: {model} is not a folder (a saved diffusers pipeline)"
            )
        variant = c.variant
        if variant is None and not is_local(c.model) and dtype_name != "fp32":
            variant = "fp16"
        # newer diffusers call it `dtype` (and deprecate `torch_dtype`)
        new_name = hasattr(diffusers.utils.deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE")
        dtype_key = "dtype" if new_name else "torch_dtype"
        kwargs: dict[str, Any] = {dtype_key: dtype, "local_files_only": True}
        started = time.perf_counter()
        try:
            if c.vae:
                kwargs["vae"] = diffusers.AutoencoderKL.from_pretrained(
                    c.vae, **{dtype_key: dtype}, local_files_only=True
                )
            pipe = self._from_pretrained(diffusers, model, variant, kwargs)
            if c.tiny_vae:
                pipe.vae = diffusers.AutoencoderTiny.from_pretrained(
                    c.tiny_vae, **{dtype_key: dtype}, local_files_only=True
                )
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelMissingError(
                f"diffusers model {c.model!r} is not on this machine ({first[:300]}). Run "
                "`ebook-bot models pull` where there is network, or set "
                "EBOOK_BOT_DIFFUSERS_MODEL to a local folder"
            ) from None
        pipe.set_progress_bar_config(disable=True)
        pipe = pipe.to(device)
        if c.compile:
            pipe.unet = torch.compile(pipe.unet, mode="max-autotune", fullgraph=True)
        self._pipe, self._device, self._dtype_name = pipe, device, dtype_name
        log.info(
            "loaded %s on %s (%s) in %.1f s",
            c.model,
            device,
            dtype_name,
            time.perf_counter() - started,
        )
        return pipe

    @staticmethod
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

    # generating ---------------------------------------------------------------------------
    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        """One image per request, in batches of `batch_size` of the same canvas size."""
        torch, _ = import_torch()
        pipe = self.load()
        results: dict[int, Image.Image] = {}
        groups: dict[tuple[int, int], list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(generation_size(r.width, r.height, self.config.width), []).append(i)
        for (w, h), members in groups.items():
            for start in range(0, len(members), self.batch_size):
                chunk = members[start : start + self.batch_size]
                # CPU generators: the same seed gives the same page on any GPU or none
                generators = [torch.Generator("cpu").manual_seed(requests[i].seed) for i in chunk]
                with torch.inference_mode():
                    out = pipe(
                        prompt=[prompt_for(requests[i]) for i in chunk],
                        num_inference_steps=self.config.steps,
                        guidance_scale=0.0,
                        width=w,
                        height=h,
                        generator=generators,
                        output_type="pil",
                    )
                for i, image in zip(chunk, out.images, strict=True):
                    results[i] = image.convert("RGB")
        return [results[i] for i in range(len(requests))]
