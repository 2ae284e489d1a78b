"""The evaluation report: Markdown with the score table and readable PNG charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from vestis.recommend.evaluate import EvaluationResult
from vestis.recommend.report import reproduce_command, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def scores(ndcg: float, bias: float) -> dict[str, float]:
    metrics = {
        f"{name}@{k}": value * k / 10
        for k in (1, 5, 10)
        for name, value in {"ndcg": ndcg, "recall": 2 * ndcg, "map": ndcg / 2, "precision": ndcg / 5}.items()
    }
    metrics |= {f"coverage@{k}": 0.01 * k for k in (1, 5, 10)}
    metrics |= {f"popularity_bias@{k}": bias for k in (1, 5, 10)}
    return metrics | {"fit_seconds": 1.5, "users_per_second": 1234.0, "n_users": 587, "n_items": 9742}


@pytest.fixture
def result() -> EvaluationResult:
    return EvaluationResult(
        dataset="movielens:ml-small",
        protocol="leave-last-out",
        k=10,
        ks=(1, 5, 10),
        models={"popular": scores(0.02, 0.99), "als": scores(0.04, 0.9)},
        split={"train_interactions": 100_226, "test_users": 587, "dropped_unseen_items": 23},
        source="movielens:/data/ml-small",
    )


def test_write_report_writes_markdown_and_charts(result: EvaluationResult, tmp_path: Path) -> None:
    path = write_report(result, tmp_path / "report")
    text = path.read_text()
    assert path.name == "report.md"
    assert "| popular | 0.0200 | 0.0400 | 0.0100 |" in text
    assert "| Training events | 100,226 |" in text and "Dropped: item unseen in training" in text
    assert reproduce_command(result) in text
    for chart in ("metrics.png", "metrics_vs_k.png", "popularity.png"):
        assert f"]({chart})" in text
        assert (tmp_path / "report" / chart).read_bytes()[:8] == PNG_SIGNATURE


def test_reproduce_command_names_every_option(result: EvaluationResult) -> None:
    command = reproduce_command(result, json_path="out.json", report_dir="docs/run")
    assert command == (
        "vestis evaluate --data movielens:/data/ml-small --models popular,als --protocol leave-last-out "
        "--k 10 --json out.json --report docs/run"
    )


def test_custom_command_and_result_read_back_from_json(result: EvaluationResult, tmp_path: Path) -> None:
    loaded = EvaluationResult.load_json(result.save_json(tmp_path / "scores.json"))
    path = write_report(loaded, tmp_path, command="python -m benchmarks.recommenders")
    assert "python -m benchmarks.recommenders" in path.read_text()


def test_empty_result_is_rejected(tmp_path: Path) -> None:
    empty = EvaluationResult("d", "temporal", 12, (12,), {})
    with pytest.raises(ValueError, match="result"):
        write_report(empty, tmp_path)
