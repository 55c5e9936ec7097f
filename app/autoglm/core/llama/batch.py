"""Text tokens into one KV sequence of a shared llama.cpp context, through ``llama_batch``.

``Llama.eval`` knows one sequence only: it places tokens in sequence 0 and, before every
call, removes from *every* sequence whatever lies past its own position counter. With
several conversations in one context each sequence has its own positions, so tokens go
in through a ``llama_batch`` of our own that names the sequence and the positions.
``llama_decode`` is called directly, so llama.cpp's abort callback (a cancel) still
stops a long prompt midway.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import numpy as np

DECODE_OK = 0
DECODE_NO_CELLS = 1  # llama.cpp found no free KV cells for the batch
DECODE_ABORTED = 2  # the abort callback stopped it (a cancel)


class TokenBatch:
    """One reusable ``llama_batch`` of up to ``capacity`` tokens (free it with ``close``)."""

    def __init__(self, capacity: int):
        import llama_cpp

        self._lib = llama_cpp
        self.capacity = capacity
        self._batch: Any = llama_cpp.llama_batch_init(capacity, 0, 1)
        self._ones = np.ones(capacity, dtype=np.int32)

    def fill(
        self, tokens: Sequence[int], start_pos: int, seq_id: int, logits_last: bool = True
    ) -> None:
        """Put ``tokens`` at positions ``start_pos…`` of sequence ``seq_id``; logits for the last one only."""
        n = len(tokens)
        assert 0 < n <= self.capacity
        batch = self._batch
        ids = np.asarray(tokens, dtype=np.int32)
        pos = np.arange(start_pos, start_pos + n, dtype=np.int32)
        ctypes.memmove(batch.token, ids.ctypes.data, n * 4)
        ctypes.memmove(batch.pos, pos.ctypes.data, n * 4)
        ctypes.memmove(batch.n_seq_id, self._ones.ctypes.data, n * 4)
        ctypes.memset(batch.logits, 0, n)
        seq = batch.seq_id
        for i in range(n):
            seq[i][0] = seq_id
        if logits_last:
            batch.logits[n - 1] = 1
        batch.n_tokens = n

    def add(self, token: int, pos: int, seq_id: int, logits: bool) -> int:
        """Append one token of sequence ``seq_id`` (a batch may hold several sequences); its index in the batch."""
        batch = self._batch
        i = batch.n_tokens
        assert i < self.capacity
        batch.token[i] = token
        batch.pos[i] = pos
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq_id
        batch.logits[i] = 1 if logits else 0
        batch.n_tokens = i + 1
        return i

    def clear(self) -> None:
        """Empty the batch for the next ``add`` calls."""
        self._batch.n_tokens = 0

    def decode(self, ctx: Any) -> int:
        """``llama_decode`` the batch: ``DECODE_OK``, ``DECODE_NO_CELLS``, ``DECODE_ABORTED`` or an error code."""
        return int(self._lib.llama_decode(ctx, self._batch))

    def close(self) -> None:
        """Free the batch."""
        if self._batch is not None:
            self._lib.llama_batch_free(self._batch)
            self._batch = None
