"""Opening OOXML zip packages without trusting them (zip bombs, lying headers)."""

from __future__ import annotations

import io
import zipfile
import zlib

from roadmap.importers.model import ImportFailed

MAX_TOTAL_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBER = 60 * 1024 * 1024
MAX_RATIO = 200  # text XML compresses 10-30x; hundreds-fold is a bomb
MAX_MEMBERS = 5000
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
BOMB = "Архив подозрительно сильно сжат (zip-бомба): файл не обработан"


def open_zip(data: bytes, corrupt_message: str) -> zipfile.ZipFile:
    """A zip archive checked against bombs before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        IndexError,
        NotImplementedError,
    ) as error:
        raise ImportFailed(corrupt_message) from error
    if len(infos) > MAX_MEMBERS:
        raise ImportFailed(BOMB)
    total = 0
    for info in infos:
        if info.compress_type not in _METHODS or info.extract_version > zipfile.MAX_EXTRACT_VERSION:
            raise ImportFailed(corrupt_message)
        if info.flag_bits & 0x1:
            raise ImportFailed("Документ защищён паролем: снимите защиту и загрузите снова")
        total += info.file_size
        if info.file_size > MAX_MEMBER or total > MAX_TOTAL_UNCOMPRESSED:
            raise ImportFailed(BOMB)
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFailed(BOMB)
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER) -> bytes:
    """A member's bytes, reading no more than ``limit`` whatever its header claims."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limit + 1)
    except KeyError as error:
        raise ImportFailed("Файл повреждён: в архиве нет нужной части") from error
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ImportFailed("Файл повреждён или не является документом Word или Excel") from error
    if len(data) > limit:
        raise ImportFailed(BOMB)
    return data
