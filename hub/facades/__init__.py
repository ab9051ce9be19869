"""Standard facades: the hub speaking APIs that existing front ends (KISS) already read.

Haal Centraal BRP Personen v2 and the Objects API v2 are thin translations onto the
hub's own feature packages: the privacy pipeline (``hub.privacy``), the directory
(``hub.directory``) and the stored availability (``hub.beschikbaarheid``). The modules
here translate request and answer shapes and build the caller; they decide nothing
about privacy, directory contents or availability themselves.
"""
