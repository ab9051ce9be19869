"""Klantbeeld: who is calling and what they have running, from every source at once.

Modules: :mod:`~hub.klantbeeld.settings` (``[klantbeeld]`` per gemeente, imported by the
tenant loader, so this package imports nothing else here), :mod:`~hub.klantbeeld.vraag`
(request and answer), :mod:`~hub.klantbeeld.bronnen` (one function per section) and
:mod:`~hub.klantbeeld.samenstellen` (concurrency, deadlines, roles and the logboek).
"""
