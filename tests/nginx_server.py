"""Debian's nginx with the shipped site (deploy/nginx/portalquote.conf), for tests.

The site is copied with only its ports, the app processes' addresses and its file paths
replaced; everything else (TLS settings, headers, websockets, sticky sessions) is tested as
shipped. The certificate is self-signed, made here.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from browser_fixtures import stop
from net import free_port, self_signed_certificate

PROJECT = Path(__file__).resolve().parent.parent
SITE = PROJECT / "deploy" / "nginx" / "portalquote.conf"
NGINX = "/usr/sbin/nginx"
STARTUP_SECONDS = 20

MAIN_CONF = """
worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {base}/access.log;
    client_body_temp_path {base}/tmp/body;
    proxy_temp_path {base}/tmp/proxy;
    fastcgi_temp_path {base}/tmp/fastcgi;
    uwsgi_temp_path {base}/tmp/uwsgi;
    scgi_temp_path {base}/tmp/scgi;
    include {base}/portalquote.conf;
}}
"""


@dataclass
class Nginx:
    https_url: str
    http_url: str
    base: Path
    site: str  # the site as the test runs it

    def log(self) -> str:
        return (self.base / "error.log").read_text(errors="replace")


def _replace(text: str, pattern: str, new: str, count: int = 1) -> str:
    """Replace exactly `count` matches: the shipped site must still look as the test expects."""
    result, n = re.subn(pattern, new, text, flags=re.MULTILINE)
    assert n == count, f"deploy/nginx/portalquote.conf: {pattern!r} found {n} times, not {count}"
    return result


def site_for_test(
    app_ports: list[int], http_port: int, https_port: int, cert: Path, key: Path
) -> str:
    """The shipped site with this test's ports, app processes and certificate."""
    site = SITE.read_text(encoding="utf-8")
    site = _replace(site, r"^\s*listen \[::\]:80;\n", "")
    site = _replace(site, r"^\s*listen \[::\]:443 ssl http2;\n", "")
    site = _replace(site, r"listen 80;", f"listen 127.0.0.1:{http_port};")
    site = _replace(site, r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in app_ports)
    site = _replace(site, r"(^\s*server 127\.0\.0\.1:\d+ .*\n)+", servers)
    site = _replace(site, r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};")
    site = _replace(site, r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};")
    return _replace(site, r"root /opt/portalquote/deploy/nginx;", f"root {SITE.parent};")


@contextmanager
def running_nginx(app_ports: list[int]) -> Iterator[Nginx]:
    """nginx as an ordinary process (no daemon, no system config) in front of app_ports."""
    base = Path(tempfile.mkdtemp(prefix="portalquote-nginx-"))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (base / "tmp" / sub).mkdir(parents=True)
    # As root, nginx's workers run as nobody: they must be able to write request bodies.
    for path in [base / "tmp", *(base / "tmp").iterdir()]:
        path.chmod(0o777)
    base.chmod(0o755)
    cert, key = self_signed_certificate(base / "fullchain.pem", base / "privkey.pem")
    http_port, https_port = free_port(), free_port()
    site = site_for_test(app_ports, http_port, https_port, cert, key)
    (base / "portalquote.conf").write_text(site, encoding="utf-8")
    (base / "nginx.conf").write_text(MAIN_CONF.format(base=base), encoding="utf-8")
    cmd = [NGINX, "-p", str(base), "-c", str(base / "nginx.conf"), "-g", "daemon off;"]
    test = subprocess.run([*cmd, "-t"], capture_output=True, text=True)
    assert test.returncode == 0, f"nginx -t:\n{test.stderr}"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = Nginx(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", base, site)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start:\n{server.log()[-3000:]}") from None
                time.sleep(0.1)
        yield server
    finally:
        stop(proc)
        if not os.environ.get("PORTALQUOTE_KEEP_NGINX"):
            shutil.rmtree(base, ignore_errors=True)
