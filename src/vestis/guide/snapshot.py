"""What the guide's search knows about the catalog at one moment, and how it is kept on disk.

A :class:`Snapshot` holds the products as :class:`~vestis.guide.vocabulary.GuideProduct`, their
hard-constraint facets as integer codes, prices, sizes, the BM25 matrix and the vocabulary.
Building one for 100,000 products takes seconds (reading the rows, tokenising every text); a
saved one loads in a fraction of that, so a process that opens the search index — a CLI call,
a server starting — reuses it while the catalog's fingerprint is the one it was
built from (:class:`~vestis.guide.vocabulary.CatalogState`), and rebuilds it otherwise.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from vestis.files import replacing
from vestis.guide.bm25 import bm25_matrix, bm25_scores
from vestis.guide.query import Query, admitted_age_groups
from vestis.guide.vocabulary import CatalogState, GuideProduct, Vocabulary
from vestis.text.tokens import terms as search_terms

__all__ = ["FACETS", "Facet", "Snapshot", "vectors_digest"]

FACETS = ("product_type", "subcategory", "color", "pattern", "material", "gender", "age_group",
          "style", "season", "occasion")  # fmt: skip
"""The product attributes a request filters or prefers on, each kept as a :class:`Facet`."""
FORMAT = 1
"""Version of a saved snapshot's layout; a snapshot of another version is rebuilt, not read."""


@dataclass(frozen=True)
class Facet:
    """One lower-cased product attribute as integer codes, so a filter is one array lookup, not string compares."""

    codes: np.ndarray
    index: Mapping[str, int]

    @classmethod
    def of(cls, values: Sequence[str]) -> Facet:
        """The facet of ``values`` (one per product, already lower-cased)."""
        index: dict[str, int] = {}
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values)
        )
        return cls(codes, index)

    @classmethod
    def restore(cls, codes: np.ndarray, values: Sequence[str]) -> Facet:
        """The facet saved as its ``codes`` and its distinct ``values`` in code order."""
        if len(codes) and (codes.min() < 0 or codes.max() >= len(values)):
            raise ValueError(f"facet codes outside its {len(values)} values")
        return cls(codes.astype(np.int32, copy=False), {value: code for code, value in enumerate(values)})

    def isin(self, values: Iterable[str]) -> np.ndarray:
        """Rows whose value is one of ``values`` (already lower-cased)."""
        wanted = np.zeros(len(self.index) + 1, dtype=bool)
        wanted[[self.index[v] for v in values if v in self.index]] = True
        return wanted[self.codes]


