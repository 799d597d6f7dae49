"""A value a question names that the rules refuse says which documented rule it asks about."""

import copy

import pytest

from assistant import symptoms
from assistant.messages import say
from assistant.router import Router


def found(kb, text):
    return [(f.entry, f.value) for f in symptoms.findings(text, kb.rules, kb.routing.checks)]


@pytest.mark.parametrize("text,entry,value", [
    ('I tried to name my signature "ACME-China!" and the console would not accept it', "signature-name-rules", "ACME-China!"),
    ("签名想用“Joy&Fun游戏”，为什么提交不了", "signature-name-rules", "Joy&Fun游戏"),
    ("Would a signature of only digits, like 12306, be accepted?", "signature-name-rules", "12306"),
    ('Our template name is "Spring Festival Mega Sale Campaign 2027" and it will not save', "template-content-rules",
     "Spring Festival Mega Sale Campaign 2027"),
    ("My message text has [NEW] in it and was rejected", "template-content-rules", "[NEW]"),
    ("模板正文里能用【】吗", "template-content-rules", "【】"),
    ("Our frames add up to roughly 2,000 KB and the template won't save", "media-formats", "2,000 KB"),
    ("十二张图片的模板可以吗", "media-formats", "十二张图片"),
    ("模板里有两个mp4视频行吗", "media-formats", "两个mp4视频"),                # a format between the count and the video
    ("the video file is a .mov from an iPhone", "media-formats", "mov"),
    ("our mp4 is encoded in H.265, fine?", "media-formats", "h.265"),
    ("模板里写“優惠活動”可以吗", "template-content-rules", "優惠活動"),
    ("模板文案“限时优惠🎉”能过审吗", "template-content-rules", "限时优惠🎉"),
    ("客户名单里有192开头的号码", "mobile-numbers", "192"),
    ("我们的模板只放视频行不行", "media-formats", "只放视频"),
    ("只写了一段文字的模板能过审吗", "media-formats", "只写了一段文字"),
    ("She received the reminder at 09:40 this morning. When can we send her the same template again?", "flow-control", "09:40"),
    ("Can a template be just a picture of the new menu?", "media-formats", "just a picture"),
    ("the send to 14612345678 failed as an invalid number", "mobile-numbers", "14612345678"),
    ("numbers starting with 1703, whose are they?", "number-segments", "1703"),
    ("our numbers are written +86 138-1234-5678, is that accepted?", "mobile-numbers", "+86 138-1234-5678"),
    ("sent at 10:00 and the same template again at 3pm was blocked", "flow-control", "10:00"),
    ("the same template at 10:25 yesterday, and today at 09:00 it failed", "flow-control", "10:25"),
    ("图片2M的可以吗", "media-formats", "2M"),
    ("signaturename 17 chars rejected why", "signature-name-rules", "17 chars"),   # run together, no rename
    ("模板名称写了25个字，提示不合法", "template-content-rules", "25个字"),
    ("上午10点发了，下午3点用同一个模板再发就失败了", "flow-control", "10:00"),
])
def test_a_refused_or_known_value_names_the_entry_of_its_rule(kb, text, entry, value):
    assert (entry, value) in found(kb, text)


@pytest.mark.parametrize("text", [
    'our signature "AcmeShop" is ready, when can we send?',      # a name the rules accept
    "the console keeps asking me for a 'signature' first",       # the word itself, quoted
    "We have an approved signature called Northwind.",          # the full stop is no part of the name
    "We want to send to 150 numbers at once",                   # a count, not a prefix
    "the report for 2026-12-06 and order 13800138000",           # a day; a valid number
    "our 3 images come to 900 KB",                              # within the limits
    "we have 192 numbers in our list, how do I send to all of them?",  # a count, though 192 is a segment
    "My order number is 20261201123456, the message never arrived",     # no phone number's length
    "5G消息模板和数字短信有什么区别？",                                  # a network, not a size
    "Our campaign reached 5m users with the template last year",       # five million, not megabytes
    "The same template went to different customers at 10:00 and 10:05, is that OK?",  # not one number
    "same template yesterday at 10:00 and today at 11:00 to one number",  # 25 hours apart
    'Can I change the name of my signature "Acme Shop"?',              # a change asked for, not a name checked
    "our signature has 5 characters, is that ok",                      # a length the rules accept
    "模板里放了一段mp4视频、一张海报和一段文字",                          # the 4 of mp4 counts no videos
])
def test_a_value_the_rules_accept_is_no_symptom(kb, text):
    assert found(kb, text) == []


