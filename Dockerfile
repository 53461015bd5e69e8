# The GPU runner image: the GitHub Actions runner, CUDA torch, and ebook-bot with the
# gpu, postgres and drive extras. Build it, then start one container per GPU with
# ./config.sh --ephemeral (see docs/deployment.md).
#
#   docker build -t ebook-bot-runner .
#   docker run --gpus all -e RUNNER_URL=... -e RUNNER_TOKEN=... \
#     -v ebook-bot-models:/home/runner/.cache/huggingface ebook-bot-runner
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

ARG RUNNER_VERSION=2.321.0
ARG TORCH_VERSION=2.13.0
ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    HF_HOME=/home/runner/.cache/huggingface \
    EBOOK_BOT_STATE_DIR=/home/runner/.local/state/ebook-bot

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        python3 python3-venv python3-pip git curl ca-certificates libicu70 tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --shell /bin/bash runner

USER runner
WORKDIR /home/runner
# The Actions runner, ephemeral: one job per container, then a fresh one.
RUN curl -fsSL -o runner.tar.gz \
        "https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz" \
    && tar xzf runner.tar.gz && rm runner.tar.gz

# CUDA torch first (from PyTorch's index), then the bot with its extras.
RUN python3 -m venv /home/runner/venv
ENV PATH=/home/runner/venv/bin:$PATH
RUN pip install "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cu124
COPY --chown=runner:runner . /home/runner/ebook-bot
RUN pip install "/home/runner/ebook-bot[all]" && ebook-bot --version

COPY --chown=runner:runner docs/runner-entrypoint.sh /home/runner/entrypoint.sh
ENTRYPOINT ["/usr/bin/tini", "--", "/home/runner/entrypoint.sh"]
