"""Header values written by hand, so that decoding gives back exactly the text that was encoded.

CPython's own folding (``email.policy``) loses the space between two encoded words ("releases —
credential" decodes as "releases— credential"), writes empty encoded words, folds a long ASCII
subject right after ``Subject:`` and puts encoded words inside an addr-spec, which RFC 2047
section 5 forbids. Here:

- ASCII text is folded only at a space (the space stays, so unfolding restores it) and never
  before the first word; a word longer than a line stays whole (RFC 5322 allows 998 octets).
- Any other text becomes a run of ``=?utf-8?b?...?=`` words, each at most 75 characters and cut at
  character boundaries. Whitespace between encoded words is ignored by decoders, so every space
  lives inside a word and nothing is lost or added.
- A display name's runs of white space become one space (decoders do that to encoded words in a
  phrase anyway), then it is a quoted-string when ASCII and one encoded word otherwise (at most
  ``MAX_DISPLAY_NAME`` characters).
- Addresses must be ASCII: a non-ASCII addr-spec needs SMTPUTF8 end to end, which irbook does not
  promise, so it is refused before anything is written (``check_ascii_address``).
"""

from __future__ import annotations

import base64
from email.utils import parseaddr

from irbook.errors import UsageError

MAX_DISPLAY_NAME = 200
MAX_LINE = 78  # RFC 5322 section 2.1.1: lines SHOULD be at most 78 characters
_ENCODED_MAX = 75  # RFC 2047 section 2: an encoded word is at most 75 characters
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="


def fold_unstructured(name: str, text: str) -> str:
    """The value of header ``name`` (without ``Name: ``), folded with ``\\r\\n `` where needed."""
    if text.isascii() and not _looks_encoded(text):
        return _fold_ascii(len(name) + 2, text)
    # The first word shares its line with "Name: "; the others each open a line after a space.
    return "\r\n ".join(_encoded_words(text, first_line=MAX_LINE - len(name) - 2))


def mailbox(value: str) -> str:
    """``Display Name <addr>`` with the display name encoded when it is not plain ASCII."""
    display, address = parseaddr(value)
    check_ascii_address(address)
    # Readers fold runs of white space in a decoded display name into one space; folding them
    # here first means the name written is exactly the name read back.
    display = " ".join(display.split())
    if not display:
        return address
    if display.isascii() and not _looks_encoded(display):
        # Always a quoted-string: an unquoted phrase loses runs of spaces when it is parsed.
        escaped = display.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    if len(display) > MAX_DISPLAY_NAME:
        raise UsageError(
            f"the display name {display[:40]!r}... is longer than {MAX_DISPLAY_NAME} characters",
            hint="shorten the name in --to or IRBOOK_SMTP_FROM; nothing was written or sent",
        )
    # One encoded word for the whole name: decoders put a space between two encoded words of a
    # phrase (CPython does) or none (RFC 2047), so only a single word reads back the same
    # everywhere. It may pass RFC 2047's 75 characters; readers accept that.
    return f"{_word(display.encode('utf-8'))} <{address}>"


def check_ascii_address(address: str) -> str:
    if not address.isascii():
        raise UsageError(
            f"the address {address!r} is not ASCII; irbook writes and sends only ASCII "
            "addresses (an internationalised address needs SMTPUTF8 end to end)",
            hint="use the mailbox's ASCII alias, or put the name in the display part: "
            "'Ünïcödé <unicode@acme.example>'; nothing was written or sent",
        )
    return address


def _looks_encoded(text: str) -> bool:
    # Plain text that happens to contain "=?" would be decoded by the reader as an encoded
    # word; encoding it keeps it literal.
    return "=?" in text


def _fold_ascii(used: int, text: str) -> str:
    lines: list[str] = []
    line = ""
    for i, word in enumerate(text.split(" ")):
        piece = word if i == 0 else " " + word
        if line.strip() and used + len(line) + len(piece) > MAX_LINE:
            lines.append(line)
            line, used = piece, 0  # the space opens the continuation line: unfolding keeps it
        else:
            line += piece
    lines.append(line)
    return "\r\n".join(lines)


def _encoded_words(text: str, *, first_line: int = _ENCODED_MAX) -> list[str]:
    words: list[str] = []
    chunk = b""
    for char in text:
        encoded = char.encode("utf-8")
        budget = min(first_line, _ENCODED_MAX) if not words else _ENCODED_MAX
        if len(chunk) + len(encoded) > _chunk_bytes(budget):
            words.append(_word(chunk))
            chunk = b""
        chunk += encoded
    if chunk or not words:
        words.append(_word(chunk))
    return words


def _chunk_bytes(word_length: int) -> int:
    """Bytes of UTF-8 that fit an encoded word of ``word_length``: 4 base64 characters carry 3."""
    return (word_length - len(_PREFIX) - len(_SUFFIX)) // 4 * 3


def _word(chunk: bytes) -> str:
    return f"{_PREFIX}{base64.b64encode(chunk).decode('ascii')}{_SUFFIX}"