def test_the_checks_read_the_figures_of_the_rules(kb):
    rules = kb.rules._replace(template={**kb.rules.template, "max_total_kb": 5000})
    assert symptoms.findings("our images come to 2,000 KB in the template", rules, kb.routing.checks) == []
    assert symptoms.findings("our images come to 6,000 KB in the template", rules, kb.routing.checks)


@pytest.mark.parametrize("question", ["19212345678能收到吗", "is 14612345678 supported?", "能发给19212345678吗？"])
def test_a_number_no_message_reaches_is_its_own_cue_for_the_number_rules(router, question):
    """No word says "number" (with the encoder, "can I send to 19212345678?" fell back: test_encoder)."""
    reply = router.route(question)
    assert (reply.type, reply.entry) == ("answer", "mobile-numbers")
    assert len(reply.notes) == 1 and reply.notes[0].startswith(question[question.index("1"):][:11])


def test_a_number_written_oddly_says_how_it_is_read_only_where_numbers_are_spoken_of(kb):
    assert found(kb, "our numbers are written +86 138-1234-5678, is that accepted?")
    assert found(kb, "can I send to +86 138-1234-5678?") == []     # a good number alone asks nothing of the rules


def test_a_question_naming_a_refused_value_is_answered_with_the_rule_and_what_is_wrong(router):
    reply = router.route('We tried to register the signature "Joy&Fun游戏" and it won\'t save. What is wrong with it?')
    assert (reply.type, reply.entry) == ("answer", "signature-name-rules")
    assert reply.notes and "'&'" in reply.notes[0]


def test_what_is_wrong_with_the_value_is_in_the_json_reply(router):
    reply = router.route("my video is 3MB, is that ok?").to_json()
    assert reply["entry"] == "media-formats"
    assert reply["notes"] == ["3MB is more than a template carries: its files together stay under 1,900 KB"]


def test_the_flow_control_note_reads_its_limit_from_the_rules(kb):
    rules = kb.rules._replace(sending={**kb.rules.sending, "flow_control": {
        **kb.rules.sending["flow_control"], "same_template_per_24h": 2}})
    [finding] = symptoms.findings("sent at 9:30, the same template at 11:00 failed", rules, kb.routing.checks)
    assert "at most 2 times in 24 hours" in say(kb, finding.note, "en", **dict(finding.fields))


@pytest.mark.parametrize(("question", "note"), [
    ("上传视频一直失败，是mp4的，3M", "3M 超出了模板的容量：所有文件加起来须小于 1,900 KB"),
    ("以1703开头的号码是哪家的", "1703 号段属于中国移动"),
    ("模板里能用【】吗", "【 】 留给服务加在消息开头的签名使用；请从文字中去掉"),
])
def test_what_is_wrong_with_a_value_is_said_in_the_language_of_the_question(router, question, note):
    assert router.route(question).notes == (note,)


def test_asking_whether_a_refused_value_passes_review_is_answered_by_the_rule(router):
    reply = router.route("Our designer put 12 images in a slideshow for the template. Will that pass review?")
    assert (reply.type, reply.entry) == ("answer", "media-formats")


def test_a_request_naming_a_refused_value_stays_the_request(router):
    reply = router.route('submit signature "A&B" from our trademark')
    assert (reply.type, reply.action) == ("action", "signature.submit")


def test_a_question_about_a_named_objects_status_is_not_a_symptom(router):
    reply = router.route('We submitted the signature "Brightway Logistics" a week ago. Could you check its status for me?')
    assert reply.entry != "signature-name-rules"


