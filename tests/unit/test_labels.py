import pytest

from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import is_label_key, is_label_value, parse_selector

LABELS = {"env": "prod", "tier": "web", "team": "a"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("env=prod", True),
        ("env==prod", True),
        ("env!=prod", False),
        ("env=staging", False),
        ("env in (prod,staging)", True),
        ("env in (staging, dev)", False),
        ("env notin (staging)", True),
        ("missing notin (x)", True),
        ("team", True),
        ("!team", False),
        ("!no-argocd", True),
        ("env in (prod,staging),!no-argocd", True),
        ("env=prod,tier=db", False),
        (" env = prod , tier in ( web ) ", True),
        ("example.com/owner", False),
        ("env=", False),
    ],
)
def test_selector_matches(selector, matches):
    assert parse_selector(selector).matches(LABELS) is matches


@pytest.mark.parametrize(
    ("selector", "values"),
    [("env in ()", {""}), ("env in (a,,b)", {"a", "", "b"}), ("env notin (,a)", {"", "a"})],
)
def test_an_empty_slot_in_a_set_is_the_empty_string(selector, values):
    """As Kubernetes' labels.Parse reads them (apimachinery selector.go, parseValues)."""
    (requirement,) = parse_selector(selector).requirements
    assert requirement.values == frozenset(values)


@pytest.mark.parametrize(
    "selector",
    [
        "env in prod",
        "env in (",
        "env in (a b)",
        "=prod",
        "env=prod,",
        ",env",
        "env=(x)",
        "!",
        "env in (a,b",
        "Bad Key=x",
        "env=" + "x" * 64,
        "env notin",
        "a=b=c",
    ],
)
def test_selector_errors_are_permanent(selector):
    with pytest.raises(PermanentError):
        parse_selector(selector)


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("env", True),
        ("app.kubernetes.io/name", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("-env", False),
        ("Env_1.x", True),
        ("UPPER.example.com/x", False),
        ("/x", False),
        ("", False),
        ("a/b/c", False),
    ],
)
def test_label_keys(key, valid):
    assert is_label_key(key) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        ("prod", True),
        ("a" * 64, False),
        ("x_", False),
        ("a b", False),
        ("A.b-c_D", True),
    ],
)
def test_label_values(value, valid):
    assert is_label_value(value) is valid
