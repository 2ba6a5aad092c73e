"""Streaming the JSON members of a zip archive (an OSV ``all.zip``), bytes only.

``zipfile`` reads the central directory (zip64 included) and describes each member; the members
are then read here straight from the file in archive order: one seek and one read per member,
the deflate stream inflated with a size cap and the CRC checked. ``ZipFile.read`` per member
costs several times more (a new ZipExtFile, a second header parse, small reads), which at
200,000 members was most of the time of a first audit over all.zip.

Every member is hostile input: an encrypted or oddly compressed member, a member whose declared
size is implausible for a JSON record, an inflated size or a CRC that does not match, or a local
header that is not where the directory says: each is an InvalidInputError naming ``zip!member``.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from irbook.audit.lockfiles.osv_records import invalid
from irbook.errors import InvalidInputError
from irbook.files import limits
from irbook.files.read import open_regular

# An OSV record is kilobytes: a member this large is a bomb, refused before it is inflated (the
# general limit for one advisory file is higher than a streamed import should ever hold).
MAX_MEMBER = min(limits.ADVISORY_FILE_BYTES, 64 * 1024 * 1024)
KIND = "advisory dump"
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, (22 bytes we do not need), name, extra
_LOCAL_SIGNATURE = b"PK\x03\x04"
HINT = "re-download the dump (e.g. npm/all.zip from the OSV bucket)"


def json_members(path: Path) -> list[zipfile.ZipInfo]:
    """The ``.json`` members, in archive order."""
    try:
        with open_regular(path, kind=KIND) as raw, zipfile.ZipFile(raw) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise invalid(str(path), f"not a readable zip file: {exc}", hint=HINT) from None
    members = [i for i in infos if not i.is_dir() and i.filename.endswith(".json")]
    members.sort(key=lambda m: m.header_offset)
    return members


def fingerprint(path: Path) -> str:
    """The dump's size and a SHA-256 of its raw central directory (every member's name, CRC,
    sizes and offset): equal fingerprints mean the same records. Found from the end-of-central-
    directory record (zip64 too) without building 200,000 ZipInfo objects, so a cached run
    costs milliseconds; hashed in chunks, so memory stays flat."""
    try:
        with open_regular(path, kind=KIND) as handle:  # a FIFO is refused, never waited on
            size = handle.seek(0, 2)
            offset, length = _central_directory(handle, size)
            if offset + length > size:
                raise ValueError("the central directory runs past the end (truncated download?)")
            digest = hashlib.sha256()
            handle.seek(offset)
            while length > 0:
                chunk = handle.read(min(length, 1 << 20))
                if not chunk:
                    raise ValueError("the file ends inside the central directory")
                digest.update(chunk)
                length -= len(chunk)
    except (OSError, ValueError, struct.error) as exc:
        raise invalid(str(path), f"not a readable zip file: {exc}", hint=HINT) from None
    return f"{size}:{digest.hexdigest()}"


_EOCD = struct.Struct("<4s4xHHIIH")  # signature, (disks), entries here, total, cd size, offset
_ZIP64_LOCATOR = struct.Struct("<4sIQI")  # signature, disk, offset of the zip64 record, disks
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")  # ..., entries here, total, cd size, cd offset


def _central_directory(handle: BinaryIO, size: int) -> tuple[int, int]:
    """(offset, length) of the central directory, from the records at the end of the file."""
    tail_length = min(size, _EOCD.size + 0xFFFF)  # the record, then a comment of up to 64 KiB
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise ValueError("no end-of-central-directory record (not a zip, or truncated)")
    _, _, total, length, offset, _ = _EOCD.unpack_from(tail, at)
    if total == 0xFFFF or length == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        if at < _ZIP64_LOCATOR.size:
            raise ValueError("zip64 locator missing")
        signature, _, record_at, _ = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        if signature != b"PK\x06\x07":
            raise ValueError("zip64 locator missing")
        handle.seek(record_at)
        record = handle.read(_ZIP64_EOCD.size)
        if len(record) != _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            raise ValueError("zip64 end-of-central-directory record missing")
        *_, length, offset = _ZIP64_EOCD.unpack(record)
    return offset, length


def open_archive(path: Path) -> BinaryIO:
    """The dump, opened for ``member_bytes``."""
    try:
        return open_regular(path, kind=KIND)
    except OSError as exc:
        raise invalid(str(path), f"cannot read zip file: {exc.strerror}", hint=HINT) from None


def member_bytes(handle: BinaryIO, member: zipfile.ZipInfo, path: Path) -> bytes:
    where = f"{path}!{member.filename}"
    if member.flag_bits & 0x1:
        raise _bad(where, "the member is encrypted")
    if member.file_size > MAX_MEMBER or member.compress_size > MAX_MEMBER:
        raise _bad(where, f"the member declares {member.file_size} bytes: too large for a record")
    try:
        handle.seek(member.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(30))
        if signature != _LOCAL_SIGNATURE:
            raise _bad(where, "no local file header where the central directory says")
        handle.seek(name_length + extra_length, 1)
        raw = handle.read(member.compress_size)
    except (struct.error, OSError, ValueError) as exc:
        raise _bad(where, f"cannot read the member: {exc}") from None
    if len(raw) != member.compress_size:
        raise _bad(where, "the archive ends inside this member (truncated download?)")
    data = _inflate(raw, member, where)
    if zlib.crc32(data) != member.CRC:
        raise _bad(where, "CRC mismatch: the member is corrupt")
    return data


def _inflate(raw: bytes, member: zipfile.ZipInfo, where: str) -> bytes:
    if member.compress_type == zipfile.ZIP_STORED:
        data = raw
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, member.file_size + 1)  # never more than declared + 1
        except zlib.error as exc:
            raise _bad(where, f"cannot inflate the member: {exc}") from None
    else:
        raise _bad(where, f"unsupported compression method {member.compress_type}")
    if len(data) != member.file_size:
        raise _bad(
            where, f"the member inflates to {len(data)} bytes, not the {member.file_size} declared"
        )
    return data


def _bad(where: str, message: str) -> InvalidInputError:
    return invalid(where, f"cannot read zip member: {message}", hint=HINT)
