"""Words and search terms: the one tokeniser of queries, product texts and the search index.

* :func:`words` — what a shopper or a catalog wrote, word by word, lower-case: apostrophes and
  hyphens inside a word are kept (``men's``, ``t-shirt``), typographic apostrophes become
  plain ones, a run of Chinese characters is one word (the query parser splits it into the
  catalog's phrases).
* :func:`terms` — the words as the search index counts them, the same for a query and for a
  product: a possessive ending is dropped (``men's`` and ``mens'`` are ``men``), a plural is
  folded (``dresses`` → ``dress``), Chinese is one term per character.

Examples
--------
>>> words("Men’s T-Shirts, 2 for €20")
["men's", 't-shirts', '2', 'for', '20']
>>> terms("Men’s T-Shirts"), terms("mens t-shirt")
(['men', 't-shirt'], ['men', 't-shirt'])
>>> terms("红色连衣裙")
['红', '色', '连', '衣', '裙']
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["CJK", "stem", "terms", "words"]

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
"""One Chinese (CJK unified or compatibility) character."""
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|\w+(?:['\-]\w+)*")
_POSSESSIVE = re.compile(r"'s$|s'$|'$")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; Chinese runs whole (see the module docstring)."""
    return _WORD.findall(str(text).lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Search terms of ``text``: possessives dropped, plurals folded, Chinese per character."""
    found = []
    for word in words(text):
        if CJK.match(word):
            found.extend(word)
        else:
            found.append(_term(word))
    return found


def stem(word: str) -> str:
    """``word`` without a plural ending: ``dresses`` → ``dress``, ``skirts`` → ``skirt``, ``bodies`` → ``body``.

    Deliberately light (no suffix stripping beyond the plural): product words such as
    ``leggings`` or ``shorts`` stay recognisable, and ``dress``, ``bus`` or ``basis`` are left alone.
    """
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


@lru_cache(maxsize=1 << 16)
def _term(word: str) -> str:
    """One non-Chinese word as a term; cached, since a catalog repeats a few thousand words millions of times."""
    return stem(_POSSESSIVE.sub("", word))
