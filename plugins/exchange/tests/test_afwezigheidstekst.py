from plugins.exchange.afwezigheidstekst import platte_tekst


def test_outlook_html_becomes_plain_lines() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Ik ben afwezig.<br>"
        "Bel&nbsp;14 020 &amp; vraag naar het KCC.</p><script>x()</script></body></html>"
    )
    assert platte_tekst(html) == "Ik ben afwezig.\nBel 14 020 & vraag naar het KCC."


def test_empty_reply_is_none() -> None:
    assert platte_tekst("<html><body><p> </p></body></html>") is None
    assert platte_tekst(None) is None
