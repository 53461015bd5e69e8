"""A whole book through the GPU generation stream, per lever, with the time of each stage:
UNet (the denoising loop), VAE decode, line-art cleanup (summed over the worker processes)
and writing the page files; the compute is SDXL-turbo's architecture at random weights
(nothing downloaded), loaded through the provider's own code.

python -m benchmarks.gpu                 # on a CUDA GPU: every lever, 100-page books
python -m benchmarks.gpu --quick         # one lever, 4 pages (what a CPU can afford)
python -m benchmarks.gpu --tiny          # every lever on a tiny random pipeline (a smoke run)

Levers: batch size 1/4/8/16, fp16/bf16, channels-last, the tiny VAE decoder (taesdxl),
torch.compile, and all of them together. A lever pays off when the GPU stages shrink and
cleanup keeps up (it runs beside the GPU, so the book's wall time follows the slower side).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# stabilityai/sdxl-turbo's unet/config.json and vae/config.json (the architecture only)
UNET = {
    "act_fn": "silu",
    "addition_embed_type": "text_time",
    "addition_embed_type_num_heads": 64,
    "addition_time_embed_dim": 256,
    "attention_head_dim": [5, 10, 20],
    "block_out_channels": [320, 640, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 2048,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "projection_class_embeddings_input_dim": 2816,
    "sample_size": 64,
    "transformer_layers_per_block": [1, 2, 10],
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    "use_linear_projection": True,
}
VAE = {
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 1024,
    "scaling_factor": 0.13025,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
}


def build_sdxl(folder: Path, device: str, dtype: Any) -> Any:
    """SDXL-turbo's architecture with random weights, saved and loaded back through the
    provider's own loading code (so the benchmark times what the runner runs)."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerAncestralDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTextModelWithProjection,
    )

    from tests.tiny_sdxl import make_tokenizer

    torch.manual_seed(0)
    tokenizer, _, _ = make_tokenizer(folder / "_tok")
    common = {"vocab_size": 49408, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}
    te1 = CLIPTextModel(
        CLIPTextConfig(
            hidden_size=768,
            intermediate_size=3072,
            num_attention_heads=12,
            num_hidden_layers=12,
            hidden_act="quick_gelu",
            projection_dim=768,
            **common,
        )
    )
    te2 = CLIPTextModelWithProjection(
        CLIPTextConfig(
            hidden_size=1280,
            intermediate_size=5120,
            num_attention_heads=20,
            num_hidden_layers=32,
            hidden_act="gelu",
            projection_dim=1280,
            **common,
        )
    )
    pipe = StableDiffusionXLPipeline(
        vae=AutoencoderKL(**VAE),
        text_encoder=te1,
        text_encoder_2=te2,
        tokenizer=tokenizer,
        tokenizer_2=tokenizer,
        unet=UNet2DConditionModel(**UNET),
        scheduler=EulerAncestralDiscreteScheduler(timestep_spacing="trailing"),
    )
    pipe.save_pretrained(folder / "sdxl-random")
    return folder / "sdxl-random"


def build_tiny_vae(folder: Path) -> Path:
    """taesdxl's architecture (AutoencoderTiny) at random weights: the tiny-decoder lever."""
    import torch
    from diffusers import AutoencoderTiny

    torch.manual_seed(0)
    AutoencoderTiny().save_pretrained(folder / "taesdxl-random")
    return folder / "taesdxl-random"


@dataclass
class Lever:
    name: str
    batch: int = 4
    dtype: str = "fp16"
    compile: bool = False
    channels_last: bool = False
    tiny_vae: bool = False


GPU_LEVERS = [
    Lever("baseline fp16, batch 4"),
    Lever("batch 1", batch=1),
    Lever("batch 8", batch=8),
    Lever("batch 16", batch=16),
    Lever("bf16", dtype="bf16"),
    Lever("channels-last", channels_last=True),
    Lever("tiny VAE decoder (taesdxl)", tiny_vae=True),
    Lever("torch.compile", compile=True),
    Lever("all: batch 8, channels-last, taesdxl, compile", 8, "fp16", True, True, True),
]


