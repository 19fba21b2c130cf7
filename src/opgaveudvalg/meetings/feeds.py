"""The feed server: each committee's calendar feed (written by invitations.write_feed) served
over HTTP for calendar apps to subscribe to."""

import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opgaveudvalg.paths import CommitteeFiles

FEED_PATH = re.compile(r"^/([a-z0-9]+(?:-[a-z0-9]+)*)\.ics$")


def feed_server(output_dir: Path, host: str = "127.0.0.1", port: int = 8088) -> ThreadingHTTPServer:
    """Serves each committee's feed at /<slug>.ics as text/calendar for calendar apps to
    subscribe to (webcal://host:port/<slug>.ics); nothing else under output_dir is reachable."""

    class FeedHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = FEED_PATH.match(self.path.split("?", 1)[0])
            path = CommitteeFiles.of(output_dir, match[1]).feed() if match else None
            if path is None or not path.is_file():
                self.send_error(404, "Ingen kalender her")
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines name no one, but a feed server needs no access log here

    return ThreadingHTTPServer((host, port), FeedHandler)
