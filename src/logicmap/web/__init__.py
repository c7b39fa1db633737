"""``logicmap serve``: the web app for review teams (FastAPI, Jinja2 templates, htmx; no build step).

An adapter over :mod:`logicmap.api` only, like the command line. :func:`create_app`
builds the app for one project; :mod:`.security` holds the role guard every
route depends on; :mod:`.pages` the sign-in and account pages; :mod:`.screening`
the screening page and its JSON API.
"""

from logicmap.web.app import create_app

__all__ = ["create_app"]
