"""Hypothesis strategies for what people type: form values for the write endpoints, and plan files."""

from __future__ import annotations

import io
import string
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

# --- Nasty values, shared ----------------------------------------------------------------------------

LENGTHS = [119, 120, 121, 199, 200, 201, 299, 300, 301, 400, 401, 2000, 2001, 10_000, 100_000]
TEMPLATE_SYNTAX = [
    "{{ plan.coordinator.password }}",
    "{{ plan.roles.all.query.get_meta }}",
    "{% load log %}{% get_admin_log 5 as L %}{{ L }}",
    "{% debug %}",
    "{% include 'base.html' %}",
    "{{ message.delete }}",
    "{# unclosed",
    "{% if %}",
    "{{",
    "<script>alert(1)</script>",
]
CONTROL = ["\x00", "a\x00b", "\x07", "\x1b[31mred", "\r\n", "\t", "\x7f", "\u202eevil", "\ufeff", "\u0085", "\u2028"]
HUGE_NUMBERS = [
    "1e10",
    "9999999999",
    "10000000000",
    "9999999999.9999",
    "99999999999999999999999999999",
    "-99999999999999999999999999999",
    "1e308",
    "1e400",
    "-1e400",
    "1e-30",
    "0.00001",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "sNaN",
    "0x10",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "-0",
    "",
    " ",
]
ODD_DATETIMES = [
    "0001-01-01T00:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59:59.999999",
    "2026-11-22T16:00+23:59",
    "2026-11-22T16:00-23:59",
    "2026-11-22T16:00Z",
    "2026-11-22T16:00+99:00",
    "2026-02-30T12:00",
    "2026-11-22",
    "2026-11-22T25:00",
    "1999-12-31T23:59",
    "2101-01-01T00:00",
    "2026-03-29T01:30",  # a London wall-clock time that does not exist
    "2026-10-25T01:30",  # one that exists twice
    "now",
    "",
]


def text_values() -> st.SearchStrategy[str]:
    """Free text as people (and attackers) type it: short text with any characters but surrogates
    (control characters and NUL included), template syntax, control characters, very long strings."""
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40),
        st.sampled_from(TEMPLATE_SYNTAX),
        st.sampled_from(CONTROL),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "\x00", "😀", " "]), st.sampled_from(LENGTHS)),
        st.just(""),
        st.just("   "),
    )


def number_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HUGE_NUMBERS),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats().map(repr),
        text_values(),
    )


def int_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-2, max_value=10).map(str),
        st.sampled_from(["2147483648", "9223372036854775808", "-9223372036854775809", "1e3", "1.5", "0x1", ""]),
        st.integers().map(str),
        text_values(),
    )


def datetime_values() -> st.SearchStrategy[str]:
    offsets = st.builds(
        lambda sign, h, m: f"{sign}{h:02d}:{m:02d}", st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)
    )
    return st.one_of(
        st.sampled_from(ODD_DATETIMES),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        st.builds(lambda d, o: d.strftime("%Y-%m-%dT%H:%M") + o, st.datetimes(), offsets),
        text_values(),
    )


class Ref(str):
    """A value that names an object of the fixture world (``Ref("role_a")``: its pk), filled in by
    :func:`resolve` when the body is posted: the strategies stay independent of the database."""


def resolve(value: Any, world: Any) -> Any:
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    if isinstance(value, Ref):
        out = str(value)
        for name in ("message", "channel", "role_a", "delivery"):
            out = out.replace("{" + name + "}", str(getattr(world, name).pk))
        return out
    return value


def key_values() -> st.SearchStrategy[str]:
    """Delivery keys as the communications page sends them (``kind|source|recipient|channel|due``), forged."""
    due = st.one_of(
        st.sampled_from(ODD_DATETIMES),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    )
    return st.one_of(
        st.builds(
            lambda kind, sid, rcpt, ch, at: Ref(f"{kind}|{sid}|{rcpt}|{ch}|{at}"),
            st.sampled_from(["message", "item.due", "step.due", "issue.escalation", "x"]),
            st.one_of(st.just("{message}"), st.integers().map(str)),
            st.sampled_from(["channel:{channel}", "user:1", "", "channel:999999"]),
            st.sampled_from(["email", "webhook", "status_page", "chat", ""]),
            due,
        ),
        text_values(),
    )


def _plausible(kind: str) -> st.SearchStrategy[Any]:
    if kind == "text":
        return st.sampled_from(["Waiting for the vendor", "Row counts match", "ok"])
    if kind == "datetime":
        return st.sampled_from(["2026-12-02T12:00", "2026-11-30T09:30", "2026-12-01T12:00+01:00"])
    if kind == "number":
        return st.sampled_from(["0.05", "1", "-3.5", "12.3456"])
    if kind == "int":
        return st.integers(0, 3).map(str)
    if kind == "key":
        return st.just(Ref("message|{message}|channel:{channel}|email|2026-12-01T11:00:00+00:00"))
    if kind.startswith("choice:"):
        return st.sampled_from(kind.removeprefix("choice:").split(","))
    if kind.startswith("pk:"):
        return st.just(Ref("{" + kind.removeprefix("pk:") + "}"))
    raise ValueError(f"unknown field kind {kind!r}")


