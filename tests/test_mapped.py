"""An artefact's mapped pages are handed back after use, and nothing else is (``crm_core.mapped``)."""

import sys

import numpy as np
import pytest

from crm_core.mapped import hand_back, read_only_file_mappings, release_mapped_pages
from tests.conftest import resident_bytes_under

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise and /proc/self are Linux")

ROWS = 4_000_000  # 32 MB of float64


def _mapped(folder, mode="r"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "planes.bin"
    np.arange(ROWS, dtype=np.float64).tofile(path)
    return np.memmap(path, dtype=np.float64, mode=mode, shape=(ROWS,))


def test_released_pages_leave_the_resident_size_and_the_values_stay(tmp_path):
    planes = _mapped(tmp_path / "artefact")
    total = float(planes.sum())  # every page read
    assert resident_bytes_under(tmp_path / "artefact") > 30e6
    assert release_mapped_pages([tmp_path / "artefact"]) >= planes.nbytes
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
    assert float(planes.sum()) == total == ROWS * (ROWS - 1) / 2  # read again from the file


def test_writable_mappings_and_other_folders_keep_their_pages(tmp_path):
    written = _mapped(tmp_path / "artefact", mode="c")  # private and writable: its pages are its own
    written[0] = -1.0
    other = _mapped(tmp_path / "elsewhere")
    other.sum()
    assert release_mapped_pages([tmp_path / "artefact"]) == 0
    assert written[0] == -1.0  # released, the change would have been lost
    assert resident_bytes_under(tmp_path / "elsewhere") > 30e6
    assert read_only_file_mappings([tmp_path / "artefact"]) == []


def test_nothing_is_released_without_a_folder():
    assert release_mapped_pages([]) == 0
    assert release_mapped_pages([None]) == 0


def test_a_read_block_is_handed_back_and_the_rest_stays(tmp_path):
    planes = _mapped(tmp_path / "artefact")
    total = float(planes.sum())
    half = ROWS // 2
    assert hand_back(planes[:half]) >= planes[:half].nbytes
    resident = resident_bytes_under(tmp_path / "artefact")
    assert planes.nbytes / 2 - 1e6 < resident < planes.nbytes / 2 + 1e6  # the second half only
    assert float(planes.sum()) == total  # the first half read again from the file


def test_copies_writable_maps_and_strided_views_are_not_handed_back(tmp_path):
    written = _mapped(tmp_path / "artefact", mode="c")
    written[0] = -1.0
    assert hand_back(written[:10]) == 0
    assert written[0] == -1.0
    planes = _mapped(tmp_path / "other").reshape(-1, 4)
    planes.sum()
    assert hand_back(planes[:, [0, 2]]) == 0  # a copy
    assert hand_back(planes[:, 1]) == 0  # strided: its pages hold the other columns' values too
    assert hand_back(np.zeros(10)) == 0
    assert resident_bytes_under(tmp_path / "other") > 30e6


def test_a_stored_frames_column_is_handed_back_through_its_views(tmp_path):
    import pandas as pd

    planes = _mapped(tmp_path / "artefact")
    column = pd.Series(planes, copy=False).to_numpy(dtype=float)  # an ndarray whose bases lead to the map
    assert not isinstance(column, np.memmap)
    total = float(column.sum())
    assert hand_back(column) >= planes.nbytes
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
    assert float(column.sum()) == total
    writable = _mapped(tmp_path / "writable", mode="r+")
    writable.sum()
    assert hand_back(pd.Series(writable, copy=False).to_numpy()[:10]) == 0  # a writable map keeps its pages


def test_month_loops_over_a_stored_cube_keep_one_month_resident(tmp_path):
    from crm_core.mapped import read_once
    from crm_core.visits.cube import _nonzero_cells, group_monthly_active, group_monthly_sums

    planes = _mapped(tmp_path / "artefact").reshape(8, ROWS // 8)  # eight 4 MB months, read-only
    values = np.arange(ROWS, dtype=np.float64).reshape(8, ROWS // 8)  # the same, in memory
    codes = np.arange(ROWS // 8) % 3
    groups = [codes == g for g in range(3)]
    np.testing.assert_array_equal(group_monthly_sums(planes, codes, 3), [values[:, g].sum(axis=1) for g in groups])
    assert resident_bytes_under(tmp_path / "artefact") < 1e6  # each month handed back once summed
    active = [np.count_nonzero(values[:, g], axis=1) for g in groups]
    np.testing.assert_array_equal(group_monthly_active(planes, codes, 3), active)
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
    starts, _, value = _nonzero_cells(planes)
    assert starts[-1] == ROWS - 1 and value.sum() == values.sum()  # every cell but the one zero
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
    assert [int(read_once(np.count_nonzero, row)) for row in planes] == [ROWS // 8 - 1] + [ROWS // 8] * 7
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
