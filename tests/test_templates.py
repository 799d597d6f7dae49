"""Templates: the specification refuses at once; each carrier then reviews on its own."""

from pathlib import Path

import pytest

from assistant.actions import accounts, signatures, templates
from assistant.clock import add_business_days
from assistant.errors import Unsupported, UserError


@pytest.fixture
def ready(ctx):
    """Demo enabled, signature AcmeShop registered with all three carriers (it is 17 March)."""
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.at("2026-03-17T10:00")
    return ctx


def _create(c, media, text="Hi ${name}, the spring sale is on", industry="e-commerce", files=None, letter=None,
            name="Spring sale", signature="AcmeShop"):
    return templates.create(c, name, signature, industry, text, files if files is not None else [media["image"]], letter)


def test_a_compliant_template_is_approved_by_all_three(ready, media):
    status = _create(ready, media)
    assert status["code"] == "DIGITAL_SMS_0001"
    assert {c["status"] for c in status["carriers"].values()} == {"pending"} and status["ready_for"] == []
    ready.at("2026-03-20T10:00")
    done = templates.status(ready, status["code"])[0]
    assert done["ready_for"] == ["china_mobile", "china_unicom", "china_telecom"]
    assert done["reach"] == "users of all three carriers"


def test_each_carrier_decides_on_its_own_day(ready, media):
    code = _create(ready, media)["code"]
    ready.at("2026-03-19T10:00")       # China Mobile takes 2 business days, the others 3
    status = templates.status(ready, code)[0]
    assert status["ready_for"] == ["china_mobile"] and status["reach"] == "China Mobile users only"


def test_a_template_waits_for_a_registered_signature(ctx, media):
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    with pytest.raises(UserError, match="not registered and active with any carrier yet .decision expected by"):
        _create(ctx, media)
    assert ctx.store.rows("SELECT * FROM templates") == []


def test_live_streaming_content_without_its_industry_fails_china_telecom_only(ready, media):
    code = _create(ready, media, text="Join our live stream tonight")["code"]
    ready.at("2026-03-20T10:00")
    status = templates.status(ready, code)[0]
    assert status["ready_for"] == ["china_mobile", "china_unicom"]
    assert "commitment letter" in status["carriers"]["china_telecom"]["reason"]
    assert status["reach"] == "China Mobile and China Unicom users only"


def test_live_streaming_industry_without_a_letter_fails_china_telecom(ready, media):
    code = _create(ready, media, text="Join our live stream tonight", industry="live streaming")["code"]
    ready.at("2026-03-20T10:00")
    assert templates.status(ready, code)[0]["carriers"]["china_telecom"]["status"] == "rejected"


def test_live_streaming_industry_with_a_legible_letter_passes_all_three(ready, media):
    code = _create(ready, media, text="Join our live stream tonight", industry="Live Streaming",
                   letter=media["letter"])["code"]
    ready.at("2026-03-20T10:00")
    assert len(templates.status(ready, code)[0]["ready_for"]) == 3


def test_finance_is_china_mobiles_alone_and_only_with_its_documents(ready, media):
    bare = _create(ready, media, industry="finance", text="Your statement is ready")["code"]
    filed = _create(ready, media, industry="finance", text="Your statement is ready", letter=media["letter"])["code"]
    ready.at("2026-03-20T10:00")
    without, with_documents = templates.status(ready, bare)[0], templates.status(ready, filed)[0]
    assert without["ready_for"] == [] and "proof of cooperation with a financial institution" in \
        without["carriers"]["china_mobile"]["reason"]
    assert with_documents["ready_for"] == ["china_mobile"]
    assert with_documents["carriers"]["china_unicom"]["reason"] == "China Unicom does not accept finance digital messages"


def test_the_rejections_a_template_will_get_are_said_when_it_is_created(ready, media):
    created = _create(ready, media, industry="finance", text="Your statement is ready", letter=media["letter"])
    assert created["warnings"] == ["China Unicom will reject it: China Unicom does not accept finance digital messages",
                                   "China Telecom will reject it: China Telecom does not accept finance digital messages"]
    assert _create(ready, media, name="Plain sale")["warnings"] == []


def test_a_product_one_carrier_refuses_in_e_commerce_fails_only_there(ready, media):
    code = _create(ready, media, text="Infant formula at half price, ${name}")["code"]
    ready.at("2026-03-20T10:00")
    status = templates.status(ready, code)[0]
    assert status["ready_for"] == ["china_unicom", "china_telecom"]
    assert "infant formula" in status["carriers"]["china_mobile"]["reason"]


