"""A remote served over HTTP on loopback by ``git http-backend``, behind Basic authentication."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import Side

USER, PASSWORD = "alice", "s3cret-token"


def _handler(project_root: Path) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class GitHTTP(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _serve(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="kb"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, _, query = self.path.partition("?")
            env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": str(project_root),
                   "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
                   "REQUEST_METHOD": self.command, "REMOTE_USER": USER, "REMOTE_ADDR": "127.0.0.1",
                   "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                   "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                   "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                   "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(project_root)}
            out = subprocess.run(["git", "http-backend"], input=self._body(), env=env,
                                 capture_output=True, check=False).stdout
            parts = re.split(rb"\r?\n\r?\n", out, maxsplit=1)
            head, payload = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], b"")
            status = 200
            headers = []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return GitHTTP


@pytest.fixture()
def http_remote(remote: Path) -> Iterator[str]:
    """Serve the bare remote over HTTP on loopback; yield its URL (without credentials)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(remote.parent))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{remote.name}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.timeout(60)
def test_credentials_from_a_credential_helper_work(bob: Side, http_remote: str, tmp_path: Path) -> None:
    store = tmp_path / "credentials"
    store.write_text(http_remote.replace("http://", f"http://{USER}:{PASSWORD}@").rsplit("/", 1)[0] + "\n")
    bob.git("remote", "set-url", "origin", http_remote)
    bob.git("config", "--global", "credential.helper", f"store --file={store}")  # the user's own config
    bob.edit("articles/doc-6.md", "Try again.", "Bob over HTTP.")
    bob.commit()
    result = bob.sync()
    assert result.status == "ok" and result.pushed, result.message


@pytest.mark.timeout(60)
def test_push_refused_by_a_server_hook(alice: Side, remote: Path, http_remote: str) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'documents need a reviewer' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    alice.git("remote", "set-url", "origin", http_remote.replace("http://", f"http://{USER}:{PASSWORD}@"))
    alice.edit("articles/doc-4.md", "Try again.", "Alice's way.")
    alice.commit()
    result = alice.sync()
    assert result.status == "push_rejected"
    assert "pre-receive hook declined" in result.message


@pytest.mark.timeout(60)
def test_bad_credentials_are_refused_clearly_and_never_shown(bob: Side, http_remote: str) -> None:
    bob.git("remote", "set-url", "origin", http_remote.replace("http://", f"http://{USER}:wrong-pass@"))
    result = bob.sync()
    assert result.status == "remote_error" and result.failure == "auth"
    assert "authentication failed" in result.message and "credential helper" in result.message
    assert "wrong-pass" not in json.dumps(result.to_json())
    assert "***@127.0.0.1" in result.message


@pytest.mark.timeout(60)
def test_missing_credentials_fail_without_a_prompt(bob: Side, http_remote: str) -> None:
    bob.git("remote", "set-url", "origin", http_remote)
    result = bob.sync()
    assert result.status == "remote_error" and result.failure == "auth"