def _nasty(kind: str) -> st.SearchStrategy[Any]:
    if kind == "datetime":
        return datetime_values()
    if kind == "number":
        return number_values()
    if kind in ("int", "pk") or kind.startswith("pk:"):
        return int_values()
    if kind == "key":
        return key_values()
    return text_values()


MISSING = object()


def _classic(kind: str) -> st.SearchStrategy[Any]:
    """The values that broke things before, drawn as often as anything generated."""
    if kind == "datetime":
        return st.sampled_from(ODD_DATETIMES)
    if kind == "number":
        return st.sampled_from(HUGE_NUMBERS)
    if kind == "key":
        return st.sampled_from(ODD_DATETIMES).map(lambda at: Ref(f"message|{{message}}|channel:{{channel}}|email|{at}"))
    if kind == "int" or kind.startswith("pk:"):
        return st.sampled_from(["-1", "0", "2147483648", "9223372036854775808", "1e3", "x"])
    return st.sampled_from([*CONTROL, *TEMPLATE_SYNTAX, "x" * 2001, "x" * 301])


def field_value(kind: str) -> st.SearchStrategy[Any]:
    """One form field: missing, plausible, nasty, or sent twice (a list: wrong type for a single value)."""
    single = st.one_of(_plausible(kind), _classic(kind), _nasty(kind))
    return st.one_of(
        st.just(MISSING),
        _plausible(kind),
        _classic(kind),
        _nasty(kind),
        st.lists(single, min_size=2, max_size=3),
    )


def form_bodies(fields: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """A POST body for an endpoint with these fields (name -> kind), plus now and then unknown ones."""
    unknown = st.dictionaries(
        st.text(alphabet=string.ascii_letters + "_[]", min_size=1, max_size=12), text_values(), max_size=2
    )
    known = st.fixed_dictionaries({name: field_value(kind) for name, kind in fields.items()})

    def merge(parts: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        body, extra = parts
        out = {k: v for k, v in extra.items() if k not in fields}
        out.update({k: v for k, v in body.items() if v is not MISSING})
        return out

    return st.tuples(known, unknown).map(merge)


# --- Plan files --------------------------------------------------------------------------------------

VALID_PLAN: dict[str, Any] = {
    "format": 1,
    "name": "Fuzzed launch",
    "summary": "A plan with one of everything.",
    "timezone": "Europe/London",
    "extra": {"owner": "ops"},
    "roles": [
        {"name": "Technical Lead", "responsibilities": ["Go/No-Go decision authority"]},
        {"name": "DBA", "team": "Core", "phone": "+44 20 0000 0000"},
    ],
    "phases": [
        {
            "name": "Prep",
            "start": "T-7d",
            "end": "T-1d",
            "steps": [
                {"name": "Backup", "at": "T-7d", "duration": "1h", "lead": "DBA"},
                {"name": "Migrate", "at": "T-2h30m", "duration": "30m", "lead": "DBA", "depends_on": ["Backup"]},
            ],
        }
    ],
    "gates": [
        {
            "name": "Go/No-Go",
            "at": "T-1d",
            "authority": "Technical Lead",
            "polled": ["Technical Lead", "DBA"],
            "triggers": ["Data migration failures"],
        }
    ],
    "checklists": [
        {
            "name": "DBA prep",
            "role": "DBA",
            "items": [{"title": "Backup verified", "step": "Backup", "due": "T-7d"}],
        }
    ],
    "severity_slas": [{"severity": "critical", "response": "15m"}],
    "escalation": [{"level": 1, "name": "Technical team", "after": "0m", "until": "15m", "roles": ["DBA"]}],
    "contacts": [{"label": "Stripe Support", "kind": "vendor"}],
    "risks": [{"title": "Database Migration", "probability": "low", "impact": "high", "owner": "DBA"}],
    "metrics": [{"name": "Error rate", "category": "Technical", "comparator": "<", "target": 0.1, "unit": "%"}],
    "rollback_triggers": [
        {
            "description": "Error rate >1%",
            "metric": "Error rate",
            "comparator": ">",
            "threshold": 1,
            "sustained_for": "10m",
        }
    ],
    "channels": [{"name": "Staff email", "kind": "email", "target": "staff@example.com"}],
    "messages": [
        {
            "name": "Hourly update",
            "kind": "status_update",
            "channels": ["Staff email"],
            "at": "T+0",
            "every": "1h",
            "count": 4,
            "subject": "Launch update",
            "body": "All on track.",
        }
    ],
}

ODD_OFFSETS = [
    "T+3650000d",
    "T-3650000d",
    "T+401d",
    "T-401d",
    "T+99999999999999999999d",
    "T+9999999999h",
    "T+1d1d",
    "T+0.5h",
    "T+-1h",
    "T",
    "T+",
    "T+1y",
    "t+1h",
    "T+ 1h",
    "T+1h30",
    "T-0",
    "T+0s",
    "1h",
    "0",
    "-1h",
    "99999999d",
    "1s",
]
PLAN_NASTY: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    [],
    {},
    ["a", "b"],
    {"a": 1},
    10**400,
    -(10**30),
    2**63,
    2**31,
    10**7,
    10_000_001,
    1e308,
    float("inf"),
    float("nan"),
    "",
    "   ",
    "Mars/Phobos",
    "---",
    "A B",
    *TEMPLATE_SYNTAX,
    *CONTROL,
    *ODD_OFFSETS,
]


def plan_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(PLAN_NASTY),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "\x00", "-"]), st.sampled_from(LENGTHS)),
        st.text(max_size=30),
        st.integers(),
        st.floats(),
    )


