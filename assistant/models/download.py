"""Download one URL to a file with a progress bar; any failure is one line and no partial file.
A download is capped at the size the manifest gives (or ``MAX_BYTES``): a server cannot fill
the disk."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelError

TIMEOUT_S = 30.0
MAX_BYTES = 4 << 30  # when the manifest gives no size; the largest vosk model zip is 1.8 GB
_CHUNK = 1 << 16


class TooBig(ValueError):
    """The server sends (or says it will send) more bytes than the download may take."""


def download(url: str, dest: Path, *, size: int | None = None, progress: bool = True,
             timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> None:
    """Fetch ``url`` into ``dest``; ``size`` (from the manifest) sizes the bar if the server
    doesn't, and caps the download (the file must be that size: its sha256 is checked next),
    else ``max_bytes`` does."""
    cap = size if size else max_bytes
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) or size
            if total and total > cap:
                raise TooBig(f"it is {total} bytes, more than the {cap} expected")
            got = 0
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=dest.name, disable=not progress, leave=False) as bar:
                while chunk := resp.read(_CHUNK):
                    got += len(chunk)
                    if got > cap:
                        raise TooBig(f"the server sent more than the {cap} bytes expected")
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        dest.unlink(missing_ok=True)
        if isinstance(e, urllib.error.HTTPError):
            reason: object = f"HTTP {e.code} {e.reason}"
        else:
            reason = e.reason if isinstance(e, urllib.error.URLError) else e
        raise ModelError(f"download of {url} failed: {reason}") from None
