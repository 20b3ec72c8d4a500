"""Fetching pages and feeds over HTTP: timeouts, a size cap, redirects, conditional GET.

``Fetcher.get`` returns the body, or raises ``FetchError`` with one line on why and
whether trying again later may help (``transient``: timeouts, refused connections,
5xx, 429) or not (404, too large, too many redirects).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from dotterel.errors import InputError

__all__ = ["FetchError", "Fetched", "Fetcher"]

USER_AGENT = "dotterel/0.1 (+event coding; polite fetcher)"
_RETRY_LATER = {408, 425, 429}


class FetchError(InputError):
    """A URL could not be fetched; ``transient`` says whether a later try may succeed."""

    def __init__(self, url: str, reason: str, *, transient: bool) -> None:
        self.url = url
        self.reason = reason
        self.transient = transient
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: the final URL (after redirects), status, body and cache validators."""

    url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One HTTP client for many requests; close it (or use ``with``) when done."""

    def __init__(self, timeout: float = 10.0, max_bytes: int = 5_000_000) -> None:
        if timeout <= 0 or max_bytes <= 0:
            raise ValueError("timeout and max_bytes must be positive")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._client = httpx.Client(
            follow_redirects=True,
            max_redirects=5,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET ``url``; with ``etag``/``last_modified`` a 304 comes back as ``not_modified``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return self._get(url, headers)
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.timeout:g} s", transient=True) from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, "too many redirects (more than 5)", transient=False) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError(url, f"not an http(s) URL ({exc})", transient=False) from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect ({_reason(exc)})", transient=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {_reason(exc)}", transient=True) from exc

    def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        deadline = time.monotonic() + self.timeout
        with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            final = str(response.url)
            if status == 304:
                return Fetched(final, status, b"", "", *_validators(response))
            if status >= 400:
                reason = f"HTTP {status} {response.reason_phrase}".strip()
                raise FetchError(url, reason, transient=status >= 500 or status in _RETRY_LATER)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(url, self._too_large(int(declared)), transient=False)
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise FetchError(url, self._too_large(len(body)), transient=False)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("body too slow", request=response.request)
            content_type = response.headers.get("Content-Type", "")
            return Fetched(final, status, bytes(body), content_type, *_validators(response))

    def _too_large(self, size: int) -> str:
        return f"larger than {self.max_bytes:,} bytes ({size:,} or more); raise fetch_max_bytes"


def _validators(response: httpx.Response) -> tuple[str | None, str | None]:
    return response.headers.get("ETag"), response.headers.get("Last-Modified")


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
