"""One module per resource; each exposes ``router`` relative to the gemeente prefix."""
