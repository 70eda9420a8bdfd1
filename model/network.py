"""The torch module that predicts: a sentence encoder, mean pooling, a linear head.

Mean pooling rather than the [CLS]/pooler output because the sentence-transformers
bases we use were trained with it (their pooler weights are untrained), so a
small labelled set fine-tunes from a good sentence embedding, as SetFit does.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class StanceNetwork(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return mean_pool(hidden, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits, one row per text, columns in :data:`detente.model.labels.LABELS` order."""
        return self.head(self.dropout(self.embed(input_ids, attention_mask)))


def load_encoder(directory: Path) -> nn.Module:
    """A Hugging Face encoder from a local directory: safetensors only, no remote code."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a per-tensor loading bar is noise on every `detente score`
    hf_logging.set_verbosity_error()
    return AutoModel.from_pretrained(directory, use_safetensors=True, trust_remote_code=False, local_files_only=True)


def merge_lora(encoder: nn.Module, deltas: dict[str, torch.Tensor], scaling: float) -> None:
    """Fold LoRA factors into the encoder's linear weights: W += scaling * B @ A.

    Scoring then needs neither peft nor extra matmuls: a LoRA model runs as fast
    as the base, and its directory holds only the small factors.
    """
    names = {key.rsplit(".", 1)[0] for key in deltas}
    for name in sorted(names):
        module = encoder.get_submodule(name)
        a, b = deltas[f"{name}.lora_A"], deltas[f"{name}.lora_B"]
        with torch.no_grad():
            module.weight += scaling * (b.to(module.weight.dtype) @ a.to(module.weight.dtype))
