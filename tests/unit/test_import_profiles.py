"""Customer profiles (consent-gated) and brand size charts from CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import counts, messages, run, write_file
from vestis.catalog.db import session_factory
from vestis.catalog.models import Customer, SizeChart
from vestis.data.importing import ImportFailed
from vestis.data.profiles import import_customers, import_size_charts

CUSTOMERS = """
    ID,Consent_Profile,gender,age,height_cm,waist_cm,loyalty_tier
    c1,yes,female,34,168,72,gold
    c2,no,male,41,181,90,
"""
SIZE_CHART = """
    brand,product_type,size,measurement,min_cm,max_cm
    Acme,Shirts,S,chest,86,91
    Acme,Shirts,M,chest,92,97
"""


def test_customer_profile_is_kept_only_with_consent(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, import_customers, write_file(tmp_path, "customers.csv", CUSTOMERS))

    assert (report.rows_written, report.errors) == (2, [])
    with session_factory(engine)() as session:
        consented, private = session.scalars(select(Customer).order_by(Customer.id)).all()
    assert (consented.consent_profile, consented.gender, consented.age) == (True, "female", 34)
    assert (consented.height_cm, consented.waist_cm) == (168.0, 72.0)
    assert consented.attributes == {"loyalty_tier": "gold"}  # unknown columns kept, with consent
    assert private.attributes == {}
    assert (private.consent_profile, private.gender, private.age, private.height_cm) == (
        False,
        None,
        None,
        None,
    )


def test_reimporting_customers_and_size_charts_changes_no_counts(engine: Engine, tmp_path: Path) -> None:
    customers = write_file(tmp_path, "customers.csv", CUSTOMERS)
    chart = write_file(tmp_path, "sizes.csv", SIZE_CHART)
    for _ in range(2):
        run(engine, import_customers, customers)
        run(engine, import_size_charts, chart)
        assert (counts(engine)["customers"], counts(engine)["size_charts"]) == (2, 2)


def test_bad_customer_rows_are_reported_by_line(engine: Engine, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "customers.csv",
        """
        id,consent_profile,age,height_cm
        c1,true,34,170
        c1,true,35,171
        c2,maybe,30,
        c3,true,200,
        """,
    )
    report = run(engine, import_customers, path)

    errors = messages(report)
    assert report.rows_written == 1 and report.rows_rejected == 3
    assert errors[0].startswith(f"{path}:3: duplicate id 'c1' (first seen on line 2)")
    assert errors[1].startswith(f"{path}:4: consent_profile: Input should be a valid boolean")
    assert errors[2] == f"{path}:5: age: Input should be less than or equal to 120"


def test_size_chart_rows_are_validated(engine: Engine, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "sizes.csv",
        """
        brand,product_type,size,measurement,min_cm,max_cm
        Acme,Shirts,S,chest,86,91
        Acme,Shirts,M,neck,36,38
        Acme,Shirts,L,chest,104,98
        """,
    )
    report = run(engine, import_size_charts, path)

    assert report.rows_written == 1
    assert messages(report) == [
        f"{path}:3: measurement: expected one of chest, waist, hips, inseam, height, foot_length, head; "
        "got 'neck'",
        f"{path}:4: min_cm (104.0) is greater than max_cm (98.0)",
    ]
    with session_factory(engine)() as session:
        assert [(c.size, c.min_cm, c.max_cm) for c in session.scalars(select(SizeChart))] == [("S", 86, 91)]


def test_missing_size_chart_column_fails_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_size_charts, write_file(tmp_path, "sizes.csv", SIZE_CHART))
    before = counts(engine)
    path = write_file(
        tmp_path, "partial.csv", "brand,product_type,size,measurement,min_cm\nAcme,Hats,S,head,50\n"
    )

    with pytest.raises(ImportFailed, match=r"partial\.csv: missing required column\(s\): max_cm"):
        run(engine, import_size_charts, path)
    assert counts(engine) == before


def test_strict_customer_import_aborts_and_keeps_earlier_rows(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_customers, write_file(tmp_path, "customers.csv", CUSTOMERS))
    before = counts(engine)
    path = write_file(tmp_path, "bad.csv", "id,age\nc7,20\nc8,old\n")

    with pytest.raises(ImportFailed, match=r"bad\.csv:3: age: .*strict mode"):
        run(engine, import_customers, path, strict=True)
    assert counts(engine) == before
