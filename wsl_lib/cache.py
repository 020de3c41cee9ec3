"""A small, safe per-user cache for trained models.

Chapters share models (the classifier trained in chapter 2 is used by the chapters
after it). Each chapter can rebuild what it needs deterministically, and this
cache saves the time when it was already built on this machine.

* Where: ``$WSL_LIB_CACHE`` if set, else ``$XDG_CACHE_HOME/wsl_lib``, else
  ``~/.cache/wsl_lib``; never inside the repository.
* What: a model's ``state_dict`` with a key, saved with ``torch.save`` and read
  back with ``torch.load(..., weights_only=True)``, which cannot run code.
* When it is used: only when the stored key equals the key of the request, a hash
  of the recipe's settings, of the run seed ``WSL_SEED``, of this cache format's
  version, of the PyTorch version and of wsl_lib's source code. A file
  that is unreadable, corrupt, from another version or for other settings is
  rebuilt and replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from .seeding import run_seed

__all__ = ["cache_dir", "cache_key", "cached_model", "FORMAT_VERSION", "load", "save"]

FORMAT_VERSION = 1


def cache_dir() -> Path:
    """The per-user cache directory (created when first written to).

    Used through :func:`wsl_lib.recipes.trained_classifier`, from the first look to chapter 7.
    """
    if os.environ.get("WSL_LIB_CACHE"):
        return Path(os.environ["WSL_LIB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "wsl_lib"


def cache_key(config: dict) -> str:
    """SHA-256 of the settings, the run seed (``WSL_SEED``), the format version, the PyTorch version
    and the source code of the whole wsl_lib package (every module: a list of the modules that
    matter would silently go stale when code moves between them).

    Used through :func:`wsl_lib.recipes.trained_classifier`, from the first look to chapter 7.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config: expected a dict, got {type(config).__name__}")
    h = hashlib.sha256()
    h.update(json.dumps(config, sort_keys=True).encode())
    h.update(f"format {FORMAT_VERSION} torch {torch.__version__} run seed {run_seed()}".encode())
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _path(config: dict, key: str) -> Path:
    return cache_dir() / f"{config.get('recipe', 'model')}-{key[:20]}.pt"


def load(config: dict, model: nn.Module) -> bool:
    """Fill ``model`` with the cached weights for ``config``; False (model untouched) when there are none.

    Used through :func:`wsl_lib.recipes.trained_classifier`, from the first look to chapter 7.
    """
    key = cache_key(config)
    path = _path(config, key)
    if not path.exists():
        return False
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        if payload.get("format") != FORMAT_VERSION or payload.get("key") != key:
            raise ValueError("made by another version or for other settings")
        model.load_state_dict(payload["state_dict"])
    except Exception as error:  # corrupt, truncated, stale: rebuild rather than fail
        warnings.warn(f"ignoring the cached model {path.name} ({error}); it will be rebuilt", stacklevel=2)
        return False
    return True


def save(config: dict, model: nn.Module) -> Path | None:
    """Store ``model``'s weights for ``config`` (atomically); None when the cache is not writable.

    Used through :func:`wsl_lib.recipes.trained_classifier`, from the first look to chapter 7.
    """
    key = cache_key(config)
    path = _path(config, key)
    payload = {"format": FORMAT_VERSION, "key": key, "config": json.dumps(config, sort_keys=True),
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            torch.save(payload, f)
        os.replace(f.name, path)          # readers never see a half-written file
    except OSError:
        return None
    return path


def cached_model(config: dict, make: Callable[[], nn.Module], train: Callable[[nn.Module], object],
                 use_cache: bool = True) -> nn.Module:
    """``make()`` a model and either load its cached weights or ``train(model)`` it and cache them.

    Used through :func:`wsl_lib.recipes.trained_classifier`, from the first look to chapter 7.
    """
    model = make()
    if use_cache and load(config, model):
        return model
    train(model)
    if use_cache:
        save(config, model)
    return model
