"""Micro-benchmarks of load, validate and score at three knowledge-base sizes.

Not part of the default run (they measure, they do not check): run them with
``python -m pytest -m benchmark``. Start-up against the stack's floor is measured by
``python benchmarks/run.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipthrust_cli.core import diagnose as engine
from hipthrust_cli.kb import loading
from hipthrust_cli.kb.files import FILES

from .conftest import ROOT, story

pytestmark = pytest.mark.benchmark
SIZES = [1, 10, 100]


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def overlays(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[Path]]:
    run = _bench_module()
    run.WORK = tmp_path_factory.mktemp("bench")
    return {n: [] if n == 1 else [run.scaled_kb(n)] for n in SIZES}


@pytest.mark.parametrize("size", SIZES)
def test_load(benchmark: Any, overlays: dict[int, list[Path]], size: int) -> None:
    kb = benchmark(loading.load, overlays[size])
    assert len(kb.mistakes) >= 15 * size


@pytest.mark.parametrize("size", SIZES)
def test_validate(benchmark: Any, overlays: dict[int, list[Path]], size: int) -> None:
    folder = overlays[size][0] if overlays[size] else ROOT / "data"
    data = yaml.safe_load((folder / "mistakes.yaml").read_text())
    parsed = benchmark(FILES["mistakes.yaml"].model.model_validate, data)
    assert len(parsed.mistakes) >= 15 * size


@pytest.mark.parametrize("size", SIZES)
def test_score(benchmark: Any, overlays: dict[int, list[Path]], size: int) -> None:
    kb = loading.load(overlays[size])
    answers = story(lockout_arch="clearly", bench_height="high", plank_time="under_30s")
    ranked = benchmark(engine.rank, kb, answers)
    assert ranked
