"""``/api/v1/docs``: Swagger UI from local assets, so the page works without internet.

The JavaScript and CSS are Swagger UI 5's, as packaged by ``fastapi-offline`` (we use only its
static files). The page loads nothing from elsewhere: no CDN, no validator badge; its
Content-Security-Policy allows only this origin.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from hub.api.openapi import PREFIX

DOCS = PREFIX + "/docs"
ASSETS = DOCS + "/assets"

# Swagger UI sets inline styles on its elements, hence 'unsafe-inline' for styles only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

_PAGE = f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KCC Hub API — documentatie</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="stylesheet" href="{DOCS}/toegankelijk.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon.png">
</head>
<body>
<main id="swagger-ui"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{DOCS}/start.js"></script>
</body>
</html>
"""

_START = f"""window.ui = SwaggerUIBundle({{
  url: "{PREFIX}/openapi.json",
  dom_id: "#swagger-ui",
  // Deep links put a link inside each operation's button (axe: nested-interactive).
  deepLinking: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
  onComplete: () => {{
    const servers = document.querySelector("#servers");
    if (servers) servers.setAttribute("aria-label", "Server");
  }}
}});
"""

# Swagger UI's badges and links fall short of WCAG AA contrast; darker shades of its colours.
_TOEGANKELIJK = """.swagger-ui .info .title small { background: #4a4f58; }
.swagger-ui .info .title small.version-stamp { background-color: #3d6b00; }
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui a.nostyle { color: #1d5fa8; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d5fa8; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1e7d4f; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #9a5800; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #127a66; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b81c1c; }
.swagger-ui .btn.authorize { color: #1e7d4f; border-color: #1e7d4f; }
.swagger-ui .btn.authorize svg { fill: #1e7d4f; }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #4a4f58; }
"""


def install_docs(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers={"Content-Security-Policy": CSP})

    @app.get(DOCS + "/toegankelijk.css", include_in_schema=False)
    def css() -> Response:
        return Response(_TOEGANKELIJK, media_type="text/css")

    @app.get(DOCS + "/start.js", include_in_schema=False)
    def start_js() -> Response:
        return Response(_START, media_type="text/javascript")
