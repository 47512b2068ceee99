"""What the fuzz tests send: every endpoint of the service, and hypothesis strategies for hostile
requests to it.

:data:`ENDPOINTS` lists each route (method and path template) with what its handler reads: path
parameters, query keys, form fields (urlencoded or multipart), a JSON body's shape, and whether
it checks a CSRF token. :func:`requests` draws one request for an endpoint: the path parameters
and query values raw and percent-encoded (``%00``, ``../``, invalid UTF-8, huge numbers), a body
in any of the shapes with hostile values (lone surrogates, NUL, control characters, very long
strings, wrong types, deep nesting), with or without the signed-in session and its CSRF token.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

from actions.challenge.store import FIELDS

# -- hostile values -----------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\ud83d",
    "\ud83d\ude00",
    "é",
    "中文測試",
    "\u202e\u0301\u200b",
    "\ufeff",
    "\x01\x0b\x1f\x7f",
    "\r\n",
    "<script>alert(1)</script>",
    "{x}",
    "{0}",
    "%s",
    "%(x)s",
    "'\"--",
    "../../etc/passwd",
    "..\\..\\",
    "//evil.example",
    "/console//x",
    "javascript:alert(1)",
    "9" * 50,
    "9" * 5000,
    "-1",
    "0",
    "²",
    "١٢٣",
    "1e999",
    "NaN",
    "null",
    "[]",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59:59",
    "2019-05-20T10:00:00+08:00",
    "2019-02-30",
    "a" * 3000,
    "長" * 20_000,
]
NASTY_ESCAPES = ["\\ud800", "\\udfff", "\\ud83d", "\\u0000", "\\ud83d\\ude00", "%s", "{x}"]


def sometimes(n: int) -> st.SearchStrategy[bool]:
    """True once in ``n`` draws; False is the simpler example hypothesis shrinks to."""
    return st.integers(0, n - 1).map(lambda i: i == n - 1)


def texts() -> st.SearchStrategy[str]:
    """Hostile strings, random text, and hostile pieces joined."""
    pieces = st.sampled_from(HOSTILE_TEXT[:-3])
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=30),
        st.lists(pieces | st.text(max_size=5), min_size=2, max_size=4).map("".join),
    )


def value_of(*valid: str) -> st.SearchStrategy[str]:
    """A field's value: one of its ``valid`` values (half the time) or a hostile one."""
    return st.sampled_from(valid) | texts() if valid else texts()


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**50), max_value=10**50),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(),
    st.sampled_from(['/ask_bonus{"award_tier":"x"}', '/greet{"language":[1]}', "/x{}", "獎金多少"]),
)
json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

# -- path segments and query strings (raw bytes, as a client can send them) --------------------

RAW_SEGMENTS = [
    b"%00",
    b"a%00b",
    b"..",
    b"%2e%2e",
    b"..%2f..%2fetc%2fpasswd",
    b"%2e%2e%2f%2e%2e%2f",
    b"%C3%A9",
    b"%ED%A0%80",
    b"%FF%FE",
    b"%E4%B8%AD%E6%96%87",
    b"\xc3\xa9",
    b"%",
    b"%zz",
    b"9" * 5000,
    b"99999999999999999999",
    b"-1",
    b"0",
    b"%20",
    b"+",
    b"x" * 3000,
]


def encode(text: str) -> bytes:
    """``text`` percent-encoded as UTF-8 (a lone surrogate as its 3 bytes, which are invalid)."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe=b"").encode()


def segments(*valid: str) -> st.SearchStrategy[bytes]:
    """A raw path segment: a ``valid`` one, a hostile one, or any text percent-encoded."""
    ok = [v.encode() for v in valid]
    return st.sampled_from(ok or [b"x"]) | st.sampled_from(RAW_SEGMENTS) | texts().map(encode)


@st.composite
def query_strings(draw: st.DrawFn, keys: tuple[str, ...]) -> bytes:
    """``?k=v&…`` over the handler's ``keys`` and others, values hostile, or a raw mess."""
    if draw(sometimes(10)):
        return b"?" + draw(
            st.sampled_from([b"%00", b"&&==&", b"a=%ff%fe", b"\xff=\xfe", b"=" * 50])
        )
    names = st.sampled_from([*keys, "lang", "page", "notice", "x"])
    pairs = draw(st.lists(st.tuples(names, value_of("en", "zh-TW", "1", "2")), max_size=4))
    if not pairs:
        return b""
    return b"?" + b"&".join(encode(k) + b"=" + encode(v) for k, v in pairs)


