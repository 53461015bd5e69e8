"""What the ledger hands out and takes in: page inputs, claims, and the workers that hold
them (a worker's id says where it runs, so a later run can see that it died)."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

from bot.book.assets import AssetKind, Key

UNLEASED = {"lease_owner": None, "lease_expires": None}  # no worker holds the page


def make_worker_id() -> str:
    """host/pid/nonce: the host and pid let a later run see that this worker died."""
    return f"{socket.gethostname()[:120]}/{os.getpid()}/{secrets.token_hex(4)}"


def local_worker_dead(worker: str | None) -> bool:
    """True when `worker` ran on this machine and its process is gone."""
    if not worker:
        return False
    host, _, rest = worker.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname()[:120] or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class PageInput:
    """What a page should be; `input_key` changes whenever anything that shapes it does."""

    kind: AssetKind
    idx: int
    subject: str
    seed: int
    input_key: str

    @property
    def key(self) -> Key:
        return (self.kind, self.idx)


@dataclass(frozen=True)
class Claim:
    """A page this worker holds under a lease."""

    id: int
    kind: str
    idx: int
    subject: str
    input_key: str

    @property
    def key(self) -> Key:
        return (AssetKind(self.kind), self.idx)