@pytest.mark.parametrize("text", ["${name}您好，法国葡萄酒到货", "${name}您好，波尔多红酒到货", "New craft beer for ${name}"])
def test_wine_and_beer_in_either_language_are_the_alcohol_china_mobile_refuses_in_e_commerce(ready, media, text):
    created = _create(ready, media, text=text)
    assert created["warnings"] and created["warnings"][0].startswith("China Mobile will reject it")


def test_each_carrier_reviews_in_its_own_number_of_days(ready, media):
    code = _create(ready, media)["code"]
    expected = {c: r.template_review_business_days for c, r in ready.rules.carrier_rules.items()}
    carriers = templates.status(ready, code)[0]["carriers"]
    assert {c: s["expected_by"] for c, s in carriers.items()} == \
        {c: add_business_days(ready.clock.today(), d, ready.rules.calendar).isoformat() for c, d in expected.items()}


def test_banned_words_are_rejected_by_every_carrier(ready, media):
    code = _create(ready, media, text="Win the lottery today")["code"]
    ready.at("2026-03-20T10:00")
    status = templates.status(ready, code)[0]
    assert status["ready_for"] == [] and status["reach"] == "no one yet"
    assert all("lottery" in c["reason"] for c in status["carriers"].values())


@pytest.mark.parametrize(("said", "industry"), [("电商", "e-commerce"), ("直播", "live streaming"), ("通用", "general"),
                                                ("online shop", "e-commerce"), ("E-Commerce", "e-commerce")])
def test_an_industry_is_taken_in_the_words_the_conversation_shows(ready, media, said, industry):
    code = _create(ready, media, industry=said)["code"]
    assert ready.store.row("SELECT industry FROM templates WHERE code = ?", (code,))["industry"] == industry


@pytest.mark.parametrize("kwargs,message", [
    ({"name": "A name far longer than twenty"}, "use 1 to 20"),
    ({"text": "Sale [today]"}, r"contains \[ \]"),
    ({"text": "${a} ${b} ${c} ${d}"}, "at most 3"),
    ({"text": "Hi ${name"}, "unclosed"),
    ({"text": "Hi ${first name}"}, "not valid"),
    ({"text": "   "}, "no text"),
    ({"industry": "astrology"}, "unknown template industry"),
    ({"signature": "Nobody"}, "no signature 'Nobody'"),
])
def test_specification_problems_refuse_at_once(ready, media, kwargs, message):
    with pytest.raises(UserError, match=message):
        _create(ready, media, **kwargs)
    assert ready.store.rows("SELECT * FROM templates") == []


@pytest.mark.parametrize("files,message", [
    (lambda m: [], "at least one image or video"),
    (lambda m: [m["fake"]], "not a PNG, JPG, GIF, MP4 or MP3 file"),
    (lambda m: [m["video"], m["video"]], "at most 1 is allowed"),
    (lambda m: [m["image"]] * 9, "10 frames"),
])
def test_media_is_checked_by_its_bytes(ready, media, files, message):
    with pytest.raises(UserError, match=message):
        _create(ready, media, files=files(media))


