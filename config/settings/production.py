"""Production: PostgreSQL and Redis expected, HTTPS in front, secrets from the environment.

Refuses to start with DEBUG on, without a secret, or with the demo/test secret.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config import env
from config.settings.base import *  # noqa: F403
from config.settings.secrets import check_production_secret

DEBUG = env.boolean("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=false)")

SECRET_KEY = check_production_secret(env.secret("SECRET_KEY"))

SESSION_COOKIE_SECURE = env.boolean("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env.boolean("SECURE_COOKIES", True)
LANGUAGE_COOKIE_SECURE = env.boolean("SECURE_COOKIES", True)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
if env.boolean("BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SILENCED_SYSTEM_CHECKS = [
    # The reverse proxy redirects HTTP to HTTPS (deploy/nginx-canhgac.conf); SECURE_SSL_REDIRECT
    # can still be switched on from the environment.
    "security.W008",
    # HSTS preload lists are for public sites; provincial intranet hosts are not submitted.
    "security.W021",
]
