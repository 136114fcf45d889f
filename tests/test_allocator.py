"""The server caps glibc's malloc arenas unless the operator already did (``ui.allocator``)."""

import sys

import pytest

from ui.allocator import MALLOC_ARENAS, limit_malloc_arenas


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_cap_is_set_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert limit_malloc_arenas(MALLOC_ARENAS) is True


@pytest.mark.parametrize("name, value", [("MALLOC_ARENA_MAX", "4"), ("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")])
def test_the_operators_setting_wins(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert limit_malloc_arenas() is False


def test_serve_sets_it_before_streamlit_is_imported():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "serve.py").read_text()
    assert text.index("limit_malloc_arenas()") < text.index("import streamlit")
