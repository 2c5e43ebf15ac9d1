"""Generation cache: model outputs keyed by everything that changes them.

The key is a hash of the base model's weights fingerprint, the adapter's, the prompt template
hash and the decoding settings (max new tokens, dtype, greedy); each entry is further keyed by
the sample id and a hash of its rendered prompt. One JSONL file per key under
`$HARNESS_CACHE/generations/`, plus one per shard when several processes generate at once
(`harness eval --gpus N`: each writes only its own file, and every file of the key is read);
every line also carries the key, so an entry can never be served for another model. Lines are appended and flushed batch by batch: a killed eval resumes from the
last finished batch (a torn last line is ignored).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def prompt_hash(prompt: str) -> str:
    """Short hash of a rendered prompt."""
    return hashlib.sha256(prompt.encode()).hexdigest()[:16]


class GenerationCache:
    """Cached outputs for one (model, adapter, template, decoding) key."""

    def __init__(self, root: Path, key: dict, shard: int | None = None):
        self.key = key
        self.key_hash = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
        self.root = Path(root)
        self.path = self.root / (f"{self.key_hash}.jsonl" if shard is None else f"{self.key_hash}.shard-{shard}.jsonl")
        self._entries = self._read()

    def _read(self) -> dict[tuple[str, str], str]:
        """Entries of every file of this key: the main one and any shards."""
        entries = {}
        for path in [self.root / f"{self.key_hash}.jsonl", *sorted(self.root.glob(f"{self.key_hash}.shard-*.jsonl"))]:
            if not path.is_file():
                continue
            with path.open() as f:
                for line in f:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line torn by a kill mid-write
                    if row.get("key") == self.key_hash:
                        entries[(row["id"], row["prompt"])] = row["output"]
        return entries

    def get(self, sample_id: str, prompt: str) -> str | None:
        """The cached output for a sample and its rendered prompt, if any."""
        return self._entries.get((sample_id, prompt_hash(prompt)))

    def put(self, outputs: list[tuple[str, str, str]]) -> None:
        """Append `(sample_id, prompt, output)` triples and flush them to disk."""
        if not outputs:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with self.path.open("a") as f:
            if new:
                f.write(json.dumps({"key": "header", "cache_key": self.key, "hash": self.key_hash}) + "\n")
            for sample_id, prompt, output in outputs:
                ph = prompt_hash(prompt)
                f.write(json.dumps({"key": self.key_hash, "id": sample_id, "prompt": ph, "output": output}) + "\n")
                self._entries[(sample_id, ph)] = output
            f.flush()
            os.fsync(f.fileno())