# -- bodies -------------------------------------------------------------------------------------

BOUNDARY = b"fuzzBOUNDARY7MA4YWxk"
CHARSETS = ["utf-8", "latin-1", "unicode_escape", "utf-16", "utf-7", "no-such-charset"]


def _encode_with(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset, "surrogatepass")
    except (LookupError, UnicodeError):
        return text.encode("utf-8", "surrogatepass")


@st.composite
def urlencoded(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]]) -> bytes:
    """``a=1&b=2`` with the handler's fields (hostile values), extra and repeated ones."""
    names = list(fields)
    pairs = [(name, draw(fields[name])) for name in names if not draw(sometimes(4))]
    pairs += draw(st.lists(st.tuples(st.sampled_from([*names, "x"]), texts()), max_size=3))
    random.Random(draw(st.integers(0, 1000))).shuffle(pairs)
    body = b"&".join(encode(k) + b"=" + encode(v) for k, v in pairs)
    if draw(sometimes(6)):  # raw bytes nobody encoded
        body += b"&raw=" + draw(st.binary(max_size=20)) + b"&=&&x"
    return body


@st.composite
def multipart(
    draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]], files: tuple[str, ...]
) -> tuple[bytes, bytes]:
    """``(content type, body)`` of a multipart form (hostile charsets, names and file names),
    sometimes broken (no boundary, truncated, bad part headers)."""
    charset = draw(st.sampled_from(CHARSETS))
    parts = []
    for name in [*fields, *files]:
        if draw(sometimes(4)):
            continue
        disposition = b'form-data; name="' + _encode_with(name, "utf-8") + b'"'
        content = _encode_with(draw(fields[name]) if name in fields else "", charset)
        if name in files:
            filename = draw(texts())
            disposition += b'; filename="' + _encode_with(filename, charset) + b'"'
            content = draw(
                st.sampled_from([b"%PDF-1.4 fuzz", b"PK\x03\x04junk", b"", b"\x00" * 64])
                | st.binary(max_size=200)
            )
        head = b"Content-Disposition: " + disposition
        if draw(sometimes(5)):
            head += b"\r\nContent-Type: " + draw(st.sampled_from([b"text/plain", b"\xff", b""]))
        parts.append(b"--" + BOUNDARY + b"\r\n" + head + b"\r\n\r\n" + content + b"\r\n")
    body = b"".join(parts) + b"--" + BOUNDARY + b"--\r\n"
    breakage = draw(st.integers(0, 7))
    if breakage == 5:
        body = body[: draw(st.integers(0, len(body)))]
    elif breakage == 6:
        body = body.replace(b"Content-Disposition", b"Content-Dispositio\xff", 1)
    elif breakage == 7:
        body = b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data\r\n\r\nx\r\n" + body
    content_type = b"multipart/form-data; boundary=" + BOUNDARY + b"; charset=" + charset.encode()
    if draw(sometimes(10)):
        content_type = draw(st.sampled_from([b"multipart/form-data", b"multipart/form-data; x"]))
    return content_type, body


def _nasty(text: str, extra: list[str]) -> str:
    """JSON ``text`` with escape sequences a JSON encoder would never write spliced in."""
    for item in extra:
        text = text.replace('"', f'"{item}', 1)
    return text


