"""Post HTML to text: the fast path for sanitised HTML agrees with the HTML parser."""

import random

import pytest

from triage.safe_text import _html_to_text_parsed, html_to_text


@pytest.mark.parametrize("markup, text", [
    ('<p>Hi <span class="h-card"><a href="https://x.social/@acme" class="u-url mention">'
     '@<span>acme</span></a></span> the app is down</p><p>second &amp; line<br>third</p>',
     "Hi @acme the app is down\n\nsecond & line\nthird"),
    ('<p><a href="https://e.com/?a=1&amp;b=2" rel="nofollow"><span class="invisible">'
     'https://</span><span>e.com/x</span></a></p>', "https://e.com/x"),
    ("<P>Caps<BR/>next</P>", "Caps\nnext"),
    ('<p>link <a title="a>b">text</a></p>', "link text"),
    ("<p>a &lt;b&gt; c &#128512;</p>", "a <b> c \U0001F600"),
    ("<p>bold <b>words</b> stay</p>", "bold words stay"),        # not sanitised: parser
    ("<!-- hidden --><p>shown</p>", "shown"),
    ("plain text &amp; more", "plain text & more"),
])
def test_known_shapes(markup, text):
    assert html_to_text(markup) == text


def test_fast_path_agrees_with_the_parser_on_random_markup():
    pieces = ["<p>", "</p>", "<br>", "<br/>", "<br />", '<a href="u?a=1&amp;b">', "</a>",
              '<span class="x">', "</span>", "word", " ", "&amp;", "&lt;", "&#39;", "\n",
              "\t", "é", "<b>", ">", "<", "&", "<a title='x>y'>", "<!--c-->", "<P>"]
    rng = random.Random(20261125)
    for _ in range(20_000):
        markup = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        assert html_to_text(markup) == _html_to_text_parsed(markup), markup
