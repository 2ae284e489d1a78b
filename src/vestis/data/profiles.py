"""Customer profiles and brand size charts (CSV) into the catalog."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.data.importing import ImportReport, run_import
from vestis.data.schemas import CustomerRecord, SizeChartRecord
from vestis.data.tables import open_table


def import_customers(
    session: Session, path: Path, *, strict: bool = False, progress: bool = True
) -> ImportReport:
    """Upsert customers from a CSV with ``id`` and optional consent and profile columns.

    Profile columns (gender, age, height_cm, weight_kg, chest_cm, waist_cm, hips_cm)
    are only stored for rows whose ``consent_profile`` is true.
    """
    with open_table(path, required=("id",), lower_header=True, progress=progress) as (_h, rows):
        return run_import(
            session,
            source=str(path),
            rows=rows,
            schema=CustomerRecord,
            write=lambda s, chunk: store.upsert_customers(s, rows=chunk),
            strict=strict,
            key=lambda record: record.id,  # type: ignore[attr-defined]
        )


def import_size_charts(
    session: Session, path: Path, *, strict: bool = False, progress: bool = True
) -> ImportReport:
    """Upsert size-chart ranges from a CSV: brand, product_type, size, measurement, min_cm, max_cm."""
    required = ("brand", "product_type", "size", "measurement", "min_cm", "max_cm")
    with open_table(path, required=required, lower_header=True, progress=progress, multiline=False) as (
        _h,
        rows,
    ):
        return run_import(
            session,
            source=str(path),
            rows=rows,
            schema=SizeChartRecord,
            write=lambda s, chunk: store.upsert_size_charts(s, rows=chunk),
            strict=strict,
            key=lambda r: (r.brand, r.product_type, r.size, r.measurement),  # type: ignore[attr-defined]
        )
