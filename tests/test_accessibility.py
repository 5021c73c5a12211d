"""What assistive technology relies on in the markup, checked on the pages' HTML."""

import re

import pytest


@pytest.mark.parametrize("url", [
    "/roadmap/?product=nope&status=someday",
    "/roadmap/review/?owner=ghost&product=nope",
    "/audit/?until=not-a-date&person=0",
    "/audit/",
])
def test_every_aria_describedby_names_an_element_on_the_page(admin_client, url):
    html = admin_client.get(url).content.decode()
    described_by = {ref for refs in re.findall(r'aria-describedby="([^"]+)"', html)
                    for ref in refs.split()}
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert described_by, "the page should describe at least one field"
    assert described_by <= ids
