"""Trusting the reverse proxy in front (nginx): client address, scheme and host.

Behind nginx every request comes from 127.0.0.1 over plain HTTP. Without this the login rate
limit would count all users as one address, the audit log would record the proxy's address,
and the app would not know the request came over HTTPS (no HSTS, http:// in absolute links).
Enable with PROXY_FIX=1 (or PROXY_FIX=<number of proxies>, e.g. 2 behind a load balancer and
nginx) — only when a proxy really is in front: otherwise clients could forge these headers.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def proxy_hops(value: str | None) -> int:
    """PROXY_FIX as a number of trusted proxies: "", "0", "no" → 0; "1", "yes", "true" → 1; "2" → 2."""
    if value is None:
        return 0
    value = value.strip().lower()
    if value in {"", "0", "no", "false", "off"}:
        return 0
    if value in {"yes", "true", "on"}:
        return 1
    try:
        return max(0, int(value))
    except ValueError:
        from roadmap.config import ConfigError

        raise ConfigError(f"PROXY_FIX — число прокси перед приложением или yes/no, а не «{value}»") from None


def install_proxy_fix(app: Flask) -> bool:
    """Wrap the WSGI app in ProxyFix when PROXY_FIX asks for it; True when installed."""
    hops = proxy_hops(str(app.config["PROXY_FIX"]) if "PROXY_FIX" in app.config else os.environ.get("PROXY_FIX"))
    if not hops:
        return False
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0)
    return True
