"""Comparing what people type: one normalisation for names, labels and answers."""

import re
import unicodedata


def text_key(value: str) -> str:
    """Case, width and punctuation folded away: 'Hellerup-Tuborg ' and 'hellerup tuborg' match."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())