def test_a_salient_word_in_the_asking_sentence_still_falls_back(router):
    reply = router.route('how do I delete the signature "A&B"?')
    assert reply.entry != "signature-name-rules"


@pytest.mark.parametrize("question", ["海报上传失败了。系统提示格式不对。设计师导出的是webp图片",
                                      "The poster upload failed. It says unsupported format. "
                                      "Our designer exported it as a webp file."])
def test_a_report_of_several_sentences_asking_nothing_is_answered_by_its_refused_value(router, question):
    """"export" is salient (exporting data is not documented), but here it only tells the story."""
    reply = router.route(question)
    assert (reply.type, reply.entry) == ("answer", "media-formats") and "WEBP" in reply.notes[0]


def test_a_salient_word_in_a_one_sentence_question_beside_a_value_still_falls_back(router):
    assert router.route("how do I export the poster as webp").type == "fallback"


def test_without_checks_in_the_knowledge_base_nothing_is_read(kb):
    plain = copy.copy(kb)._replace(routing=kb.routing._replace(checks=()))
    reply = Router(plain).route('I tried to name my signature "ACME-China!" and the console would not accept it. Why?')
    assert reply.notes == ()


@pytest.mark.parametrize(("question", "note"), [
    ("Can a dental clinic send medical templates to all three carriers?", "medicine: not taken by China Telecom"),
    ("what paperwork do game templates need", "games: taken by China Mobile, China Unicom only with supporting documents"),
    ("房地产的模板电信能发吗", "房地产：中国电信不接受"),
    ("Is medical beauty content allowed in a digital template?",
     "'medical beauty' is on the template specification's banned list"),
    ("pharmacy promo to unicom users ok?", "medicine: not taken by China Telecom"),      # a carrier's short name asks
    ("Can a liquor store advertise in a digital message?", "'liquor' is on the template specification's banned list"),
])
def test_an_industry_asked_about_is_answered_with_what_each_carrier_decides(router, question, note):
    reply = router.route(question)
    assert (reply.type, reply.entry, reply.notes) == ("answer", "template-content-rules", (note,))


@pytest.mark.parametrize("question", [
    "我们是牙科诊所，怎么开通数字短信",                                  # no question whether it may be sent
    "我是高校招生办的老师，想问一下数字短信签名有哪些实名要求，我们学校这种事业单位能不能申请？",   # a signature's
    "can a digital message play a live stream video in real time",
])
def test_an_industry_named_in_another_question_is_no_symptom(router, question):
    assert not router.route(question).notes


def test_a_brokerage_asking_whether_it_may_use_the_service_to_tip_stocks_gets_the_ban_and_the_finance_rules(router):
    reply = router.route("券商能用数字短信给客户推荐股票吗？我们是正规证券公司")
    assert (reply.type, reply.entry) == ("answer", "template-content-rules")
    assert reply.notes == ("“股票”属于模板规范禁止发送的内容", "金融：中国联通、中国电信不接受；中国移动需要提供证明材料")


def test_whether_an_industry_would_be_refused_asks_whether_it_may_be_sent(router):
    assert router.route("我们是培训机构，招生信息的模板会不会被拒？").notes == ("“培训”属于模板规范禁止发送的内容",)


def test_what_each_carrier_decides_of_an_industry_is_read_from_the_rules(kb):
    rules = kb.rules._replace(template_industries={**kb.rules.template_industries,
                                                   "medicine": kb.rules.template_industries["general"]})
    assert symptoms.findings("can a hospital send medical templates? is it allowed", rules, kb.routing.checks) == []


