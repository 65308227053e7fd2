"""A scripted Retail Prices server on 127.0.0.1: it answers each request with the next page the test gives
(a body as bytes, or a JSON-able value, and headers if it likes), records the headers it was sent, and can serve any
byte string,
so tests can hand the client hostile answers (huge, wrong types, NaN, markup, links elsewhere)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATH = "/api/retail/prices"
# An answer: (status, body) or (status, body, headers).
Page = Callable[[str, "PricesServer"], "tuple[int, bytes] | tuple[int, bytes, dict[str, str]]"]


@dataclass
class PricesServer:
    url: str = ""
    answer: Page = field(default=lambda path, server: (200, b'{"Items": [], "NextPageLink": null}'))
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path with query, headers)

    @property
    def endpoint(self) -> str:
        return self.url + PATH


def item(size: str = "Standard_D4s_v3", sku: str = "D4s v3", price: Any = 0.192, **extra: Any) -> dict[str, Any]:
    """One meter as the API documents it (a Linux pay-as-you-go one unless ``extra`` says otherwise)."""
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": "westeurope",
        "location": "EU West",
        "effectiveStartDate": "2024-05-01T00:00:00Z",
        "meterId": "000a794b-bdb0-58be-a0cd-0c3a0f222923",
        "meterName": sku,
        "productId": "DZH318Z0BQ4L",
        "skuId": "DZH318Z0BQ4L/00TG",
        "productName": "Virtual Machines DSv3 Series",
        "skuName": sku,
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
        "armSkuName": size,
        **extra,
    }


def page(items: list[Any], next_link: str | None = None) -> bytes:
    return json.dumps(
        {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": items,
            "NextPageLink": next_link,
            "Count": len(items),
        }
    ).encode()


@contextmanager
def serving(answer: Page) -> Iterator[PricesServer]:
    state = PricesServer(answer=answer)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            status, body, *more = state.answer(self.path, state)
            headers = {
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                **(more[0] if more else {}),
            }
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Trickling:
    """A prices server that sends each page one byte every ``gap`` seconds (each read well within any per-read
    timeout, the whole page after ``len(body) × gap``): the regions asked (``armRegionName`` of each request,
    in order of arrival), and how many requests were open at once at most."""

    url: str = ""
    asked: list[str] = field(default_factory=list)
    open_now: int = 0
    most_open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return self.url + PATH


@contextmanager
def trickling(gap: float = 0.05, body: bytes | None = None) -> Iterator[Trickling]:
    import re
    import time
    from urllib.parse import unquote

    state = Trickling()
    sent = page([item(armRegionName="westeurope")]) if body is None else body

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            region = re.search(r"armRegionName eq '([^']*)'", unquote(self.path.replace("+", " ")))
            with state.lock:
                state.asked.append(region.group(1) if region else "")
                state.open_now += 1
                state.most_open = max(state.most_open, state.open_now)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(sent)))
                self.end_headers()
                for i in range(len(sent)):
                    self.wfile.write(sent[i : i + 1])
                    self.wfile.flush()
                    time.sleep(gap)
            except OSError:  # the client gave up: the point
                pass
            finally:
                with state.lock:
                    state.open_now -= 1

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