def _same_type(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int | float):
        return st.sampled_from([0, -1, 2**15, 2**31, 2**63, 10**10, 10**400, 1e308, -(10**30)])
    if isinstance(value, str) and value.startswith("T") and value[1:2] in "+-":
        return st.sampled_from(ODD_OFFSETS)
    if isinstance(value, str) and value[:1].isdigit():
        return st.sampled_from(["0m", "1s", "99999999d", "99999999999d", "-1h", "1h1h"])
    if isinstance(value, str):
        return st.one_of(
            st.sampled_from([*CONTROL, *TEMPLATE_SYNTAX, "!!!", "---", " "]),
            st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "-"]), st.sampled_from(LENGTHS)),
            st.text(max_size=20).map(lambda t: f"a{t}"),
        )
    if isinstance(value, list):
        return st.just(value * 50)
    return plan_values()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _dump(doc: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1_000_000
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


@st.composite
def mutated_plans(draw: st.DrawFn) -> str:
    """A valid plan with a few values replaced (wrong types, huge numbers, long text, control characters,
    odd offsets), keys added or removed, as YAML text."""
    doc = _copy(VALID_PLAN)
    paths = _paths(doc)
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(paths))
        parent = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["same_type", "same_type", "same_type", "replace", "delete", "unknown_key"]))
            if action == "same_type":  # a value of the right type, but hostile: the likeliest to be accepted
                parent[path[-1]] = draw(_same_type(parent[path[-1]]))
            elif action == "replace":
                parent[path[-1]] = draw(plan_values())
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=10))] = draw(
                    plan_values()
                )
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this path
    return _dump(doc)


def deep_nesting(depth: int, kind: str) -> str:
    if kind == "flow-list":
        return "name: Deep\nextra:\n  x: " + "[" * depth + "]" * depth + "\n"
    if kind == "flow-map":
        return "name: Deep\nextra:\n  x: " + "{a: " * depth + "1" + "}" * depth + "\n"
    lines = ["name: Deep", "extra:"]
    lines += [" " * (2 * (i + 1)) + f"k{i}:" for i in range(depth)]
    return "\n".join(lines) + " 1\n"


def alias_bomb(levels: int, width: int, where: str) -> str:
    """The "billion laughs": each level an anchored list of ``width`` aliases of the level below."""
    lines = ["name: Laughs", "extra:", '  l0: &l0 ["lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*l{i - 1}"] * width)
        lines.append(f"  l{i}: &l{i} [{refs}]")
    if where == "roles":
        lines.append(f"roles: *l{levels}")
    return "\n".join(lines) + "\n"


@st.composite
def text_surgery(draw: st.DrawFn) -> str:
    """A valid plan file cut, or with a few characters inserted at one place."""
    text = _dump(VALID_PLAN)
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at]
    return (
        text[:at]
        + draw(
            st.one_of(
                st.text(max_size=8),
                st.sampled_from(
                    [
                        "&a",
                        "*a",
                        "!!python/object:os.system",
                        "? ",
                        "%YAML 9.9\n",
                        "---\n",
                        "\t",
                        ": :",
                        "- -",
                        "<<: *x",
                    ]
                ),
            )
        )
        + text[at:]
    )


def plan_texts() -> st.SearchStrategy[str]:
    """Plan files as text: mutated valid plans, cut or spliced ones, deep nesting, alias bombs, junk."""
    return st.one_of(
        mutated_plans(),
        mutated_plans(),
        text_surgery(),
        st.builds(
            deep_nesting,
            st.sampled_from([10, 100, 300, 600, 1000, 5000]),
            st.sampled_from(["flow-list", "flow-map", "block"]),
        ),
        st.builds(alias_bomb, st.integers(1, 9), st.integers(2, 10), st.sampled_from(["extra", "roles"])),
        st.text(max_size=200),
    )


def plan_bytes() -> st.SearchStrategy[bytes]:
    """Plan files as bytes on disk: the texts above in UTF-8, in other encodings, or random bytes."""
    return st.one_of(
        plan_texts().map(lambda t: t.encode("utf-8", "surrogatepass")),
        mutated_plans().map(lambda t: t.encode("utf-16")),
        mutated_plans().map(lambda t: t.replace("Fuzzed", "Fuzzé").encode("latin-1", "replace")),
        st.binary(max_size=300),
        st.binary(max_size=40).map(lambda b: _dump(VALID_PLAN).encode() + b),
    )
