"""Big documents are bounded: 3,000 measures read with bounded memory, more than the limit refused.

Peak memory is measured with tracemalloc in-process. libxml2 allocates outside Python's
allocator, so tracemalloc cannot see an lxml tree: for the DOCX the peak RSS of a child
process reading the file is checked as well. The bounds are a few times what was measured
(docs/performance.md has the figures); reading a whole tree instead of streaming exceeds them.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from bench.documents import big_csv, big_docx, big_xlsx
from roadmap.importers import ImportFailed, read_document, read_text
from roadmap.importers.document import MAX_MEASURES
from roadmap.russian import quantity

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def _peak(data: bytes, name: str):
    tracemalloc.start()
    try:
        parsed = read_document(data, name)
        return parsed, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("build", "name"), [(big_csv, "plan.csv"), (big_docx, "plan.docx"), (big_xlsx, "plan.xlsx")])
def test_a_3000_measure_document_reads_every_measure_in_bounded_memory(build, name):
    parsed, peak = _peak(build(3000), name)
    assert len(parsed.measures) == 3000 and len(parsed.sections) == 60
    last = parsed.measures[-1]
    assert (last.section_number, last.title[:17]) == ("60", "Мероприятие 3000:")
    # measured: 7 to 15 MB of Python objects (rows, cells, measures) for these 0.1-1 MB files
    assert peak < 40 * MB, peak / MB


CHILD = """
import json, resource, sys
from roadmap.importers import read_document
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parsed = read_document(data, "plan.docx")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"measures": len(parsed.measures), "grown_kb": after - before}))
"""


def test_a_docx_with_25_mb_of_xml_is_streamed_not_held_as_a_tree(tmp_path):
    data = big_docx(3000, target_bytes=5 * MB)
    xml_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    assert xml_size > 25 * MB  # a tree of it takes about ten times that
    path = tmp_path / "plan.docx"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["measures"] == 3000
    # measured: about 25 MB grown for 51 MB of XML (the whole tree: 494 MB)
    assert result["grown_kb"] * 1024 < 100 * MB, result


@pytest.mark.parametrize(("build", "name"), [(big_csv, "plan.csv"), (big_docx, "plan.docx"), (big_xlsx, "plan.xlsx")])
def test_a_document_with_more_measures_than_the_limit_is_refused_naming_it(build, name):
    with pytest.raises(ImportFailed) as refused:
        read_document(build(MAX_MEASURES + 1), name)
    assert refused.value.message == (
        f"В документе {quantity(MAX_MEASURES + 1, 'мероприятие', 'мероприятия', 'мероприятий')}, "
        "а в одной дорожной карте может быть не больше "
        f"{MAX_MEASURES}: разделите документ на несколько дорожных карт"
    )


def test_pasted_text_over_the_limit_is_refused_too():
    with pytest.raises(ImportFailed, match=f"не больше {MAX_MEASURES}"):
        read_text(big_csv(MAX_MEASURES + 1).decode("utf-8").replace(";", "\t"))


def test_the_limit_itself_is_accepted():
    assert len(read_document(big_docx(MAX_MEASURES), "plan.docx").measures) == MAX_MEASURES
