"""Layer rules that import-linter cannot express: SQL is written only in ``vestis.catalog``.

import-linter sees an external package only as a whole (``sqlalchemy``), so it cannot tell
``from sqlalchemy import Engine`` (a type, fine anywhere) from ``from sqlalchemy import select``
(a query, which belongs in the catalog's reader functions). This test reads every module's
syntax tree instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vestis

PACKAGE = Path(vestis.__file__).parent
SQL_OWNERS = ("catalog",)
"""Packages of ``vestis`` that may write SQL; everyone else calls ``vestis.catalog``'s functions."""
QUERY_NAMES = frozenset(
    {"select", "text", "func", "insert", "update", "delete", "literal_column", "and_", "or_", "exists"}
)
"""Names that build SQL statements, whichever ``sqlalchemy`` module they are imported from."""
QUERY_CALLS = frozenset({"read_sql", "read_sql_query", "read_sql_table"})
"""pandas readers that run SQL."""


def sql_outside_catalog(root: Path = PACKAGE) -> list[str]:
    """``file:line: what`` for every SQL statement builder or SQL reader used outside the catalog."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in SQL_OWNERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        uses = sorted((node.lineno, what) for node in ast.walk(tree) if (what := _sql_use(node)))
        found += [f"src/vestis/{relative.as_posix()}:{line}: {what}" for line, what in uses]
    return found


def _sql_use(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
        names = sorted(alias.name for alias in node.names if alias.name in QUERY_NAMES or alias.name == "*")
        if names:
            return f"from {node.module} import {', '.join(names)}"
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name.split(".")[0] == "sqlalchemy"]
        if names:  # every statement builder is then one attribute away (sqlalchemy.select)
            return f"import {', '.join(names)}"
    if isinstance(node, ast.Call):
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        if name in QUERY_CALLS:
            return f"{name}(...)"
    return None


def test_sql_is_written_only_in_the_catalog() -> None:
    offenders = sql_outside_catalog()
    assert not offenders, (
        "SQL belongs in vestis.catalog (store.py / readers.py); call a reader function instead:\n"
        + "\n".join(offenders)
    )


def test_the_check_finds_sql(tmp_path: Path) -> None:
    (tmp_path / "capability").mkdir()
    (tmp_path / "capability" / "module.py").write_text(
        "import pandas as pd\n"
        "from sqlalchemy import Engine, func, select\n"
        "from sqlalchemy.sql import text\n"
        "frame = pd.read_sql(select(1), None)\n"
        "import sqlalchemy\n"
        "from sqlalchemy.orm import Session\n"
        "from sqlalchemy.exc import SQLAlchemyError\n"
    )
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "store.py").write_text("from sqlalchemy import select\n")
    assert sql_outside_catalog(tmp_path) == [
        "src/vestis/capability/module.py:2: from sqlalchemy import func, select",
        "src/vestis/capability/module.py:3: from sqlalchemy.sql import text",
        "src/vestis/capability/module.py:4: read_sql(...)",
        "src/vestis/capability/module.py:5: import sqlalchemy",
    ]
