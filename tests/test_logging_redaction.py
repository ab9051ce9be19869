"""The last line of defence: BSNs are scrubbed from every log line, tracebacks included."""

from __future__ import annotations

import io
import logging

from hub.logging_setup import FORMAT, install_filters, redact


def capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    install_filters(handler)
    logger = logging.getLogger(f"test.redaction.{id(stream)}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_a_valid_bsn_in_a_message_is_replaced() -> None:
    logger, stream = capture()
    logger.info("GET /zaken?inpBsn=%s", "999993653")
    assert "999993653" not in stream.getvalue()
    assert "inpBsn=[BSN]" in stream.getvalue()


def test_nine_digits_that_fail_the_eleven_proof_are_kept() -> None:
    assert redact("order 123456789") == "order 123456789"


def test_a_bsn_inside_a_traceback_is_replaced() -> None:
    logger, stream = capture()
    try:
        raise ValueError("persoon 999993653 niet gevonden")
    except ValueError:
        logger.exception("mislukt")
    assert "999993653" not in stream.getvalue()
    assert "ValueError" in stream.getvalue()
