"""Download one URL to a file with a progress bar; any failure is one line and no partial file."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelError

TIMEOUT_S = 30.0
_CHUNK = 1 << 16


def download(url: str, dest: Path, *, size: int | None = None, progress: bool = True,
             timeout: float = TIMEOUT_S) -> None:
    """Fetch ``url`` into ``dest``; ``size`` (from the manifest) sizes the bar if the server doesn't."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) or size
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=dest.name, disable=not progress, leave=False) as bar:
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        dest.unlink(missing_ok=True)
        if isinstance(e, urllib.error.HTTPError):
            reason: object = f"HTTP {e.code} {e.reason}"
        else:
            reason = e.reason if isinstance(e, urllib.error.URLError) else e
        raise ModelError(f"download of {url} failed: {reason}") from None