@st.composite
def json_bodies(draw: st.DrawFn, shape: dict[str, Any]) -> bytes:
    """Random bytes, random JSON, deep nesting, huge numbers, or ``shape`` with values changed."""
    kind = draw(st.sampled_from(["shaped", "shaped", "json", "bytes", "deep", "huge"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "deep":
        depth = draw(st.sampled_from([40, 1_500, 5_000, 70_000]) | st.integers(20, 70_000))
        opener = draw(st.sampled_from(["[", '{"a":', '{"fields":{"a":']))
        return (opener * depth).encode() + b"]" * draw(st.integers(0, 3))
    if kind == "huge":
        digits = draw(st.sampled_from([41, 4301, 10_000]))
        key = draw(st.sampled_from([*shape, "n"])) if shape else "n"
        return b'{"' + key.encode() + b'": ' + b"9" * digits + b"}"
    value = draw(json_values) if kind == "json" else _shaped(draw, shape)
    text = json.dumps(value)
    return _nasty(text, draw(st.lists(st.sampled_from(NASTY_ESCAPES), max_size=3))).encode()


def _shaped(draw: st.DrawFn, shape: Any) -> Any:
    """``shape`` with each leaf kept, or replaced by any JSON value (wrong types included)."""
    if isinstance(shape, dict):
        return {k: _shaped(draw, v) for k, v in shape.items() if not draw(sometimes(8))}
    if isinstance(shape, list):
        return [_shaped(draw, v) for v in shape]
    return draw(st.just(shape) | json_values)


# -- endpoints ----------------------------------------------------------------------------------

Fields = dict[str, st.SearchStrategy[str]]


@dataclass(frozen=True)
class Endpoint:
    """One route and what its handler reads (see the module docstring)."""

    method: str
    path: str  # the route's template: "/team/{action}"
    params: dict[str, st.SearchStrategy[bytes]] = field(default_factory=dict)
    query: tuple[str, ...] = ()
    form: Fields | None = None  # urlencoded and multipart fields
    files: tuple[str, ...] = ()  # multipart file fields
    json: dict[str, Any] | None = None  # a JSON body of this shape
    csrf: bool = False  # the handler checks the session's CSRF token
    kind: str = "page"  # page / api / webhook-line / webhook-telegram / feed

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


CHALLENGE_FIELDS: Fields = {
    name: value_of("台中童綜合醫院", "陳副總", "04-2658-1919", "chen@hospital.com.tw", "電腦視覺類")
    for name in FIELDS
}
CSRF_FIELD: Fields = {"_csrf": value_of()}  # the valid token is added by the test (see auth)
REST_SHAPE = {"sender": "fuzz", "message": "hi", "metadata": {}}
LINE_SHAPE = {
    "destination": "U",
    "events": [
        {
            "type": "message",
            "webhookEventId": "01FUZZ",
            "timestamp": 1558317598000,
            "source": {"type": "user", "userId": "Ufuzz"},
            "replyToken": "r",
            "message": {"type": "text", "id": "1", "text": "hi"},
        }
    ],
}
TG_SHAPE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1558317599,
        "chat": {"id": 5, "type": "private"},
        "text": "hi",
    },
}
ACTIONS = ("leave", "transfer", "remove", "withdraw", "dissolve")


def endpoints(reference: str, challenge_id: int, member_id: int) -> list[Endpoint]:
    """Every route of the service; ``reference`` / ``challenge_id`` / ``member_id`` are real
    ones of the seeded data (so valid values reach the deeper code too)."""
    ref = value_of(reference, reference.lower())
    return [
        Endpoint("GET", "/health", kind="api"),
        Endpoint("GET", "/webhooks/rest/", kind="api"),
        Endpoint("POST", "/webhooks/rest/webhook", json=REST_SHAPE, kind="api"),
        Endpoint("POST", "/model/parse", json={"text": "hi"}, kind="api"),
        Endpoint("POST", "/webhooks/line/webhook", json=LINE_SHAPE, kind="webhook-line"),
        Endpoint("POST", "/webhooks/telegram/webhook", json=TG_SHAPE, kind="webhook-telegram"),
        Endpoint("GET", "/metrics", kind="feed"),
        Endpoint(
            "GET",
            "/calendar/{round_id}.ics",
            {"round_id": segments("108-1", "108-2")},
            query=("lang",),
            kind="feed",
        ),
        Endpoint("GET", "/calendar/my/{token}.ics", {"token": segments("YQ.0123")}, kind="feed"),
        Endpoint("GET", "/l/{token}", {"token": segments("a.b")}),
        Endpoint("GET", "/static/{path}", {"path": segments("style.css", "app.js")}),
        Endpoint("GET", "/"),
        Endpoint("GET", "/chat"),
        Endpoint("POST", "/chat/messages", json={"text": "獎金多少"}, csrf=True),
        Endpoint("POST", "/chat/notices", csrf=True),
        Endpoint("POST", "/liff/session", form=CSRF_FIELD, json={"id_token": "t"}, csrf=True),
        Endpoint("GET", "/challenge", query=("notice",)),
        Endpoint("POST", "/challenge", form={**CSRF_FIELD, **CHALLENGE_FIELDS}, csrf=True),
        Endpoint(
            "POST", "/challenge/check", json={"field": "org_email", "value": "a@b.tw"}, csrf=True
        ),
        Endpoint(
            "POST",
            "/challenge/save",
            json={"fields": {"org_name": "台中童綜合醫院", "org_phone": "04-2658-1919"}},
            csrf=True,
        ),
        Endpoint("GET", "/challenge/review"),
        Endpoint("POST", "/challenge/submit", form=CSRF_FIELD, csrf=True),
        Endpoint(
            "POST", "/challenge/presentation", form=CSRF_FIELD, files=("presentation",), csrf=True
        ),
        Endpoint(
            "GET",
            "/challenge/presentation/{challenge_id}",
            {"challenge_id": segments(str(challenge_id), "1")},
        ),
        Endpoint("GET", "/team"),
        Endpoint("POST", "/team/invite", form=CSRF_FIELD, csrf=True),
        Endpoint(
            "GET",
            "/team/confirm/{action}",
            {"action": segments(*ACTIONS)},
            query=("member", "ref"),
        ),
        Endpoint(
            "POST",
            "/team/{action}",
            {"action": segments(*ACTIONS)},
            form={**CSRF_FIELD, "member": value_of(str(member_id)), "ref": ref},
            csrf=True,
        ),
        Endpoint("GET", "/console/login", query=("next",)),
        Endpoint(
            "POST",
            "/console/login",
            form={
                **CSRF_FIELD,
                "email": value_of("ops@aigo.org"),
                "password": value_of(),
                "next": value_of("/console", "/console/teams"),
            },
            csrf=True,
        ),
        Endpoint("POST", "/console/logout", form=CSRF_FIELD, csrf=True),
        Endpoint("GET", "/console"),
        Endpoint(
            "GET",
            "/console/challenges",
            query=("status", "industry", "category", "organisation", "text", "page"),
        ),
        Endpoint("GET", "/console/challenges/{reference}", {"reference": segments(reference)}),
        Endpoint(
            "POST",
            "/console/challenges/{reference}/review",
            {"reference": segments(reference)},
            form={
                **CSRF_FIELD,
                "action": value_of("list", "return", "close"),
                "reason": value_of("資料不足"),
            },
            csrf=True,
        ),
        Endpoint("GET", "/console/teams", query=("text", "page")),
        Endpoint("GET", "/console/broadcasts", query=("notice",)),
        *(
            Endpoint(
                "POST",
                f"/console/broadcasts/{name}",
                form={
                    **CSRF_FIELD,
                    "audience": value_of("all", "teams", "organisations"),
                    "round": value_of("108-1", "108-2"),
                    "text": value_of("提醒：截止日"),
                    "at": value_of("2019-05-21T09:00"),
                    "action": value_of("test", "schedule"),
                    "test_to": value_of("telegram:301", "line:Ufuzz"),
                    "key": value_of(),
                },
                csrf=True,
            )
            for name in ("preview", "send", "cancel")
        ),
        Endpoint("GET", "/console/teach", query=("notice",)),
        Endpoint(
            "POST",
            "/console/teach/label",
            form={
                **CSRF_FIELD,
                "special": value_of("out_of_scope", "ignore"),
                "label": value_of("ask_bonus"),
                "text": value_of("學姊可以當顧問嗎"),
                "entity": value_of("award_tier"),
                "entity_value": value_of("優等"),
            },
            csrf=True,
        ),
        Endpoint("POST", "/console/teach/retrain", form=CSRF_FIELD, csrf=True),
        Endpoint("GET", "/console/audit", query=("page",)),
        Endpoint(
            "GET",
            "/console/download/{sheet}.{fmt}",
            {
                "sheet": segments("challenges", "teams", "audit"),
                "fmt": segments("csv", "xlsx", "json"),
            },
            query=("status", "organisation", "lang"),
        ),
    ]


# -- one request --------------------------------------------------------------------------------

JUNK_COOKIES = [
    b"aigo_session=garbage",
    b"aigo_session=e30.\xc3\xa9\xc3\xa9",
    b"aigo_session=\xe9\xe9.\xe9",
    b"\xe9=1; aigo_session=x",
    b"a<b=1; aigo_session=x.y",
    b'aigo_session="\\"',
    b"aigo_session=; aigo_session=e30.e30",
    b"$Version=1; aigo_session=x; $Path=/",
    b"=; ; ;=",
]
JUNK_TOKENS = [b"", b"x", b"en", b"*", b"\xc3\xa9", b"\xe9" * 40, b"A" * 5000, b"\x7f\x01"]
JUNK_HEADERS = [
    b"Accept-Language",
    b"Authorization",
    b"X-Telegram-Bot-Api-Secret-Token",
    b"X-Line-Signature",
    b"X-Forwarded-For",
    b"Content-Length",
]


@dataclass(frozen=True)
class Auth:
    """The signed-in session (chat user and organiser) and its CSRF token."""

    cookie: bytes
    csrf: str


@dataclass
class Drawn:
    """One request: method, raw target, headers, body, chunked or not; ``signed`` (valid
    session and CSRF token) for the summary."""

    method: str
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes | None
    chunked: bool
    signed: bool


def _target(draw: st.DrawFn, endpoint: Endpoint) -> bytes:
    path = endpoint.path.encode()
    for name, strategy in endpoint.params.items():
        path = path.replace(b"{" + name.encode() + b"}", draw(strategy))
    return path + draw(query_strings(endpoint.query))


@st.composite
def requests(draw: st.DrawFn, endpoint: Endpoint, auth: Auth) -> Drawn:
    """One hostile request to ``endpoint`` (see the module docstring)."""
    headers: list[tuple[bytes, bytes]] = []
    mode = draw(st.sampled_from(["signed", "signed", "signed", "anonymous", "junk", "bad_csrf"]))
    if mode in ("signed", "bad_csrf"):
        headers.append((b"Cookie", auth.cookie))
    elif mode == "junk":
        headers.append((b"Cookie", draw(st.sampled_from(JUNK_COOKIES))))
    token = auth.csrf.encode() if mode == "signed" else draw(st.sampled_from(JUNK_TOKENS))
    if endpoint.csrf and not draw(sometimes(4)):
        headers.append((b"X-CSRF-Token", token))
    if draw(sometimes(4)):
        headers.append((draw(st.sampled_from(JUNK_HEADERS)), draw(st.sampled_from(JUNK_TOKENS))))
    body, content_type = _body(draw, endpoint, token if endpoint.csrf else None)
    if content_type is not None:
        headers.append((b"Content-Type", content_type))
    if endpoint.kind == "webhook-telegram" and not draw(sometimes(6)):
        headers.append((b"X-Telegram-Bot-Api-Secret-Token", b"telegram-webhook-secret-for-tests"))
    other = st.sampled_from(["PUT", "GET", "POST", "DELETE", "OPTIONS", "HEAD"])
    method = draw(other) if draw(sometimes(16)) else endpoint.method
    chunked = body is not None and draw(sometimes(6))
    return Drawn(method, _target(draw, endpoint), headers, body, chunked, mode == "signed")


def _body(draw: st.DrawFn, endpoint: Endpoint, token: bytes | None) -> tuple[bytes | None, Any]:
    """The body and its content type, in one of the shapes the endpoint may get."""
    kinds = []
    if endpoint.form is not None:
        kinds += ["urlencoded", "urlencoded", "multipart"]
    if endpoint.json is not None:
        kinds += ["json", "json"]
    kinds += ["none", "bytes"]
    if endpoint.method == "GET":
        kinds = ["none"] * 6 + kinds
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None, None
    if kind == "bytes":
        content_type = draw(
            st.sampled_from([b"application/json", b"application/x-www-form-urlencoded", b"\xff"])
        )
        return draw(st.binary(max_size=300)), content_type
    if kind == "json":
        return draw(json_bodies(endpoint.json or {})), b"application/json"
    fields = dict(endpoint.form or {})
    if token is not None:  # the session's token (or a junk one) as the form's _csrf field
        fields["_csrf"] = st.sampled_from([token.decode("latin-1")] * 3) | value_of()
    if kind == "urlencoded":
        return draw(urlencoded(fields)), b"application/x-www-form-urlencoded"
    content_type, body = draw(multipart(fields, endpoint.files))
    return body, content_type
