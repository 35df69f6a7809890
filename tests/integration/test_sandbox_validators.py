"""The product's validators against the sandbox's, on generated strings.

Both are written from the same specifications (Kubernetes names, labels and selectors; Google
resource ids) but share no code, so any disagreement is a bug in one of them.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fleetsync.core import labels as product
from fleetsync.core.errors import PermanentError
from fleetsync.core.naming import membership_ref
from sandbox.google import names as googlenames
from sandbox.kubernetes import names as k8snames
from sandbox.kubernetes import selectors

# Characters that matter to the rules, plus a few that never may appear.
NAME_CHARS = st.sampled_from("abz09AZ-_./ ")
names = st.text(NAME_CHARS, max_size=70) | st.builds(
    lambda a, b: a + "/" + b, st.text("ab.-", max_size=260), st.text("ab-_.Z", max_size=65)
)
# The product documents equality- and set-based selectors only, so `<`/`>` are left out.
SELECTOR_CHARS = st.sampled_from(["a", "b", "k", "=", "!", "(", ")", ",", " ", "in", "notin", "-"])
selector_texts = st.lists(SELECTOR_CHARS, max_size=12).map("".join)
label_maps = st.dictionaries(
    st.sampled_from(["a", "b", "k", "ab"]), st.sampled_from(["", "a", "b"])
)


@settings(max_examples=600)
@given(names)
@example("a" * 253)
@example("a" * 254)
@example("-a")
@example("a..b")
def test_dns_subdomain(text):
    assert product.is_dns_subdomain(text) == k8snames.dns_subdomain_ok(text)


@settings(max_examples=600)
@given(names)
@example("/a")
@example("a/b/c")
@example("example.com/" + "a" * 63)
@example("example.com/" + "a" * 64)
def test_label_key(text):
    assert product.is_label_key(text) == k8snames.qualified_name_ok(text)


@settings(max_examples=600)
@given(names)
@example("")
@example("a" * 64)
@example("a_b.c-d")
def test_label_value(text):
    assert product.is_label_value(text) == k8snames.label_value_ok(text)


@settings(max_examples=600)
@given(st.text(st.sampled_from("az09-_A"), max_size=66))
def test_membership_id(text):
    try:
        membership_ref("us-central1", text)
        product_ok = True
    except PermanentError:
        product_ok = False
    assert product_ok == googlenames.resource_id_ok(text)


def _product_selector(text):
    try:
        return product.parse_selector(text)
    except PermanentError:
        return None


def _sandbox_selector(text):
    try:
        return selectors.parse(text)
    except selectors.SelectorError:
        return None


@settings(max_examples=1500)
@given(selector_texts, st.lists(label_maps, min_size=1, max_size=4))
@example("k=", [{"k": ""}])
@example("k in (a,b),!b", [{"k": "a"}])
@example("k notin (a)", [{}])
def test_label_selector(text, maps):
    mine, theirs = _product_selector(text), _sandbox_selector(text)
    assert (mine is None) == (theirs is None), text
    if mine is not None and theirs is not None:
        for labels in maps:
            assert mine.matches(labels) == selectors.matches(theirs, labels), (text, labels)


@pytest.mark.parametrize("text", ["k in ()", "k in (a,)", "k notin (,a)"])
def test_empty_values_in_a_set_are_the_empty_string(text):
    theirs, mine = _sandbox_selector(text), _product_selector(text)
    assert theirs is not None and mine is not None
    for labels in ({}, {"k": ""}, {"k": "a"}, {"k": "b"}):
        assert mine.matches(labels) == selectors.matches(theirs, labels), labels