@pytest.mark.parametrize(("question", "note"), [
    ("能发给192开头的号码吗？", "数字短信无法送达中国广电号码（只支持中国移动、中国联通和中国电信）"),
    ("号码 14600001234 能收到数字短信吗？", "14600001234：146 号段是 13 位物联网号码，不是手机号码"),
    ("17490001234 这个号码可以发吗？", "17490001234：海事卫星号码无法接收数字短信"),
    ("14410000000 是手机号吗？", "14410000000：1441 号段是 13 位物联网号码，不是手机号码"),
    ("签名叫 ACME-China! 可以吗？", "签名“ACME-China”包含 '-'；只能用汉字、字母和数字（不能有符号或表情符号）"),
    ("签名用“Acme Shop!”可以吗", "签名“Acme Shop!”含有空格，且包含 '!'；请去掉空格，例如“AcmeShop”；"
                               "只能用汉字、字母和数字（不能有符号或表情符号）"),
])
def test_a_numbers_or_a_signature_names_note_is_said_in_chinese_to_a_chinese_question(router, question, note):
    assert note in router.route(question).notes


@pytest.mark.parametrize("name", ["ACME-China!", "Acme Shop!", "Acme Technology Co., Ltd.", "12306", "测试", "A", "Joy&Fun游戏"])
def test_the_english_note_on_a_signature_name_is_the_account_models_refusal_word_for_word(ctx, name):
    from assistant.actions import signatures
    from assistant.errors import UserError
    from assistant.messages import said

    kb = ctx.kb
    [finding] = symptoms.findings(f'our signature "{name}" was refused', kb.rules, kb.routing.checks)
    with pytest.raises(UserError) as refused:
        signatures.check_name(ctx, name)
    note = said(kb, {"say": finding.note, "fields": dict(finding.fields)}, "en")
    assert str(refused.value) == f"{refused.value.code}: {note}"


@pytest.mark.parametrize(("question", "note"), [
    ("模板内容里写“限時優惠”可以吗", "文字用了繁体字 時 優；请改用简体字：时 优"),
    ("模板文字写“大促😀”会被拒吗", "文字含有表情符号 😀；请去掉（模板文字只能用汉字、字母、数字和标点）"),
])
def test_a_template_texts_traditional_characters_or_emoji_are_named_in_chinese_to_a_chinese_question(router, question, note):
    assert router.route(question).notes == (note,)


@pytest.mark.parametrize("text", ["限時優惠", "大促😀", "心❤️"])
def test_the_english_note_on_a_template_texts_characters_is_the_account_models_refusal_word_for_word(ctx, text):
    from assistant.actions import templates
    from assistant.errors import UserError
    from assistant.messages import said

    kb = ctx.kb
    [finding] = symptoms.findings(f'our template text "{text}" was refused', kb.rules, kb.routing.checks)
    with pytest.raises(UserError) as refused:
        templates.check_text(ctx, text)
    note = said(kb, {"say": finding.note, "fields": dict(finding.fields)}, "en")
    assert str(refused.value) == f"isv.UNSUPPORTED_CONTENT: {note}"


def test_an_unsupported_segments_note_in_english_is_the_account_models_reason(router, kb):
    assert router.route("numbers starting with 192, can they get it?").notes[0] == kb.rules.unsupported["192"]
    assert router.route("the send to 14612345678 failed as an invalid number").notes == (
        "14612345678: 146 numbers are 13-digit IoT numbers, not mobiles",)


def test_every_unsupported_segment_gives_its_reason_in_every_language(kb):
    assert "1441" in kb.rules.unsupported          # China Mobile's 1441x: 13-digit IoT (service-research.md section 7)
    for prefix, reason in kb.rules.unsupported.items():
        texts = kb.rules.unsupported_said[prefix]
        assert texts["en"] == reason and set(texts) == set(kb.languages), prefix
        assert any("\u4e00" <= ch <= "\u9fff" for ch in texts["zh"]), prefix


def test_a_request_whose_only_value_is_refused_is_asked_about_not_requested(router):
    """"能发给19212345678吗？": the send's one value is a number no message reaches, so the line asks whether
    it can be reached; a send naming its template as well stays the send, which refuses the number itself."""
    assert router.route("能发给19212345678吗？").entry == "mobile-numbers"
    assert router.route("能把DIGITAL_SMS_0001发给19212345678吗？").action == "send"
