"""Item attributes as content, visual and hybrid recommenders see them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vestis.catalog.images import product_image_file
from vestis.catalog.models import Product

TEXT_FIELDS = ("title", "product_type", "color", "pattern", "material", "gender", "brand", "description")
COLUMNS = (*TEXT_FIELDS, "price", "image_path")


@dataclass(frozen=True)
class ItemCatalog:
    """One row per item: Merchant Center attributes, price and the local image file (or None)."""

    frame: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ItemCatalog:
        """From a frame with an ``id`` column (or index) and any of the attribute columns."""
        frame = frame.set_index("id") if "id" in frame.columns else frame.copy()
        frame.index = frame.index.astype(str)
        for column in COLUMNS:
            if column not in frame.columns:
                frame[column] = None
        text = list(TEXT_FIELDS)
        frame[text] = frame[text].astype(object).where(frame[text].notna(), "")
        return cls(frame[list(COLUMNS)].sort_index())

    @classmethod
    def from_products(cls, products: Iterable[Product], *, images_dir: Path | None = None) -> ItemCatalog:
        """From catalog rows; image paths resolve under ``images_dir`` when it is given."""
        records = []
        for product in products:
            image = product_image_file(images_dir, product.image_path) if images_dir else None
            record = {column: getattr(product, column, None) for column in COLUMNS}
            genres = (product.attributes or {}).get("genres")
            if genres:
                listed = " ".join(genres) if isinstance(genres, list) else str(genres)
                record["product_type"] = f"{record['product_type'] or ''} {listed}".strip()
            records.append({**record, "id": product.id, "image_path": str(image) if image else None})
        return cls.from_frame(pd.DataFrame.from_records(records, columns=["id", *COLUMNS]))

    @property
    def ids(self) -> np.ndarray:
        """Item ids in row order."""
        return self.frame.index.to_numpy(dtype=str)

    def __len__(self) -> int:
        return len(self.frame)

    def texts(self) -> list[str]:
        """One descriptive text per item, for lexical and semantic encoders."""
        parts = self.frame[list(TEXT_FIELDS)].astype(str)
        return [" . ".join(p for p in row if p and p != "None") for row in parts.itertuples(index=False)]

    def titles(self) -> dict[str, str]:
        """Item id → title, for explanations."""
        return dict(zip(self.frame.index, self.frame["title"].astype(str), strict=True))
