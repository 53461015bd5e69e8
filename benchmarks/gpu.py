"""Throughput of the real SDXL architecture at random weights (the compute of SDXL-turbo,
nothing downloaded), CPU post-processing per page, and a whole 100-page book.

python -m benchmarks.gpu                 # on a CUDA GPU: the full grid below
python -m benchmarks.gpu --quick         # one configuration (what a CPU can afford)

Grid: eager fp16 / bf16 / fp16 + torch.compile x batch 1, 4, 8 x 512x512, 512x664 x 1, 4 steps.
Goal (issue #4, H100): >= 40 images/s at 512x512, 1 step; a 100-page book in <= 60 s.
Anchor: an A100 with torch.compile, ~22 images/s at 512x512, 1 step, batch 4.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
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


def images_per_second(provider: Any, batch: int, size: tuple[int, int], repeats: int) -> float:
    from bot.book.assets import AssetKind
    from bot.book.providers import ImageRequest

    requests = [
        ImageRequest(AssetKind.PAGE, i, "a fox", i, size[0] * 5, size[1] * 5) for i in range(batch)
    ]
    provider.generate(requests)  # warm-up (and compile)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        provider.generate(requests)
        times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


def post_ms_per_page() -> float:
    from PIL import Image

    from bot.book.lineart import to_line_art

    noise = Image.effect_noise((512, 664), 64).convert("RGB")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        to_line_art(noise, (2550, 3300))
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    import torch

    from bot.book.providers.diffusers_sdxl import DiffusersProvider
    from bot.config import DiffusersConfig

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one configuration only")
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    print(
        f"device: {torch.cuda.get_device_name(0) if cuda else 'CPU (no GPU lent)'}; "
        f"torch {torch.__version__}"
    )
    print(f"post-processing (512x664 -> 2550x3300 1-bit + QA): {post_ms_per_page():.0f} ms/page")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        model = build_sdxl(Path(tmp), device, None)
        print(f"built SDXL architecture at random weights in {time.perf_counter() - t:.0f} s")
        quick = args.quick or not cuda
        dtypes = ["fp32"] if not cuda else (["fp16"] if quick else ["fp16", "bf16"])
        grid = itertools.product(
            dtypes + ([] if quick else ["fp16+compile"]),
            [1] if quick else [1, 4, 8],
            [(512, 512)] if quick else [(512, 512), (512, 664)],
            [1] if quick else [1, 4],
        )
        best_512 = 0.0
        for dtype, batch, size, steps in grid:
            config = DiffusersConfig(
                model=str(model),
                steps=steps,
                batch_size=batch,
                width=512,
                dtype=dtype.split("+")[0],
                compile=dtype.endswith("compile"),
                device=device,
            )
            provider = DiffusersProvider(config)
            rate = images_per_second(provider, batch, size, repeats=1 if quick else 5)
            if size == (512, 512) and steps == 1:
                best_512 = max(best_512, rate)
            print(
                f"  {dtype:13s} batch {batch} {size[0]}x{size[1]} {steps} step(s): "
                f"{rate:.2f} images/s"
            )
            del provider
            if cuda:
                torch.cuda.empty_cache()
        post = post_ms_per_page() / 1000
        book = 100 / best_512 + 100 * post + 1.0  # + ~1 s assembly (benchmarks.assemble)
        print(
            f"100-page book estimate at the best 512x512 rate: {book:.0f} s "
            f"(generation {100 / best_512:.0f} s, post-processing {100 * post:.0f} s, "
            "assembly ~1 s)"
        )


if __name__ == "__main__":
    main()
