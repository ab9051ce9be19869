"""Features of the beheer pages that are not the privacy layer's: logging in (OIDC with PKCE,
dev login), sessions, the plugin overview and sync requests, the config check. The pages
themselves (HTTP only) are :mod:`hub.beheer.web`."""