def book(
    model: Path, vae: Path, lever: Lever, device: str, pages: int, steps: int
) -> dict[str, Any]:
    """A whole book of `pages` through `generate` (the stream, its cleanup pool, the files
    and the ledger), with the time of each stage."""
    from bot.book.ledger import open_ledger
    from bot.book.pipeline import Job, dir_key, generate
    from bot.book.providers.diffusers_sdxl import DiffusersProvider
    from bot.book.spec import parse_spec
    from bot.config import DiffusersConfig, RepoConfig

    dtype = "fp32" if device == "cpu" else lever.dtype
    config = DiffusersConfig(
        model=str(model),
        steps=steps,
        batch_size=lever.batch,
        dtype=dtype,
        compile=lever.compile,
        channels_last=lever.channels_last,
        tiny_vae=str(vae) if lever.tiny_vae else None,
        device=device,
    )
    spec = parse_spec(
        {
            "title": "GPU benchmark",
            "author": "Bench",
            "pages": {"subjects": ["a fox", "an owl", "a whale", "a lighthouse"], "count": pages},
            "providers": {"cover": "procedural", "coloring_page": "diffusers"},
        }
    )
    provider = DiffusersProvider(config)
    provider.load()  # the model is loaded once per job: not part of the book's time
    provider.generate([_request(0)] * lever.batch)  # warm-up (compiles when asked)
    provider.stage_seconds.clear()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ledger = open_ledger(None, state_dir=out / "state")
        started = time.perf_counter()
        result = generate(
            spec,
            out,
            ledger=ledger,
            job=Job(book=dir_key(out)),
            config=RepoConfig(diffusers=config),
            providers=(provider, _procedural()),
        )
        wall = time.perf_counter() - started
    return {
        "lever": lever.name,
        "wall_s": wall,
        "images_per_s": result.times.images / max(result.times.generate, 1e-9),
        "unet_s": provider.stage_seconds.get("unet", 0.0),
        "vae_s": provider.stage_seconds.get("vae", 0.0),
        "clean_s": result.times.clean,
        "write_s": result.times.write,
        "images": result.times.images,
    }


def _request(index: int) -> Any:
    from bot.book.assets import AssetKind
    from bot.book.providers import ImageRequest

    return ImageRequest(AssetKind.PAGE, index, "a fox", index, 2288, 2910)


def _procedural() -> Any:
    from bot.book.providers import get_provider

    return get_provider("procedural")


def main() -> None:
    import torch

    from bot import log

    log.setup("INFO")  # as the bot: third-party chatter only at DEBUG

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one lever, a few pages (a CPU)")
    parser.add_argument("--pages", type=int, help="pages per book (default 100; --quick 4)")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument(
        "--tiny", action="store_true", help="a tiny random pipeline (checks the levers run)"
    )
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    name = torch.cuda.get_device_name(0) if cuda else "CPU (no GPU)"
    print(f"device: {name}; torch {torch.__version__}; {os.cpu_count()} CPU cores")
    quick = (args.quick or not cuda) and not args.tiny
    pages = args.pages or (4 if quick or args.tiny else 100)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        if args.tiny:
            from tests.tiny_sdxl import build_tiny_sdxl

            model = build_tiny_sdxl(Path(tmp))
        else:
            model = build_sdxl(Path(tmp), device, None)
        vae = build_tiny_vae(Path(tmp))
        print(
            f"built {'a tiny pipeline' if args.tiny else 'SDXL-turbo'} at random weights"
            f" in {time.perf_counter() - t:.0f} s"
        )
        print(f"a {pages}-page book per lever, {args.steps} step(s), 512x664 canvas:")
        heads = ("wall s", "img/s", "UNet s", "VAE s", "clean s", "write s")
        print(f"  {'lever':46s} " + " ".join(f"{h:>7s}" for h in heads))
        for lever in GPU_LEVERS[:1] if quick else GPU_LEVERS:
            row = book(model, vae, lever, device, pages, args.steps)
            rows.append({**row, "device": name})
            keys = ("wall_s", "images_per_s", "unet_s", "vae_s", "clean_s", "write_s")
            print(f"  {lever.name:46s} " + " ".join(f"{row[k]:7.2f}" for k in keys))
            if cuda:
                torch.cuda.empty_cache()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
