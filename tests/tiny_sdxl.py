"""A tiny random-weight SDXL pipeline, saved with `save_pretrained` (nothing downloaded).

The same component classes and configs keys as SDXL: a UNet with `text_time` added
conditioning, two CLIP text encoders (the second with projection), a VAE with four blocks
(so the latents keep SDXL's 8x scale), an Euler scheduler, and a tokenizer whose
vocabulary (every byte, alone and word-final) is written here.
"""

from __future__ import annotations

import json
from pathlib import Path


def _write_tokenizer_files(folder: Path) -> tuple[int, int]:
    """vocab.json and merges.txt for a byte-level CLIP BPE with no merges."""
    # GPT-2/CLIP byte-level BPE: every byte is shown as one printable character
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += range(ord("®"), ord("ÿ") + 1)
    chars = [chr(b) for b in printable]
    chars += [chr(256 + n) for n in range(256 - len(printable))]
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in chars:
        vocab[ch] = len(vocab)
    for ch in chars:
        vocab[ch + "</w>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", "utf-8")
    return len(vocab), 1


def make_tokenizer(folder: Path) -> tuple[object, int, int]:
    """A CLIP tokenizer over that vocabulary: (tokenizer, vocab size, eos id)."""
    from transformers import CLIPTokenizer

    vocab_size, eos = _write_tokenizer_files(folder)
    tokenizer = CLIPTokenizer(
        vocab_file=str(folder / "vocab.json"),
        merges_file=str(folder / "merges.txt"),
        model_max_length=77,
    )
    return tokenizer, vocab_size, eos


def build_tiny_sdxl(folder: Path) -> Path:
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=6 * 8 + 16,  # six size ids + pooled text
        cross_attention_dim=32,  # both encoders' hidden states side by side
        norm_num_groups=4,
    )
    vae = AutoencoderKL(
        block_out_channels=(8, 8, 8, 8),  # four blocks: 8x down, like SDXL's VAE
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=4,
        sample_size=64,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
        timestep_spacing="trailing",
    )
    tokenizer, vocab_size, eos = make_tokenizer(folder / "_tok")
    text_config = CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=eos,
        pad_token_id=eos,
        hidden_size=16,
        intermediate_size=32,
        layer_norm_eps=1e-05,
        num_attention_heads=2,
        num_hidden_layers=2,
        vocab_size=vocab_size,
        hidden_act="gelu",
        projection_dim=16,
    )
    pipe = StableDiffusionXLPipeline(
        vae=vae,
        text_encoder=CLIPTextModel(text_config),
        text_encoder_2=CLIPTextModelWithProjection(text_config),
        tokenizer=tokenizer,
        tokenizer_2=tokenizer,
        unet=unet,
        scheduler=scheduler,
    )
    pipe.save_pretrained(folder / "tiny-sdxl")
    return folder / "tiny-sdxl"
