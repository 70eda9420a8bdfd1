"""Sentence embeddings from the frozen base encoder, for the baselines and label-issue search.

The bundled model is a LoRA fine-tune of this encoder, so "frozen encoder + logistic
regression" measures what the fine-tuning adds over the embedding it starts from.
Mean pooling matches how the base was trained and how :mod:`detente.model.network`
pools; the vectors are L2-normalised, as sentence-transformers does for this model,
so the regression sees directions, not lengths.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.model.bases import DEFAULT_BASE
from detente.model.batching import encode, length_sorted_batches


class FrozenEncoder:
    """``embed(texts)`` -> (n, hidden) float32 array; nothing is trained."""

    def __init__(self, base: str = DEFAULT_BASE, device: str | None = None, max_length: int = 128):
        from transformers import AutoTokenizer

        from detente.model.bases import resolve_base
        from detente.model.device import default_device
        from detente.model.network import load_encoder

        directory = resolve_base(base)
        self.base = base
        self.device = device or default_device()
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        self.encoder = load_encoder(directory).to(self.device).eval()

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embeddings in input order; texts are batched by length so padding stays short."""
        import torch

        from detente.model.network import mean_pool

        out = np.zeros((len(texts), self.encoder.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for idx in length_sorted_batches(texts, batch_size):
                batch = encode(self.tokenizer, [texts[i] for i in idx], self.max_length, self.device)
                hidden = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
                pooled = torch.nn.functional.normalize(
                    mean_pool(hidden.last_hidden_state, batch["attention_mask"]), dim=-1
                )
                out[idx] = pooled.float().cpu().numpy()
        return out