@dataclass(frozen=True)
class Snapshot:
    """Everything one catalog snapshot answers from; replaced whole when the catalog changes.

    ``catalog`` is the fingerprint the products were read at (``None`` when unknown);
    ``labels`` are the products' rows in the search's vector store, in product order.
    """

    products: tuple[GuideProduct, ...]
    rows: Mapping[str, int]
    labels: np.ndarray
    facets: Mapping[str, Facet]
    prices: np.ndarray
    sizes: Mapping[str, np.ndarray]
    bm25: sparse.csc_matrix
    terms: Mapping[str, int]
    vocabulary: Vocabulary
    catalog: CatalogState | None = None

    @classmethod
    def empty(cls) -> Snapshot:
        """The snapshot of an empty catalog."""
        return cls.assemble((), {}, sparse.csc_matrix((0, 0)), {})

    @classmethod
    def build(
        cls,
        products: Sequence[GuideProduct],
        labels: Mapping[str, int],
        *,
        k1: float,
        b: float,
        catalog: CatalogState | None = None,
    ) -> Snapshot:
        """Index ``products`` (ordered by id): tokenise every text and weigh its terms with BM25."""
        bm25, terms = bm25_matrix([search_terms(p.text()) for p in products], k1=k1, b=b)
        return cls.assemble(products, labels, bm25, terms, catalog=catalog)

    @classmethod
    def assemble(
        cls,
        products: Sequence[GuideProduct],
        labels: Mapping[str, int],
        bm25: sparse.csc_matrix,
        terms: Mapping[str, int],
        *,
        catalog: CatalogState | None = None,
        facets: Mapping[str, Facet] | None = None,
    ) -> Snapshot:
        """The snapshot of ``products`` with an already built BM25 matrix (and facets, when given)."""
        products = tuple(products)
        n = len(products)
        rows_by_size: dict[str, list[int]] = {}
        for row, product in enumerate(products):
            for size in product.sizes:
                rows_by_size.setdefault(size.lower(), []).append(row)
        sizes = {size: _mask(n, rows) for size, rows in rows_by_size.items()}
        return cls(
            products=products,
            rows={p.id: row for row, p in enumerate(products)},
            labels=np.array([labels[p.id] for p in products], dtype=np.int64),
            facets=facets
            or {name: Facet.of([getattr(p, name).lower() for p in products]) for name in FACETS},
            prices=np.array([np.nan if p.price is None else p.price for p in products], dtype=float),
            sizes=sizes,
            bm25=bm25,
            terms=terms,
            vocabulary=Vocabulary.from_products(products),
            catalog=catalog,
        )

    def save(self, path: Path, *, vectors: str) -> None:
        """Write the products, the BM25 matrix and the fingerprint into one file (replaced atomically).

        ``vectors`` is the :func:`vectors_digest` of the vector store saved beside it: a
        snapshot is only read back next to the very vectors it was saved with.
        """
        header = {
            "format": FORMAT,
            "fields": _FIELD_NAMES,
            "catalog": None if self.catalog is None else [self.catalog.products, self.catalog.updated_at],
            "vectors": vectors,
        }
        with replacing(path) as temporary, temporary.open("wb") as handle:
            np.savez(
                handle,
                header=_json_bytes(header),
                products=_json_bytes([[getattr(p, name) for name in _FIELD_NAMES] for p in self.products]),
                terms=_json_bytes(sorted(self.terms, key=self.terms.__getitem__)),
                data=self.bm25.data,
                indices=self.bm25.indices,
                indptr=self.bm25.indptr,
                shape=np.array(self.bm25.shape, dtype=np.int64),
                facets=_json_bytes({name: list(self.facets[name].index) for name in FACETS}),
                **{f"codes_{name}": self.facets[name].codes for name in FACETS},
            )

    @classmethod
    def load(
        cls, path: Path, labels: Mapping[str, int], *, catalog: CatalogState, vectors: str
    ) -> Snapshot | None:
        """The snapshot saved at ``path`` if it was taken at fingerprint ``catalog`` beside ``vectors``; else None.

        None also when the file is missing, unreadable or of another layout: the caller rebuilds.
        """
        try:
            with np.load(path, allow_pickle=False) as saved:
                header = json.loads(saved["header"].tobytes())
                if (
                    header.get("format") != FORMAT
                    or header.get("fields") != list(_FIELD_NAMES)
                    or header.get("catalog") != [catalog.products, catalog.updated_at]
                    or header.get("vectors") != vectors
                ):
                    return None
                products = [_product(row) for row in json.loads(saved["products"].tobytes())]
                terms = {term: column for column, term in enumerate(json.loads(saved["terms"].tobytes()))}
                shape = tuple(int(n) for n in saved["shape"])
                bm25 = sparse.csc_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=shape)
                values = json.loads(saved["facets"].tobytes())
                facets = {name: Facet.restore(saved[f"codes_{name}"], values[name]) for name in FACETS}
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
            return None
        if any(p.id not in labels for p in products) or any(
            len(f.codes) != len(products) for f in facets.values()
        ):
            return None
        return cls.assemble(products, labels, bm25, terms, catalog=catalog, facets=facets)

    # -- answering ------------------------------------------------------------------------------

    def admissible(self, query: Query) -> np.ndarray:
        """Rows that satisfy every hard constraint of ``query`` (the same rules as ``Query.admits``)."""
        n = len(self.products)
        mask = np.ones(n, dtype=bool)

        def isin(name: str, values: Sequence[str]) -> np.ndarray:
            return self.facets[name].isin(v.lower() for v in values)

        if query.product_types:
            mask &= isin("product_type", query.product_types) | isin("subcategory", query.product_types)
        if query.exclude_product_types:
            mask &= ~(
                isin("product_type", query.exclude_product_types)
                | isin("subcategory", query.exclude_product_types)
            )
        for name, wanted, unwanted in (("color", query.colors, query.exclude_colors),
                                       ("pattern", query.patterns, query.exclude_patterns),
                                       ("material", query.materials, query.exclude_materials)):  # fmt: skip
            if wanted:
                mask &= isin(name, wanted)
            if unwanted:
                mask &= ~isin(name, unwanted)
        if query.gender:
            mask &= isin("gender", [query.gender, "unisex"])
        if query.age_group:
            mask &= isin("age_group", admitted_age_groups(query.age_group))
        with np.errstate(invalid="ignore"):
            if query.price_min is not None:
                mask &= self.prices >= query.price_min
            if query.price_max is not None:
                mask &= self.prices <= query.price_max
        if query.size:
            mask &= self.sizes.get(query.size.lower(), np.zeros(n, dtype=bool))
        if query.exclude_ids:
            mask[[self.rows[i] for i in query.exclude_ids if i in self.rows]] = False
        return mask

    def lexical(self, query: Query) -> np.ndarray:
        """BM25 of every row for the query's free text plus its canonical catalog words."""
        words = " ".join((query.text, *query.product_types, *query.colors, *query.patterns, *query.materials,
                          *query.occasions, *query.seasons))  # fmt: skip
        return bm25_scores(self.bm25, [self.terms[t] for t in search_terms(words) if t in self.terms])

    def soft(self, query: Query) -> np.ndarray:
        """Mean occasion/season preference match per row, in [0, 1] (as :meth:`Preference.score`)."""
        preferences = [
            self.vocabulary.preferences[n]
            for n in (*query.occasions, *query.seasons)
            if n in self.vocabulary.preferences
        ]
        total = np.zeros(len(self.products))
        for preference in preferences:
            checks = [(preference.styles, "style"), (preference.kinds, "subcategory"),
                      (preference.materials, "material"), (preference.seasons, "season")]  # fmt: skip
            used = [self.facets[name].isin(wanted) for wanted, name in checks if wanted]
            share = np.mean(used, axis=0) if used else np.zeros(len(self.products))
            if preference.occasions:  # a stated occasion decides (see Preference.score)
                occasion = self.facets["occasion"]
                share = np.where(~occasion.isin([""]), occasion.isin(preference.occasions), share)
            total += share
        return total / max(len(preferences), 1)


def vectors_digest(hashes: Mapping[str, str]) -> str:
    """One digest of a vector store's per-product content hashes: which vectors a snapshot belongs with."""
    return hashlib.sha1(json.dumps(sorted(hashes.items())).encode("utf-8")).hexdigest()


def _json_bytes(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, separators=(",", ":")).encode("utf-8"), dtype=np.uint8)


def _mask(n: int, rows: list[int]) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _product(row: list[Any]) -> GuideProduct:
    """A product from its saved field values (JSON has no tuples: ``sizes`` comes back a list)."""
    if len(row) != len(_FIELD_NAMES):
        raise ValueError(f"a saved product has {len(row)} fields, expected {len(_FIELD_NAMES)}")
    row[_SIZES] = tuple(row[_SIZES])
    return GuideProduct(*row)


_FIELD_NAMES = tuple(f.name for f in fields(GuideProduct))
_SIZES = _FIELD_NAMES.index("sizes")
