"""Strict reading of requests (assistant/server/strict.py), over a real uvicorn on loopback: text
that is not UTF-8 (a lone surrogate, a stray byte) and numbers that are not numbers are a 422 JSON
error on every kind of field, never a 500 and never stored."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

NOW = {"X-Assistant-Now": "2026-03-20T10:00"}
SURROGATE = b'"\\ud800"'


@pytest.fixture
def svc(serve):
    server = serve("--allow-simulated-clock")
    server.customer = server.token("--account", "demo")
    server.manager = server.token("--user", "lin", "--role", "manager")
    server.admin = server.token("--user", "root", "--role", "admin")
    return server


def raw_json(server, method: str, path: str, token: str, data: bytes) -> tuple[int, dict]:
    return server.call(method, path, token, data=data, content_type="application/json", headers=NOW)


def multipart(fields: list[tuple[str, bytes]], boundary: str = "b0und4ry") -> tuple[bytes, str]:
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode() + value + b"\r\n"
                    for name, value in fields) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_lone_surrogate_in_any_json_text_field_is_a_422_naming_it(svc):
    ticket = svc.call("POST", "/v1/tickets", svc.customer, {"reason": "help"}, headers=NOW)[1]["id"]
    conv = svc.call("POST", "/v1/conversations", svc.customer, headers=NOW)[1]["id"]
    cases = [("POST", "/v1/ask", svc.customer, b'{"question": ' + SURROGATE + b"}"),
             ("POST", "/v1/tickets", svc.customer, b'{"reason": ' + SURROGATE + b"}"),
             ("POST", f"/v1/tickets/{ticket}/answer", svc.customer, b'{"text": ' + SURROGATE + b"}"),
             ("POST", f"/v1/tickets/{ticket}/reply", svc.manager, b'{"text": ' + SURROGATE + b"}"),
             ("PATCH", "/v1/admin/accounts/demo", svc.admin, b'{"enterprise": [' + SURROGATE + b"]}"),
             ("POST", f"/v1/conversations/{conv}/messages", svc.customer, b'{"text": "a\\udfffb"}'),
             ("POST", "/v1/signatures", svc.customer, b'{"name": ' + SURROGATE + b', "source": "app"}')]
    for method, path, token, data in cases:
        status, answer = raw_json(svc, method, path, token, data)
        assert status == 422 and "lone UTF-16 surrogate" in answer["error"], (path, status, answer)
    # a surrogate pair is one real character and passes
    status, answer = raw_json(svc, "POST", "/v1/ask", svc.customer, b'{"question": "\\ud83d\\ude00"}')
    assert status == 200 and answer["question"] == "\U0001f600"
    assert "Traceback" not in svc.stderr()


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_the_documented_422_not_json_text(svc, depth):
    data = b'{"question": "hi", "x": ' + b"[" * depth + b"]" * depth + b"}"
    status, answer = raw_json(svc, "POST", "/v1/ask", svc.customer, data)
    assert status == 422 and answer["error"].startswith("the body is not JSON text: the body nests arrays or objects "
                                                        "too deeply"), answer
    assert answer["hint"] == "send UTF-8 JSON as /openapi.json describes"
    assert "Traceback" not in svc.stderr()


def test_text_in_a_file_field_is_refused_as_not_an_uploaded_file_naming_the_field(svc):
    cases = [("/v1/sends", [("code", b"DIGITAL_SMS_0001"), ("file", b"../../etc/passwd")], "file"),
             ("/v1/templates", [("name", b"Sale"), ("signature", b"AcmeShop"), ("industry", b"e-commerce"),
                                ("text", b"Hi"), ("media", b"/etc/passwd")], "media"),
             ("/v1/templates", [("name", b"Sale"), ("signature", b"AcmeShop"), ("industry", b"e-commerce"),
                                ("text", b"Hi"), ("letter", b"/etc/passwd")], "letter")]
    for path, fields, name in cases:
        data, content_type = multipart(fields)
        status, answer = svc.call("POST", path, svc.customer, data=data, content_type=content_type, headers=NOW)
        assert status == 422, (path, answer)
        assert answer == {"error": f"`{name}` must be an uploaded file, not text; send the file's bytes as a file "
                                   f"part (curl -F {name}=@PATH)", "hint": f"send the file's bytes as a file part "
                                                                           f"(curl -F {name}=@PATH)"}, answer


def test_a_json_body_that_is_not_utf8_is_a_422(svc):
    status, answer = raw_json(svc, "POST", "/v1/ask", svc.customer, b'{"question": "caf\xe9"}')
    assert status == 422 and answer["error"].startswith("the body is not JSON text: the body is not valid UTF-8")
    assert answer["hint"] == "send UTF-8 JSON as /openapi.json describes"


@pytest.mark.parametrize("value", [True, False, "10", 10.0, [10]])
def test_a_top_up_count_must_be_a_json_integer(svc, value):
    before = svc.call("GET", "/v1/admin/accounts/demo", svc.admin, headers=NOW)[1]
    status, answer = svc.call("POST", "/v1/admin/accounts/demo/topup", svc.admin, {"digital": value}, headers=NOW)
    assert status == 422 and answer["error"].startswith("digital: "), answer
    assert svc.call("GET", "/v1/admin/accounts/demo", svc.admin, headers=NOW)[1] == before


def test_a_top_up_of_an_integer_still_adds_it(svc):
    before = svc.call("GET", "/v1/admin/accounts/demo", svc.admin, headers=NOW)[1]
    status, _ = svc.call("POST", "/v1/admin/accounts/demo/topup", svc.admin, {"digital": 10}, headers=NOW)
    after = svc.call("GET", "/v1/admin/accounts/demo", svc.admin, headers=NOW)[1]
    assert status == 200 and json.dumps(after) != json.dumps(before)
    assert after["packages"]["digital"] == before["packages"]["digital"] + 10


def test_booleans_are_strict_too(svc):
    status, answer = svc.call("POST", "/v1/ask", svc.customer, {"question": "what is td", "text": "yes"}, headers=NOW)
    assert status == 422 and answer["error"].startswith("text: ")


def test_a_multipart_text_field_that_is_not_utf8_is_a_422_and_nothing_is_sent(svc):
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), ("phone", b"13800138000"), ("param", b"name=Tom\xff")])
    status, answer = svc.call("POST", "/v1/sends", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status == 422 and answer["error"].startswith("form field 'param' is not valid UTF-8 text"), answer
    assert svc.call("GET", "/v1/sends", svc.customer, headers=NOW)[1] == []
    body, kind = multipart([("name", "Caf\u00e9".encode("latin-1")), ("signature", b"S"), ("industry", b"e-commerce"),
                            ("text", b"hi")])
    status, answer = svc.call("POST", "/v1/templates", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status == 422 and "form field 'name'" in answer["error"]


def test_valid_utf8_in_a_multipart_field_is_read_as_utf8(svc):
    body, kind = multipart([("code", "DIGITAL_SMS_张".encode()), ("phone", b"13800138000")])
    status, answer = svc.call("POST", "/v1/sends", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status in (400, 404) and "DIGITAL_SMS_张" in answer["error"], answer


def test_a_path_or_query_that_is_not_utf8_is_a_422(svc):
    status, answer = svc.call("GET", "/v1/error-codes/%ff%fe", svc.customer, headers=NOW)
    assert status == 422 and answer["error"].startswith("the path is not valid UTF-8 text")
    status, answer = svc.call("GET", "/v1/signatures?name=%ed%a0%80", svc.customer, headers=NOW)
    assert status == 422 and answer["error"].startswith("the query string is not valid UTF-8 text")
    assert svc.call("GET", "/v1/error-codes/isv.BUSINESS_LIMIT_CONTROL", svc.customer, headers=NOW)[0] == 200


def _bodied_routes(svc) -> list[tuple[str, str, str]]:
    """Every /v1 route that takes a body: (method, path with its parameters filled in, "form" or "json")."""
    routes = []
    for path, methods in svc.call("GET", "/openapi.json")[1]["paths"].items():
        for method, op in methods.items():
            kinds = (op.get("requestBody") or {}).get("content", {})
            if kinds:
                routes.append((method.upper(), path.replace("{", "").replace("}", ""),
                               "json" if "application/json" in kinds else "form"))
    return routes


def _sent(server, method: str, path: str, token: str, data: bytes, kind: str | None) -> tuple[int, dict]:
    """DATA sent with Content-Type KIND, or none at all (urllib would add a form's)."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Length": str(len(data)), **NOW}
    connection.request(method, path, body=data, headers={**headers, **({"Content-Type": kind} if kind else {})})
    response = connection.getresponse()
    try:
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_body_in_the_wrong_media_type_is_a_415_saying_what_the_endpoint_takes_on_every_endpoint(svc):
    routes = _bodied_routes(svc)
    assert {("POST", "/v1/sends", "form"), ("POST", "/v1/ask", "json")} <= set(routes) and len(routes) > 15
    for method, path, takes in routes:
        token = svc.admin if "/admin/" in path else svc.customer
        if takes == "form":   # a send as JSON (a client's usual first try)
            status, answer = svc.call(method, path, token, {"code": "DIGITAL_SMS_0001", "phone": ["13800138000"]},
                                      headers=NOW)
            assert status == 415, (path, status, answer)
            assert answer["error"] == "this endpoint takes a form, not application/json; send multipart/form-data " \
                "(curl -F NAME=VALUE)", (path, answer)
            assert answer["hint"] == "send multipart/form-data (curl -F NAME=VALUE)", (path, answer)
        else:                 # curl -d's default: a form
            for kind, named in (("application/x-www-form-urlencoded", ", not application/x-www-form-urlencoded"),
                                (None, " and the body has no Content-Type")):
                status, answer = _sent(svc, method, path, token, b'{"question": "how long review"}', kind)
                assert status == 415, (path, kind, status, answer)
                assert answer["error"] == f"this endpoint takes JSON{named}; send it with Content-Type: " \
                    "application/json (curl --json '{...}')", (path, answer)
                assert answer["hint"] == "send it with Content-Type: application/json (curl --json '{...}')"
    assert svc.call("GET", "/v1/sends", svc.customer, headers=NOW)[1] == []   # nothing was done
    # the right media type still passes; a JSON subtype (+json) and a charset too
    status, answer = svc.call("POST", "/v1/ask", svc.customer, data=b'{"question": "what is td"}',
                              content_type="application/merge-patch+json; charset=utf-8", headers=NOW)
    assert status == 200 and answer["type"] == "answer", answer
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), ("phone", b"13800138000")])
    status, answer = svc.call("POST", "/v1/sends", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status not in (415, 422), answer


def test_an_unknown_field_of_a_json_body_is_a_422_naming_it_and_the_fields_taken(svc):
    status, answer = svc.call("POST", "/v1/ask", svc.customer, {"question": "what is td", "bogus": 1, "Text": True},
                              headers=NOW)
    assert status == 422, answer
    assert answer == {"error": "unknown fields 'bogus', 'Text' in the body; this request takes question, text, lang "
                               "(see /openapi.json)",
                      "hint": "this request takes question, text, lang (see /openapi.json)"}
    status, answer = svc.call("POST", "/v1/signatures", svc.customer, {"name": "AcmeTech", "sorce": "app"}, headers=NOW)
    assert status == 422 and answer["error"] == ("unknown field 'sorce' in the body; this request takes name, source "
                                                 "(see /openapi.json)"), answer
    assert svc.call("GET", "/v1/signatures", svc.customer, headers=NOW)[1] == []     # nothing was done


def test_every_json_endpoint_refuses_an_unknown_field_before_doing_anything(svc):
    routes = [(m, p) for m, p, takes in _bodied_routes(svc) if takes == "json"]
    assert len(routes) > 15
    for method, path in routes:
        for token in (svc.customer, svc.manager, svc.admin):   # the first role that may call it
            status, answer = svc.call(method, path, token, {"zzz_not_a_field": 1}, headers=NOW)
            if status != 403:
                break
        assert status == 422 and answer["error"].startswith("unknown field 'zzz_not_a_field' in the body; this "
                                                            "request takes "), (path, status, answer)


def test_an_unknown_field_of_a_form_is_a_422_naming_it_and_the_fields_taken(svc):
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), ("phones", b"13800138000")])
    status, answer = svc.call("POST", "/v1/sends", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status == 422 and answer["error"] == ("unknown form field 'phones'; this request takes code, phone, param, "
                                                 "file (see /openapi.json)"), answer
    body, kind = multipart([("name", b"Sale"), ("signature", b"AcmeShop"), ("industry", b"e-commerce"),
                            ("text", b"hi"), ("medias", b"x")])
    status, answer = svc.call("POST", "/v1/templates", svc.customer, data=body, content_type=kind, headers=NOW)
    assert status == 422 and answer["error"].startswith("unknown form field 'medias'; this request takes name, "
                                                        "signature, industry, text, media, letter"), answer
    assert svc.call("GET", "/v1/sends", svc.customer, headers=NOW)[1] == []


def test_an_unknown_query_parameter_is_a_422_naming_it_and_the_parameters_taken(svc):
    # "?stauts=open" was ignored: every ticket listed, as if the filter had been read
    svc.call("POST", "/v1/tickets", svc.customer, {"reason": "help"}, headers=NOW)
    status, answer = svc.call("GET", "/v1/tickets?stauts=resolved", svc.manager, headers=NOW)
    assert status == 422 and answer["error"].startswith("unknown query parameter 'stauts'; this request takes "
                                                        "status, "), answer
    assert "(see /openapi.json)" in answer["error"] and answer["hint"].startswith("this request takes status, ")
    status, answer = svc.call("GET", "/v1/whoami?verbose=1", svc.customer, headers=NOW)
    assert status == 422 and answer["error"] == ("unknown query parameter 'verbose'; this request takes no query "
                                                 "parameters (see /openapi.json)"), answer
    status, answer = svc.call("POST", "/v1/ask?lang=zh", svc.customer, {"question": "what is td"}, headers=NOW)
    assert status == 422 and "unknown query parameter 'lang'" in answer["error"], answer   # lang is the body's
    # the parameters each endpoint takes still work, and the pages keep theirs (a language switch, ?done=1)
    assert svc.call("GET", "/v1/tickets?status=resolved", svc.manager, headers=NOW) == (200, [])
    assert svc.call("GET", "/healthz?probe=1")[0] == 200
    assert "Traceback" not in svc.stderr()


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("question", ["what is td", "签名审核要多久"])
def test_a_json_body_in_utf16_or_utf32_is_a_422_saying_so_and_to_send_utf8(svc, codec, question):
    data = json.dumps({"question": question}, ensure_ascii=False).encode(codec)
    status, answer = raw_json(svc, "POST", "/v1/ask", svc.customer, data)
    name = codec[:6].upper()
    assert status == 422 and answer == {
        "error": f"the body is not JSON text: the body is {name}, not UTF-8; send UTF-8 JSON as /openapi.json describes",
        "hint": "send UTF-8 JSON as /openapi.json describes"}, answer


def test_a_json_body_declared_in_another_charset_is_a_415_saying_to_send_utf8(svc):
    data = json.dumps({"question": "what is td"}).encode("utf-16")
    status, answer = svc.call("POST", "/v1/ask", svc.customer, data=data, content_type="application/json; charset=utf-16",
                              headers=NOW)
    assert status == 415 and answer["error"] == ("this endpoint takes JSON in UTF-8, not charset utf-16; send it with "
                                                 "Content-Type: application/json (curl --json '{...}')"), answer
    for charset in ("utf-8", "UTF8", "us-ascii"):
        status, answer = svc.call("POST", "/v1/ask", svc.customer, data=b'{"question": "what is td"}',
                                  content_type=f"application/json; charset={charset}", headers=NOW)
        assert status == 200, (charset, answer)


def test_an_empty_body_to_a_json_endpoint_is_a_422_saying_what_to_send(svc):
    for path in ("/v1/ask", "/v1/signatures"):
        status, answer = _sent(svc, "POST", path, svc.customer, b"", "application/json")
        assert status == 422, (path, answer)
        assert answer == {"error": "the body is empty; send this endpoint's JSON (its fields in /openapi.json) with "
                                   "Content-Type: application/json, e.g. curl --json '{...}'",
                          "hint": "send this endpoint's JSON (its fields in /openapi.json) with Content-Type: "
                                  "application/json, e.g. curl --json '{...}'"}, (path, answer)
    status, answer = raw_json(svc, "POST", "/v1/ask", svc.customer, b"{}")
    assert status == 422 and answer["error"].startswith("question: Field required"), answer   # a body: its field named


def test_an_encoded_slash_in_an_address_is_no_path_separator(svc):
    """`/v1/tickets/1%2Fclaim` is decoded before routing: it must not reach `/v1/tickets/1/claim`
    past a proxy rule that reads the address as one segment."""
    ticket = svc.call("POST", "/v1/tickets", svc.customer, {"reason": "help"}, headers=NOW)[1]["id"]
    for path in (f"/v1/tickets/{ticket}%2Fclaim", f"/v1/tickets/{ticket}%2fclaim"):
        status, answer = svc.call("POST", path, svc.manager, headers=NOW)
        assert status == 404 and answer["error"] == "no such endpoint; see /openapi.json", (path, status, answer)
    status, answer = svc.call("POST", f"/v1/tickets/{ticket}/resolve%2F", svc.manager, {"note": "x"}, headers=NOW)
    assert status == 404, answer
    status, answer = svc.call("GET", f"/v1/tickets/{ticket}", svc.manager, headers=NOW)
    assert status == 200 and answer["status"] == "open" and answer["owner"] is None
    request = http.client.HTTPConnection(urllib.parse.urlsplit(svc.url).netloc, timeout=30)
    request.request("GET", f"/desk/tickets/{ticket}%2Fclaim", headers={"Accept": "text/html"})
    page = request.getresponse()
    assert page.status == 404 and "Page not found" in page.read().decode()
