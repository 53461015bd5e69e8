"""SDXL-turbo (or any SDXL-architecture model) through diffusers, on the GPU when there is one.

The model is a hub id or a local folder, always loaded with `local_files_only=True`: a
runner never downloads weights in the middle of a book (`ebook-bot models pull` fills the
cache beforehand). Pages are made in batches, each with its own seeded generator, so a
page is the same whichever batch it lands in.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
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
    missing_extra,
    missing_model_message,
)
from bot.book.providers.prompts import prompt_for
from bot.book.providers.sdxl_load import decode, load_pipeline
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
        self.stage_seconds: dict[str, float] = {}  # "unet", "vae": seconds over all batches

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
        """The pipeline, loaded once per provider (once per job)."""
        if self._pipe is None:
            self._pipe, where = load_pipeline(self.config)
            self._device, self._dtype_name = where.device, where.dtype_name
        return self._pipe

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
                images = self._batch(torch, pipe, [requests[i] for i in chunk], (w, h))
                results.update(zip(chunk, images, strict=True))
        return [results[i] for i in range(len(requests))]

    def _batch(
        self, torch: Any, pipe: Any, requests: list[ImageRequest], size: tuple[int, int]
    ) -> list[Image.Image]:
        """One batch: the denoising loop (UNet) to latents, then the VAE decode, each timed."""
        # CPU generators: the same seed gives the same page on any GPU or none
        generators = [torch.Generator("cpu").manual_seed(r.seed) for r in requests]
        with torch.inference_mode(), self._timed(torch, "unet"):
            latents = pipe(
                prompt=[prompt_for(r) for r in requests],
                num_inference_steps=self.config.steps,
                guidance_scale=0.0,
                width=size[0],
                height=size[1],
                generator=generators,
                output_type="latent",
            ).images
        with torch.inference_mode(), self._timed(torch, "vae"):
            pixels = decode(pipe, latents, torch)
            array = (pixels.permute(0, 2, 3, 1).float().cpu().numpy() * 255).round()
        return [Image.fromarray(a.astype("uint8"), "RGB") for a in array]

    @contextlib.contextmanager
    def _timed(self, torch: Any, stage: str) -> Iterator[None]:
        """Seconds per stage; on CUDA the clock waits for the GPU to finish its work."""
        cuda = self._device.startswith("cuda")
        if cuda:
            torch.cuda.synchronize()
        started = time.perf_counter()
        yield
        if cuda:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds
