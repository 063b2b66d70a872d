"""Settings modules: `base` (shared), `local` (embedded default and demo), `production`, `test`.

`canhgac` picks `local` unless `DJANGO_SETTINGS_MODULE` says otherwise; production deployments
set `DJANGO_SETTINGS_MODULE=config.settings.production`.
"""