def test_frames_must_stay_under_1900_kb(ready, media, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(Path(media["image"]).read_bytes() + b"\x00" * 1_950_000)
    with pytest.raises(UserError, match="under 1900 KB"):
        _create(ready, media, files=[str(big)])


@pytest.mark.parametrize("letter,message", [("fake", "not a PNG"), ("video", "not an image"), ("small_letter", "too small")])
def test_a_commitment_letter_must_be_a_legible_image(ready, media, letter, message):
    with pytest.raises(UserError, match=message):
        _create(ready, media, industry="live streaming", letter=media[letter])


def test_a_manager_records_a_carrier_decision_by_hand(ready, media):
    code = _create(ready, media)["code"]
    ready.actor = "manager:lin"
    status = templates.record_review(ready, code, "china_unicom", False, "blurred image")
    assert status["carriers"]["china_unicom"] == {"status": "rejected", "reason": "blurred image",
                                                  "decided_on": "2026-03-17", "decided_by": "manager:lin"}
    with pytest.raises(UserError, match="needs the carrier's reason"):
        templates.record_review(ready, code, "china_unicom", False, None)


def test_template_status_json_contract(ready, media):
    status = _create(ready, media)
    assert {"code", "carriers", "ready_for"} <= set(status)
    assert set(status["carriers"]["china_mobile"]) >= {"status", "reason"}
    assert status["variables"] == ["name"]


def test_another_account_cannot_see_the_template(ready, media):
    code = _create(ready, media)["code"]
    accounts.create_account(ready, "globex", "retail", {})
    ready.account = "globex"
    with pytest.raises(UserError, match=f"no template {code} in account 'globex'"):
        templates.status(ready, code)


def _with_media(media, kwargs: dict) -> dict:
    """KWARGS with the media files they name by key ("files", "letter") given as those files: a copy, for
    the parameters are shared by both engines' runs."""
    kwargs = dict(kwargs)
    if "files" in kwargs:
        kwargs["files"] = [media[kwargs["files"]]]
    if "letter" in kwargs:
        kwargs["letter"] = media[kwargs["letter"]]
    return kwargs


@pytest.mark.parametrize("kwargs,code", [
    ({"text": "Hi [VIP] ${name}"}, "isv.SMS_CONTENT_ILLEGAL"),
    ({"text": "新品優惠 ${name}"}, "isv.UNSUPPORTED_CONTENT"),
    ({"text": "Spring sale \U0001F389 ${name}"}, "isv.UNSUPPORTED_CONTENT"),
    ({"signature": "Nobody"}, "isv.SMS_SIGNATURE_ILLEGAL"),
])
def test_refusals_carry_the_services_code(ready, media, kwargs, code):
    with pytest.raises(UserError) as caught:
        _create(ready, media, **_with_media(media, kwargs))
    assert caught.value.code == code and str(caught.value).startswith(f"{code}: ")


@pytest.mark.parametrize("kwargs,message", [
    ({"files": "fake"}, "photo.png is not a PNG, JPG, GIF, MP4 or MP3 file"),
    ({"industry": "live streaming", "letter": "video"}, "the commitment letter "),
])
def test_a_file_of_another_format_is_refused_with_no_service_code_for_the_documentation_names_none(ready, media, kwargs,
                                                                                                  message):
    # isv.UNSUPPORTED_CONTENT is documented for characters (traditional, emoji, rare), never for files
    with pytest.raises(Unsupported) as caught:
        _create(ready, media, **_with_media(media, kwargs))
    assert caught.value.code is None and message in str(caught.value) and "isv." not in str(caught.value)


def test_a_signature_not_yet_registered_is_sms_signature_illegal(ctx, media):
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    with pytest.raises(UserError) as caught:
        _create(ctx, media)
    assert caught.value.code == "isv.SMS_SIGNATURE_ILLEGAL"


def test_one_template_past_the_limit_of_rules_yaml_is_template_count_over_limit(ready, media):
    limit = ready.rules.template["max_per_account"]
    for n in range(limit):
        ready.store.insert("templates", {"code": f"X{n}", "account": "demo", "name": "x", "signature": "AcmeShop",
                                         "industry": "general", "text": "x", "variables": "[]", "frames": "[]",
                                         "created_at": ready.now()})
    with pytest.raises(UserError) as caught:
        _create(ready, media)
    assert caught.value.code == "isv.TEMPLATE_COUNT_OVER_LIMIT" and f"({limit})" in str(caught.value)


def test_traditional_characters_are_refused_naming_each_with_its_simplified_form(ready, media):
    with pytest.raises(UserError) as caught:
        _create(ready, media, text="${name}您好，新品優惠活動開始，歡迎選購")
    assert str(caught.value) == ("isv.UNSUPPORTED_CONTENT: the text uses traditional Chinese 優 動 開 歡 選 購; "
                                 "write them in simplified Chinese: 优 动 开 欢 选 购")
    assert ready.store.rows("SELECT * FROM templates") == []


def test_emoji_in_the_text_are_refused_by_name(ready, media):
    with pytest.raises(UserError) as caught:
        _create(ready, media, text="Hi ${name} \U0001F389 the sale is on \u2705 \u2764\ufe0f")
    assert caught.value.code == "isv.UNSUPPORTED_CONTENT"
    assert "emoji \U0001F389 \u2705 \u2764\ufe0f; remove them" in str(caught.value)
    assert ready.store.rows("SELECT * FROM templates") == []


def test_symbols_that_are_not_emoji_pass(ready, media):
    status = _create(ready, media, text="\u2605限时优惠\u2605 ${name}：满100减20 \u2713 \u00a9AcmeShop")
    assert status["code"] == "DIGITAL_SMS_0001"


def test_a_realistic_simplified_chinese_template_is_created_and_approved(ready, media):
    text = ("尊敬的${name}，您好！春季新品优惠活动已开始，全场商品八折起，会员再享积分翻倍。"
            "欢迎选购，详情请查看会员中心：https://www.example.com/${url}")
    status = _create(ready, media, text=text, name="春季新品")
    assert status["variables"] == ["name", "url"]
    ready.at("2026-03-20T10:00")
    assert templates.status(ready, status["code"])[0]["reach"] == "users of all three carriers"
