# The prepared GPU runner image: the GitHub Actions runner, CUDA torch, ebook-bot installed
# from this checkout with the gpu and postgres extras, and (optionally) the model cache.
# The action skips setup-python and pip install on it when the installed bot has the very
# sources of the action's default-branch commit (scripts/prepared.sh); otherwise it installs
# as on any runner. Rebuild it when the default branch moves (docs/deployment.md).
#
#   docker build -t ebook-bot-runner .                          # model cache on a volume
#   docker build --build-arg PULL_MODELS=1 -t ebook-bot-runner .  # model cache baked in
#   docker run --gpus all -e RUNNER_URL=... -e RUNNER_TOKEN=... ebook-bot-runner
#
# No CUDA base image: the torch wheels bring their CUDA libraries; the host's NVIDIA driver
# (>= 550 for CUDA 12.4) comes in through the NVIDIA container toolkit (--gpus). Ubuntu 24.04
# has Python 3.12 (ebook-bot needs 3.11 or newer).
FROM ubuntu:24.04

ARG RUNNER_VERSION=2.321.0
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cu124
ARG EXTRAS=gpu,postgres
# 1: download the configured model and VAEs into the image (large, ~7 GB); empty: mount a
# volume at HF_HOME and fill it once with `ebook-bot models pull`.
ARG PULL_MODELS=
# MODEL for `models pull` (default: the one in the config, else stabilityai/sdxl-turbo)
ARG MODEL=
ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    HF_HOME=/home/runner/.cache/huggingface \
    EBOOK_BOT_STATE_DIR=/home/runner/.local/state/ebook-bot

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        python3 python3-venv git curl ca-certificates libicu74 tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --shell /bin/bash runner

USER runner
WORKDIR /home/runner
# The Actions runner, ephemeral: one job per container, then a fresh one.
RUN curl -fsSL -o runner.tar.gz \
        "https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz" \
    && tar xzf runner.tar.gz && rm runner.tar.gz

# CUDA torch first (from PyTorch's index; a plain `torch` from PyPI may pick another CUDA),
# then the bot with its extras: a regular (not editable) install, so the installed package
# is a copy of this checkout's bot/ and its sources hash is that commit's.
RUN python3 -m venv /home/runner/venv
ENV PATH=/home/runner/venv/bin:$PATH
RUN pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX}"
COPY --chown=runner:runner . /tmp/ebook-bot
RUN pip install "/tmp/ebook-bot[${EXTRAS}]" \
    && rm -rf /tmp/ebook-bot \
    && ebook-bot --version \
    && (cd / && python -P -m bot.buildinfo) | tee /home/runner/ebook-bot-buildinfo.json
RUN if [ -n "${PULL_MODELS}" ]; then ebook-bot models pull ${MODEL:+"$MODEL"}; fi

COPY --chown=runner:runner docs/runner-entrypoint.sh /home/runner/entrypoint.sh
ENTRYPOINT ["/usr/bin/tini", "--", "/home/runner/entrypoint.sh"]
