"""Saving and loading trainers: one checkpoint format (torch.save of a dict with the config)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch


def save_checkpoint(path: str | Path, config, seed: int, **payload) -> None:
    """Write the trainer's config (a dataclass), seed and ``payload`` (state dicts, counters)."""
    torch.save({"config": asdict(config), "seed": seed, **payload}, Path(path))


def load_checkpoint(path: str | Path, config_class: type) -> tuple[dict[str, Any], Any]:
    """The saved dict and its config rebuilt (lists back to tuples, as dataclass fields expect)."""
    saved = torch.load(Path(path), weights_only=False)
    fields = {key: tuple(value) if isinstance(value, list) else value for key, value in saved["config"].items()}
    return saved, config_class(**fields)
