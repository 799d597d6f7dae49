"""The conversation's pieces (assistant/chat): offers, hints, picks, previews, cases."""

import dataclasses
import json
import re

import pytest

from assistant.actions import accounts, handoff, signatures, templates
from assistant.chat import attachments, offers, speech
from assistant.chat.cases import case_text
from assistant.conversation import Conversation
from assistant.errors import Conflict, NotFound, TooLarge, Unsupported, UserError
from assistant.messages import say
from assistant.router import Reply, Suggestion


def test_an_offer_never_says_a_word_twice():
    assert offers.phrase("Show who it can reach now.") == "Show who it can reach now?"
    assert offers.phrase("Enable digital messages.") == "Enable digital messages now?"
    assert offers.phrase("Send the the message") == "Send the message now?"


@pytest.mark.parametrize("typed,reading", [
    ("can you escalate it to someone?", (None, "")), ("can I talk to a person?", (None, "")),
    ("ok what do I need to do to start sending?", ("yes", "what do i need to do to start sending")),
    ("can lah", ("yes", ""))])
def test_a_yes_word_that_opens_a_question_is_no_yes_to_an_offer(ctx, router, typed, reading):
    """"can you escalate it to someone?" at an offer asks for a person: its "can" never answers the offer
    (which once showed the template's status, then opened a ticket about "you escalate it to someone")."""
    assert offers.reading(Conversation(ctx, router), typed, "template.status") == reading


def test_cli_hints_are_said_the_conversations_way(kb):
    assert speech.say("run `assistant enable` first", kb) == 'say "enable digital messages" first'
    assert speech.say("Look up a code with `assistant error CODE`.", kb) == "Look up a code with /error CODE."
    assert speech.say("see `assistant handoff list`", kb) == "see /queue"
    assert speech.say("check `assistant signature status AcmeShop`", kb) == "check /signature AcmeShop"
    assert speech.say("or resubmit it with `assistant signature update AcmeShop`", kb) == \
        'or resubmit it by saying "update signature AcmeShop"'
    assert "`assistant" not in speech.say("submit one with `assistant signature submit NAME --source S`", kb)


def test_a_chinese_sentences_hints_are_said_in_chinese_and_an_english_ones_in_english(kb):
    assert speech.say("请先开通数字短信（`assistant enable`）。", kb) == "请先开通数字短信（说“开通数字短信”）。"
    assert speech.say("查看原因（`assistant signature status NAME`），再重新提交。", kb) == \
        "查看原因（/signature NAME），再重新提交。"
    assert speech.say("例如 --param name=Tom。", kb) == "例如 /send CODE PHONE name=Tom。"
    assert speech.say("把接收方拆分为多个请求，或从文件发送（`assistant send CODE --file a.csv`）。", kb) == \
        "把接收方拆分为多个请求，或从文件发送（文件请在命令行发送：`assistant send CODE --file a.csv`）。"
    assert speech.say("run `assistant enable` first", kb) == 'say "enable digital messages" first'


def _knowledge_texts(kb) -> list[str]:
    """Every line the conversation may take from the knowledge base: answers, the catalogue's
    messages (bar `speech.*`, the hints said in their place) and the error codes' fixes, in every language."""
    texts = [e.said("answer", lang) for e in kb.entries.values() for lang in ("en", "zh")]
    texts += [text for msg_id, texts in kb.messages.items() if not msg_id.startswith("speech.") for text in texts.values()]
    return texts + [fix for code in kb.error_codes.values() for fix in (code.fix, code.fix_zh) if fix]


def test_no_line_of_the_knowledge_base_gives_a_web_chat_a_command_line_hint(kb):
    hinted = [text for text in _knowledge_texts(kb) if "`assistant " in text]
    assert len(hinted) > 20       # the knowledge base does name commands: each has the chat's way
    command = re.compile(r"`assistant |\bassistant (?:enable|signature|template|send|error|handoff|inbox)\b")
    left = [said for said in (speech.say(text, kb, "web") for text in hinted) if command.search(said)]
    assert left == []


def test_a_recipients_file_is_the_command_lines_at_a_terminal_and_not_the_web_chats(kb):
    fix = kb.error_codes["isv.MOBILE_COUNT_OVER_LIMIT"].fix
    assert "from the command line: `assistant send CODE --file numbers.csv`" in speech.say(fix, kb, "terminal")
    web = speech.say(fix, kb, "web")
    assert "not in this chat: a recipients file goes to the service's API, POST /v1/sends" in web
    assert "本聊天不能发送文件" in speech.say(kb.error_codes["isv.MOBILE_COUNT_OVER_LIMIT"].fix_zh, kb, "web")


def test_a_sends_results_are_the_conversations_slash_command_in_either_shell(kb):
    for shell in speech.SHELLS:
        assert speech.say("`assistant send show ID` lists a send's failures", kb, shell) == "/sends ID lists a send's failures"
        assert speech.say("With this assistant: `assistant send CODE NUMBERS`.", kb, shell) == \
            "With this assistant: /send CODE PHONE."


@pytest.mark.parametrize("shell", speech.SHELLS)
def test_the_delivery_answer_names_the_sends_command_once_in_the_conversation_in_either_language(kb, shell):
    # "`assistant send show ID` (or /sends in the conversation)" is right for the command line; in the REPL and
    # the web chat, which both take slash commands, it is said once: never "/sends ID (or /sends in the conversation)"
    entry = kb.entries["delivery-status"]
    english, chinese = speech.say(entry.answer, kb, shell), speech.say(entry.answer_zh, kb, shell)
    assert "With this assistant, /sends ID shows each number's result of a send" in english, english
    assert "在本助手中，/sends ID 会显示账号记录的某次发送中每个号码的结果" in chinese, chinese
    for said in (english, chinese):
        assert said.count("/sends") == 1 and "in the conversation" not in said and "对话中" not in said, said
    assert "`assistant send show ID` (or /sends in the conversation)" in entry.answer   # the command line's, as it was


@pytest.mark.parametrize("lang,terminal,web", [
    ("en", ("type help", "leave (Ctrl-D does too)"), ("send /help in the box below", "end this conversation")),
    ("zh", ("输入 help", "退出（Ctrl-D 也可以）"), ("在下方输入框发送 /help", "结束本次对话"))])
def test_the_greeting_and_help_are_the_terminals_at_a_terminal_and_the_web_chats_in_the_chat(ctx, router, lang,
                                                                                            terminal, web):
    for shell, (help_word, quit_words) in (("terminal", terminal), ("web", web)):
        conv = Conversation(ctx, router, lang=lang, shell=shell)
        greeted = " ".join(line.text for line in conv.handle("hello" if lang == "en" else "您好"))
        helped = [line.text for line in conv.handle("/help")]
        assert help_word in greeted, (shell, greeted)
        assert quit_words in next(text for text in helped if text.lstrip().startswith("/quit")), shell
    assert "Ctrl-D" not in " ".join(line.text for line in Conversation(ctx, router, lang=lang, shell="web").handle("/help"))


def test_a_conversation_keeps_its_shell_with_its_state(ctx, router):
    web = Conversation(ctx, router, shell="web")
    assert Conversation.load(ctx, router, json.loads(json.dumps(web.dump()))).shell == "web"
    assert Conversation.load(ctx, router, Conversation(ctx, router).dump()).shell == "terminal"


def test_picking_a_suggestion_keeps_the_values_of_the_request(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    question = "submit signature AcmeShop from trademark"
    clarify = Reply(question, "clarify", 0.5, suggestions=(
        Suggestion("action:signature.status", "Show the status of signatures.", 0.5),
        Suggestion("action:signature.submit", "Submit a signature.", 0.49)))
    conv.reply(clarify)
    lines = conv.handle("2")
    assert conv.waiting.kind == "confirm"
    assert any("Submit signature AcmeShop (trademark)" in line.text for line in lines)


def test_a_status_request_naming_the_accounts_signature_shows_it_after_a_template_was_spoken_of(live, router):
    conv = Conversation(live, router)
    conv.handle("/template DIGITAL_SMS_0001")          # the conversation's last object is the template
    asked = "has AcmeShop been approved yet?"
    lines = conv.reply(Reply(asked, "action", 0.4, action="signature.status", args={}))
    shown = "\n".join(line.text for line in lines)
    assert "AcmeShop (trademark)" in shown and "DIGITAL_SMS_0001" not in shown


@pytest.mark.parametrize("asked", ["模板能建几个", "how many templates can we have"])
def test_a_question_nothing_answers_right_after_a_managers_reply_is_passed_on_as_a_question(ctx, router, asked,
                                                                                            monkeypatch):
    """Worded as a question without a question mark ("模板能建几个": 几 asks), it is no answer to the manager
    (the model's reading is fixed as the encoder gave it: nothing in scope)."""
    monkeypatch.setattr(router, "route", lambda text, lang=None: Reply(text, "fallback", 0.2, lang="zh"))
    ticket = handoff.create(ctx, "模板审核太慢")
    staff = dataclasses.replace(ctx, role="manager")
    handoff.claim(staff, ticket["id"], "lin")
    handoff.reply(staff, ticket["id"], "已经帮您加急了", by="lin")
    conv = Conversation(ctx, router, lang="zh")
    conv.welcome()                                    # the manager's reply is shown
    lines = conv.handle(asked)
    assert "这个问题我无法回答" in lines[-1].text and "lin" in lines[-1].text


@pytest.mark.parametrize("said, answered", [("the template code is DIGITAL_SMS_0001", True), ("DIGITAL_SMS_0001", True),
                                             ("send DIGITAL_SMS_0001 to 13800138000 with name=Li", False)])
def test_a_line_right_after_a_managers_reply_answers_it_unless_a_clear_request(live, router, said, answered):
    ticket = handoff.create(live, "template review is slow")
    staff = dataclasses.replace(live, role="manager")
    handoff.claim(staff, ticket["id"], "lin")
    handoff.reply(staff, ticket["id"], "Which template code is it?", by="lin")
    conv = Conversation(live, router)
    conv.welcome()                                    # the manager's reply is shown
    lines = conv.handle(said)
    assert (lines[0].text.startswith("Added to ticket #1 as your answer to lin")) is answered
    assert (said in [m["text"] for m in handoff.get(live, ticket["id"])["messages"]]) is answered


def test_the_web_chats_welcome_leaves_a_managers_reply_to_its_page_and_its_first_line_may_answer_it(ctx, router,
                                                                                                    monkeypatch):
    """The web chat's page shows each reply itself (`handoff.inbox`, then `news`): its welcome saying
    it too showed it twice. The customer's first line after the page showed it may answer it."""
    monkeypatch.setattr(router, "route", lambda text, lang=None: Reply(text, "fallback", 0.2, lang="zh"))
    ticket = handoff.create(ctx, "模板审核太慢")
    staff = dataclasses.replace(ctx, role="manager")
    handoff.claim(staff, ticket["id"], "lin")
    handoff.reply(staff, ticket["id"], "UNIQUE-REPLY-42 请重新提交", by="lin")
    web = Conversation(ctx, router, lang="zh", shell="web")
    assert not any("UNIQUE-REPLY-42" in line.text for line in web.welcome())
    assert [m["text"] for m in handoff.inbox(ctx)] == ["UNIQUE-REPLY-42 请重新提交"]   # the page shows it, once
    web = Conversation.load(ctx, router, json.loads(json.dumps(web.dump())))             # as the service keeps it
    lines = web.handle("模板能建几个")
    assert "这个问题我无法回答" in lines[-1].text and "lin" in lines[-1].text
    handoff.reply(staff, ticket["id"], "UNIQUE-REPLY-43", by="lin")
    terminal = Conversation(ctx, router, lang="zh").welcome()                             # a terminal's says it
    assert sum("UNIQUE-REPLY-43" in line.text for line in terminal) == 1


def test_a_bare_new_name_is_offered_as_a_submission_with_the_name_kept(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    lines = conv.handle("AcmeShop")
    assert [line.text for line in lines] == ["Submit a new signature named AcmeShop now? [y/N]"]
    conv.handle("y")
    assert conv.waiting.prompt.startswith("Source of the name")


def test_a_request_read_surely_at_a_name_prompt_is_run_and_never_the_name(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router, lang="zh")
    conv.handle("帮我申请个签名")
    said = " ".join(line.text for line in conv.handle("签名状态给我看一下"))
    assert "还没有签名" in said and conv.waiting.prompt.startswith("签名名称") and "name" not in conv.flow.args


def test_no_template_yet_says_what_a_template_needs_first_rather_than_to_create_one(ctx, router):
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    conv = Conversation(ctx, router, lang="zh")
    said = " ".join(line.text for line in conv.run("template.status", {}))
    assert "模板需要一个已在运营商报备成功的签名" in said and "AcmeShop" in said and "创建模板" not in said
    ctx.at("2026-06-01T10:00")          # registered by then
    said = " ".join(line.text for line in Conversation(ctx, router, lang="zh").run("template.status", {}))
    assert said == "还没有模板。说“创建模板”即可开始。"


@pytest.mark.parametrize("typed,name", [("ok then AcmeShop", "AcmeShop"), ("好吧，那用阿克米科技", "阿克米科技"),
                                        ("好的，行云科技", "行云科技"), ("ok, then AcmePay", "AcmePay")])
def test_words_accepting_before_a_name_at_its_prompt_are_no_part_of_it(ctx, router, typed, name):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    conv.handle("submit signature Acme-Shop from our trademark")
    conv.handle(typed)
    assert conv.flow.args["name"] == name


def test_a_name_that_opens_with_a_yes_word_is_kept_whole_when_it_is_a_good_name(live, router):
    conv = Conversation(live, router)
    conv.handle("create a template")
    conv.handle("OK Mall")
    assert conv.flow.args["name"] == "OK Mall"


@pytest.mark.parametrize("why", ["why?", "为什么？"])
def test_why_just_after_a_name_is_refused_explains_the_refusal_and_the_prompt_stays(ctx, router, why):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    conv.handle("submit signature Acme-Shop from our trademark")
    said = " ".join(line.text for line in conv.handle(why))
    assert "isv.SIGN_NAME_ILLEGAL" in said and ("2 to 16 characters" in said or "2 到 16 个字符" in said), said
    assert conv.waiting.prompt.startswith(("Signature name", "签名名称"))


def test_a_sentence_naming_one_code_at_the_code_prompt_is_that_code(live, router, media):
    templates.create(live, "Autumn sale", "AcmeShop", "e-commerce", "Hi ${name}, autumn is here", [media["image"]])
    live.at("2026-04-01T10:00")         # both approved: a typo'd code picks neither
    conv = Conversation(live, router)
    conv.handle("send DIGTAL_SMS_0002 to 13800138000 with name=Tom")
    assert conv.waiting.prompt.startswith("Template code")
    conv.handle("sorry, typo, I meant DIGITAL_SMS_0002")
    assert conv.flow.confirming and conv.flow.args["code"] == "DIGITAL_SMS_0002"


@pytest.mark.parametrize("again", ["同样的再发给139 1234 5678", "send the same to 13912345678"])
def test_the_same_again_to_another_number_keeps_the_last_sends_template_and_values(live, router, again):
    conv = Conversation(live, router)
    conv.handle("send DIGITAL_SMS_0001 to 13800138000 name=Tom")
    conv.handle("yes")
    conv.handle(again)
    assert conv.flow.confirming and conv.flow.args["code"] == "DIGITAL_SMS_0001"
    assert conv.flow.args["params"] == {"name": "Tom"} and conv.flow.args["phones"] == ["13912345678"]


@pytest.mark.parametrize("wrong", ["等等，号码弄错了，重新来", "wait, the numbers are wrong, redo"])
def test_a_value_named_wrong_then_a_step_back_asks_that_value_again(live, router, wrong):
    conv = Conversation(live, router)
    for line in ("send a message", "DIGITAL_SMS_0001", "13800138000 13912345678"):
        conv.handle(line)
    assert conv.flow.slots[0].name.startswith("param:")
    conv.handle(wrong)
    assert conv.flow.slots[0].name == "phones" and "phones" not in conv.flow.args


def test_the_request_asked_for_again_at_its_own_prompt_starts_it_again(live, router):
    conv = Conversation(live, router, lang="zh")
    for line in ("我要发消息", "DIGITAL_SMS_0001"):
        conv.handle(line)
    said = " ".join(line.text for line in conv.handle("我要发消息"))
    assert "重新开始" in said and conv.flow.slots[0].name == "code" and not conv.flow.args


def test_the_managers_case_is_aligned_text_not_markdown(ctx):
    ticket = handoff.create(ctx, "please call me", trigger="asked_for_person")
    text = case_text(handoff.get(ctx, ticket["id"]), ctx.rules.carriers)
    assert text.splitlines()[0] == "ticket         #1"
    assert "#" not in text.splitlines()[1] and "**" not in text and "| " not in text


def test_a_manager_session_does_not_read_the_customers_inbox(ctx, router):
    handoff.create(ctx, "please call me", trigger="asked_for_person")
    handoff.resolve(dataclasses.replace(ctx, actor="manager:lin", role="manager"), 1, "Called", "lin")
    Conversation(ctx, router, "manager").welcome()
    assert any("was resolved by lin: Called" in line.text for line in Conversation(ctx, router).welcome())


def test_every_error_codes_fix_is_said_the_conversations_way(kb):
    for code in kb.error_codes.values():
        said = speech.say(code.fix, kb)
        assert "--param" not in said
        assert "`assistant" not in said or "from the command line" in said, (code.code, said)


def test_every_error_codes_chinese_fix_is_said_the_conversations_way_in_chinese(kb):
    for code in kb.error_codes.values():
        said = speech.say(code.fix_zh, kb)
        assert "--param" not in said and "say " not in said, (code.code, said)
        assert "`assistant" not in said or "命令行" in said, (code.code, said)


def _signed(ctx):
    from assistant.actions import signatures

    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    return ctx.at("2026-03-20T10:00")


def test_a_conversation_whose_files_are_uploads_never_takes_a_path(ctx, router, media):
    conv = Conversation(_signed(ctx), router, files="upload")
    lines = conv.start("template.create", {"name": "Spring", "media": media["image"]})
    assert [line.text for line in lines] == [say(ctx.kb, "file.attach")]   # named in the request: dropped, and asked for
    for text in ("AcmeShop", "e-commerce", "Hi there"):
        conv.handle(text)
    assert conv.waiting.kind == "file" and conv.waiting.slot == "media"
    said = {text: [line.text for line in conv.handle(text)] for text in (media["image"], "/etc/passwd", "/no/such.png")}
    assert len({tuple(lines) for lines in said.values()}) == 1 and conv.waiting.slot == "media"
    assert not ctx.store.rows("SELECT code FROM templates")


def test_an_upload_answers_the_file_prompt_and_its_record_becomes_the_templates_frame(ctx, router):
    from conftest import png_bytes

    conv = Conversation(_signed(ctx), router, files="upload")
    for text in ("create a template", "Spring", "AcmeShop", "e-commerce", "Hi there"):
        conv.handle(text)
    lines = conv.attach([attachments.Upload("C:\\Users\\ann\\banner.png", png_bytes())])
    assert conv.waiting.kind == "confirm" and "1 media file(s)" in lines[0].text
    assert conv.turns[-len(lines) - 1]["text"] == "[attached: banner.png]"
    assert "Created DIGITAL_SMS_0001." in [line.text for line in conv.handle("yes")]
    assert json.loads(ctx.store.rows("SELECT frames FROM templates")[0]["frames"]) == [
        {"file": "banner.png", "format": "png", "size": len(png_bytes())}]


def test_an_upload_nobody_asked_for_or_that_cannot_be_used_changes_nothing(ctx, router, media):
    from conftest import MP4_BYTES, png_bytes

    conv = Conversation(_signed(ctx), router, files="upload")
    with pytest.raises(Conflict, match="not waiting for a file .nothing is being filled in."):
        conv.attach([attachments.Upload("a.png", png_bytes())])
    for text in ("create a template", "Spring", "AcmeShop", "live streaming"):
        conv.handle(text)
    with pytest.raises(Conflict, match="it waits for: Text content"):
        conv.attach([attachments.Upload("a.png", png_bytes())])
    conv.handle("Join our live stream")
    kept = conv.dump()
    with pytest.raises(Unsupported, match="^notes.png is not a PNG.*; a template takes PNG, GIF or JPG images") as caught:
        conv.attach([attachments.Upload("notes.png", b"just text")])
    assert caught.value.code is None        # the documentation names no code for a file of another format
    with pytest.raises(TooLarge, match="a template's frames stay under 1,900 KB"):
        conv.attach([attachments.Upload("big.png", png_bytes() + b"\0" * 2_000_000)])
    assert conv.dump() == kept
    conv.attach([attachments.Upload("clip.mp4", MP4_BYTES)])
    assert conv.waiting.slot == "letter" and conv.waiting.accept == [".png", ".jpg", ".jpeg", ".gif"]
    with pytest.raises(UserError, match="a commitment letter is one image, and 2 files came"):
        conv.attach([attachments.Upload("a.png", png_bytes(800, 800))] * 2)
    with pytest.raises(Unsupported, match="the commitment letter clip.mp4 is not an image"):
        conv.attach([attachments.Upload("clip.mp4", MP4_BYTES)])
    with pytest.raises(UserError, match="too small to be legible"):
        conv.attach([attachments.Upload("tiny.png", png_bytes(120, 90))])
    conv.attach([attachments.Upload("letter.png", png_bytes(800, 1000))])
    assert conv.waiting.kind == "confirm"


def test_the_embedded_conversation_still_reads_the_typed_path(ctx, router, media):
    conv = Conversation(_signed(ctx), router)
    for text in ("create a template", "Spring", "AcmeShop", "e-commerce", "Hi there"):
        conv.handle(text)
    assert conv.waiting.kind == "slot" and conv.waiting.paths
    with pytest.raises(UserError, match="reads files from this machine"):
        conv.attach([attachments.Upload("a.png", b"")])
    conv.handle(media["image"])
    assert "Created DIGITAL_SMS_0001." in [line.text for line in conv.handle("yes")]
    assert json.loads(ctx.store.rows("SELECT frames FROM templates")[0]["frames"])[0]["file"] == "banner.png"
def test_a_chinese_question_gets_the_chinese_answer_related_questions_and_offer(ctx, router, kb):
    conv = Conversation(ctx, router)
    lines = conv.handle("怎么开通数字短信")
    texts = [line.text for line in lines]
    assert kb.entries["enable-sending"].answer_zh in texts
    assert any(t.startswith("相关问题：") and kb.entries["onboarding-process"].question_zh in t for t in texts)
    assert texts[-1] == "现在为账号开通数字短信发送吗？ [是/否]"
    assert conv.waiting.prompt == "现在为账号开通数字短信发送吗？ [是/否]"
    assert conv.handle("不")[0].text == "好的。"


def test_the_conversations_own_sentences_follow_the_language(ctx, router):
    conv = Conversation(ctx, router)
    assert conv.handle("今天天气怎么样")[0].text.startswith("抱歉，这个问题我不知道答案")
    lines = conv.handle("讲个笑话")
    assert lines[-1].text == "要把这个问题连同我们的对话记录一起转给支持经理吗？ [是/否]"
    assert conv.handle("tell me a joke")[0].text.startswith("Sorry, I don't know the answer to that.")


def test_a_fixed_language_answers_in_it_whatever_the_question(ctx, router, kb):
    conv = Conversation(ctx, router, lang="en")
    assert conv.handle("签名审核要多久")[0].text == kb.entries["signature-review-time"].answer


def test_an_undocumented_fact_says_where_to_look_and_offers_a_person_at_once(ctx, router, kb):
    conv = Conversation(ctx, router)
    lines = conv.handle("数字短信多少钱一条")
    assert lines[0].text == kb.entries["price-not-published"].answer_zh
    assert conv.waiting.kind == "offer" and "支持经理" in conv.waiting.prompt
    assert conv.fallbacks == 0


def test_the_language_survives_dump_and_load(ctx, router):
    conv = Conversation(ctx, router)
    conv.handle("今天天气怎么样")
    again = Conversation.load(ctx, router, conv.dump())
    assert again.lang == "zh"
    assert again.handle("y")[0].text == "目前没有需要回答是或否的问题；请提问，或说明要做什么。"


def test_related_questions_follow_their_label_with_a_space_in_english_and_chinese(ctx, router):
    english = [line.text for line in Conversation(ctx, router).handle("how long does signature review take")]
    assert any(text.startswith("Related: How do I know") for text in english), english
    chinese = [line.text for line in Conversation(ctx, router, lang="zh").handle("签名审核要多久")]
    assert any(text.startswith("相关问题：") and "：" + " " not in text for text in chinese), chinese


@pytest.mark.parametrize("separator", [", ", ",", " ", "，", "、"])
def test_several_media_files_on_one_line_are_each_a_frame_in_order(ctx, router, media, separator):
    conv = Conversation(_signed(ctx), router)
    for text in ("create a template", "Spring", "AcmeShop", "e-commerce", "Hi ${name}"):
        conv.handle(text)
    conv.handle(separator.join([media["video"], media["image"]]))
    assert conv.waiting.kind == "confirm"
    assert "Created DIGITAL_SMS_0001." in [line.text for line in conv.handle("yes")]
    frames = json.loads(ctx.store.rows("SELECT frames FROM templates")[0]["frames"])
    assert [f["file"] for f in frames] == ["clip.mp4", "banner.png"]


def test_a_missing_file_among_several_is_named_and_none_is_taken(ctx, router, media):
    conv = Conversation(_signed(ctx), router)
    for text in ("create a template", "Spring", "AcmeShop", "e-commerce", "Hi ${name}"):
        conv.handle(text)
    missing = media["image"].replace("banner.png", "poster.png")
    lines = conv.handle(f"{media['image']}, {missing}, {media['video']}")
    assert len(lines) == 1 and f"cannot read {missing}" in lines[0].text and "Try again" in lines[0].text
    assert conv.waiting.slot == "media" and "media" not in conv.flow.args


def test_the_welcome_is_said_in_the_conversations_language(ctx, router):
    english = [line.text for line in Conversation(ctx, router, lang="en").welcome()]
    assert english[0] == "Digital Message assistant — account demo."
    chinese = [line.text for line in Conversation(ctx, router, lang="zh").welcome()]
    assert chinese[0] == "数字短信助手 — 账号 demo。"
    assert "数字短信尚未开通：说“开通数字短信”即可开始。" in chinese
    assert [line.text for line in Conversation(ctx, router, role="agent", lang="zh").welcome()][0] == \
        "数字短信助手 — 账号 demo（坐席）。"                          # the role by its Chinese word
    assert [line.text for line in Conversation(ctx, router, role="manager", lang="en").welcome()][0].endswith(
        "(manager).")                                                # the English role word as before


def test_the_welcome_names_the_terminals_keys_only_where_there_is_a_terminal(ctx, router):
    assert "Ctrl-C cancels, Ctrl-D quits." in [line.text for line in Conversation(ctx, router, lang="en").welcome()]
    assert not any("Ctrl-" in line.text for line in Conversation(ctx, router, lang="en").welcome(keys=False))
    assert Conversation(ctx, router, first="zh").welcome()[0].text == "数字短信助手 — 账号 demo。"   # a page's language


def test_help_lists_the_commands_in_the_conversations_language(ctx, router):
    from assistant.chat.commands import COMMANDS

    chinese = [line.text for line in Conversation(ctx, router, lang="zh").handle("/help")]
    english = [line.text for line in Conversation(ctx, router, lang="en").handle("/help")]
    assert chinese[0] == "命令：" and english[0] == "Commands:"
    assert "  /send CODE PHONE... [name=value]   用模板发送（先说明将发生什么，再征求确认）" in chinese
    assert "  /send CODE PHONE... [name=value]   send a template (shows what will happen, then asks)" in english
    assert "也可以直接提问，例如：" in chinese and "  签名审核要多久？" in chinese
    shown = [c for c in COMMANDS.values() if "customer" in c.roles]
    for lines in (chinese, english):   # the same commands, by the same names, in both
        assert [line.split()[0] for line in lines if line.startswith("  /")] == [f"/{c.name}" for c in shown]
    assert not any(word in "\n".join(chinese) for word in ("Commands:", "Or just ask", "this list"))


def test_every_slash_command_has_its_description_in_the_catalogue(kb):
    from assistant.chat.commands import COMMANDS

    assert sorted(c.help_id for c in COMMANDS.values() if c.help_id not in kb.messages) == []
    assert sorted(m for m in kb.messages if m.startswith("command.") and m[len("command."):] not in COMMANDS) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_example_question_of_help_is_answered_in_its_language(ctx, router, kb, lang):
    examples = [say(kb, m, lang) for m in kb.messages if m.startswith("help.example.")]
    assert len(examples) == 5
    for question in examples:
        reply = router.route(question, lang)
        assert reply.type in ("answer", "action"), (question, reply.type)


def test_numbers_asked_again_after_an_accepted_send_that_could_not_go_wait_for_go_ahead(live, router):
    from assistant.actions import sending

    sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])
    conv = Conversation(live, router)
    said = conv.start("send", {"code": "DIGITAL_SMS_0001", "phones": ["13800138000"], "params": {"name": "Tom"}},
                      confirmed=True)    # as after a yes to an offer to send
    assert "No number here can be sent to" in said[-1].text and conv.waiting.slot == "phones"
    said = conv.handle("18612345678")
    assert conv.waiting.kind == "confirm" and said[-1].text == "Go ahead? [y/N]"
    assert live.store.row("SELECT COUNT(*) AS n FROM requests")["n"] == 1


def test_a_value_prompt_is_said_once_as_a_line_and_kept_as_the_assistants_turn(live, router):
    conv = Conversation(live, router)
    lines = conv.handle("create a template")
    assert conv.waiting is not None and conv.waiting.kind == "slot"
    asked = conv.asked(lines)
    assert [(line.kind, line.text) for line in asked] == [("prompt", conv.waiting.prompt)]
    assert conv.turns[-1] == {**conv.turns[-1], "role": "assistant", "text": conv.waiting.prompt}
    assert conv.asked(asked) == []           # already said: not again
    conv.cancel()
    assert conv.asked([]) == []              # nothing waited for: nothing to ask


def test_only_an_faq_answer_names_its_knowledge_base_entry(live, router):
    conv = Conversation(live, router)
    answers = [line for line in conv.handle("how long does signature review take") if line.kind == "answer"]
    assert answers and answers[0].entry in live.kb.entries
    assert not any(line.entry for line in conv.handle("/status"))


def test_a_reply_to_the_manager_with_no_ticket_open_is_said_so_and_never_a_send(live, router):
    conv = Conversation(live, router)
    said = "\n".join(line.text for line in conv.handle("回复经理：是13900139001，昨天发的"))
    assert said == say(router.kb, "needs.no_ticket", "zh")
    assert conv.flow is None and conv.offer is None


def test_a_question_about_the_ticket_with_none_open_is_no_ticket_answer(live, router):
    from assistant.chat import cases

    assert cases.asked_about(Conversation(live, router), "经理回复了吗") is None
    assert cases.reply_said(Conversation(live, router), "回复一下：你好") is None
    assert cases.reply_said(Conversation(live, router), "reply to the manager: it was 10am") == "it was 10am"



def test_a_handoff_added_to_an_open_ticket_files_the_customers_words_and_adds_the_new_failed_send_beside_its_own(live, router):
    conv = Conversation(live, router, shell="web")
    for line in ("给 010-87654321 和 13800138000 发 DIGITAL_SMS_0001 name=Tom", "是", "/handoff"):
        conv.handle(line)
    older = handoff.get(live, 1, any_account=False)["context"]["send"]["request_id"]
    for line in ("给 010-62345678 和 13800138021 发 DIGITAL_SMS_0001 name=Tom", "是"):
        conv.handle(line)
    newer = conv.last["request"]
    said = conv.handle("我要转人工，这个座机号码是我们前台的，必须能收到") + conv.handle("是")
    assert any("工单 #1" in line.text for line in said)
    ticket = handoff.get(live, 1, any_account=False)
    words = "我要转人工，这个座机号码是我们前台的，必须能收到"
    assert [m["text"] for m in ticket["messages"] if m["role"] == "customer"] == [words]
    # the ticket's own send stays; the later one is added beside it, never in its place
    assert ticket["context"]["send"]["request_id"] == older
    assert [s["request_id"] for s in ticket["context"]["added_sends"]] == [newer]
    assert "01062345678" in [f["phone"] for f in ticket["context"]["added_sends"][0]["failures"]]
    shown = handoff.export(ticket, "md")
    assert f"## Send {older}\n" in shown and f"## Send {newer} (added by a later request for a person)" in shown
    assert shown.index(f"## Send {older}") < shown.index(f"## Send {newer}")
    again = [e for e in ticket["events"] if e["event"] == "asked again"]
    assert again and again[-1]["detail"].startswith(f"Send {newer[:8]} failed for 1 of 2 numbers")


@pytest.mark.parametrize("change", ["可以，不过名字改成李四", "yes, but the name should be Wang"])
def test_a_yes_with_a_change_at_a_sends_go_ahead_looks_up_the_templates_variables_once(live, router, monkeypatch, change):
    from assistant.chat import slots

    conv = Conversation(live, router)
    conv.handle("send DIGITAL_SMS_0001 to 13800138071 with name=Li")
    assert conv.waiting.kind == "confirm"
    looked_up = []
    status = slots.templates.status
    monkeypatch.setattr(slots.templates, "status", lambda *a, **k: looked_up.append(a[1:]) or status(*a, **k))
    said = "\n".join(line.text for line in conv.handle(change))
    assert conv.waiting.kind == "confirm" and "sent 1" not in said      # held: the preview no longer shows what would go
    assert live.store.rows("SELECT * FROM messages") == []
    assert looked_up == [("DIGITAL_SMS_0001",)]


def test_the_words_that_drop_a_request_are_the_knowledge_bases_own(kb):
    """What drops a request is data (messages.yaml `leaving`): a knowledge base that adds a word is read with it."""
    from assistant.chat.lines import leaves
    from assistant.text import fold

    assert leaves(fold("oh, actually never mind"), kb.leaving) and leaves(fold("算了，不发了"), kb.leaving)
    assert not leaves(fold("cancel my signature"), kb.leaving)
    own = {**kb.leaving, "leave": (*kb.leaving["leave"], fold("拉倒"))}
    assert not leaves(fold("拉倒"), kb.leaving) and leaves(fold("拉倒"), own) and leaves(fold("那就拉倒吧"), own)
    assert leaves(fold("never mind")) is True     # without a table: the shipped knowledge base's (the remote REPL's client)


def test_a_message_of_two_questions_gets_both_answers_before_the_offer_of_the_first(ctx, router):
    conv = Conversation(ctx, router, lang="zh")
    lines = [line.text for line in conv.handle("我们是健身房，想开通数字短信，怎么开通？顺便问下一条多少钱")]
    asked = next(i for i, text in enumerate(lines) if text.startswith("您还问了："))
    assert any("控制台申请开通" in text for text in lines[:asked])
    assert any("没有公布数字短信的价格" in text for text in lines[asked:])
    assert "开通数字短信发送吗" in lines[-1]
    assert conv.unanswered == ["顺便问下一条多少钱"]   # what is not published goes to a person with the ticket


def test_the_words_after_a_change_of_mind_are_read_and_a_path_or_a_plain_word_opens_none(kb):
    from assistant.chat.lines import after_correction

    assert after_correction("不对，我想先看下余额", kb.leaving) == "我想先看下余额"
    assert after_correction("Wait, no, show my balance", kb.leaving) == "show my balance"
    assert after_correction("不是不是 余额多少", kb.leaving) == "余额多少"
    for text in ("no/such.png", "/no/such.png", "nothing to add", "notes", "会员日"):
        assert after_correction(text, kb.leaving) is None, text


def test_a_first_sentence_or_clause_that_drops_is_read_and_a_bare_no_or_a_change_of_mind_is_none(kb):
    from assistant.chat.lines import after_leaving

    assert after_leaving("no, never mind. what's the per-number limit?", kb.leaving) == "what's the per-number limit?"
    assert after_leaving("no thanks, but what is a signature?", kb.leaving) == "but what is a signature?"
    assert after_leaving("算了，签名审核要多久？", kb.leaving) == "签名审核要多久？"
    for text in ("no, send it to 13800138021 instead", "wait, no, show my balance", "cancel my signature",
                 "never mind", "no thanks."):
        assert after_leaving(text, kb.leaving) is None, text


@pytest.mark.parametrize("text", ["no, never mind. how long does template review take?",
                                  "no thanks, but how long does template review take?"])
def test_a_drop_then_a_question_at_a_handoffs_go_ahead_is_a_no_and_the_question_answered(live, router, text):
    conv = Conversation(live, router)
    conv.handle("I need to talk to someone about my template")
    assert conv.waiting.kind == "confirm"
    said = "\n".join(line.text for line in conv.handle(text))
    assert "No fixed review time is published" in said and "Go ahead?" not in said
    assert conv.flow is None and not live.store.rows("SELECT id FROM tickets")


def test_a_drop_then_a_question_at_a_name_prompt_drops_the_request_and_answers(ctx, router):
    conv = Conversation(_signed(ctx), router)
    conv.handle("提交签名")
    assert conv.waiting.kind == "slot"
    said = "\n".join(line.text for line in conv.handle("算了，签名审核要多久？"))
    assert "已放弃" in said and "7–10" in said and "回到" not in said
    assert conv.flow is None


def test_what_about_another_number_right_after_a_numbers_result_is_asked_is_that_numbers_result(live, router):
    from assistant.actions import sending

    sending.send(live, "DIGITAL_SMS_0001", [(p, {"name": "Li"}) for p in ("13800138000", "19912345678", "19212345678")])
    conv = Conversation(live, router)
    assert "19912345678" not in "\n".join(line.text for line in conv.handle("那19912345678呢"))   # nothing asked before
    conv.handle("why did 19212345678 fail?")
    said = "\n".join(line.text for line in conv.handle("what about 19912345678?"))
    assert "19912345678 (China Telecom)" in said and "sent" in said
    said = "\n".join(line.text for line in conv.handle("那13800138000呢"))    # and after that one, another
    assert "13800138000（中国移动）" in said


def test_a_question_right_after_an_error_code_is_read_in_its_topic_and_a_clear_other_question_is_not(ctx, router,
                                                                                                   monkeypatch):
    conv = Conversation(ctx, router)
    asked = "when can they send to it again?"
    route = router.route
    monkeypatch.setattr(router, "route", lambda text, lang=None: Reply(text, "fallback", 0.2, lang="en")
                        if text == asked else route(text, lang))   # the model's reading of it, fixed: nothing sure
    assert not conv.handle(asked)[0].text.startswith("Flow control is per recipient number")
    conv.handle("/error isv.BUSINESS_LIMIT_CONTROL")
    assert conv.handle(asked)[0].text.startswith("Flow control is per recipient number")
    conv.handle("/error isv.BUSINESS_LIMIT_CONTROL")
    assert conv.handle("how many numbers can one send carry?")[0].entry == "recipients-per-send"


def test_an_agents_open_a_ticket_for_them_asks_for_a_person_never_the_queue(ctx, router):
    conv = Conversation(ctx, router, role="agent")
    said = "\n".join(line.text for line in conv.handle("open a ticket for the customer"))
    assert "Hand this case to a support manager" in said and conv.waiting.kind == "confirm"


def test_can_i_send_now_says_each_step_still_missing_and_offers_the_first_that_can_run(ctx, router):
    conv = Conversation(_signed(ctx).at("2026-03-03T10:00"), router)    # AcmeShop under review, no template
    said = [line.text for line in conv.handle("现在可以发了吗？")]
    assert said[0] == "还不能。" and "还没有模板" in said[1] and "AcmeShop：审核中" in said[2]
    assert said[-1].startswith("现在查看签名的状态吗") and offers.pending_action(conv.offer) == "signature.status"


def test_can_i_send_now_on_a_ready_account_says_it_can(live, router):
    conv = Conversation(live, router)
    assert conv.handle("so can I send now?")[0].text.startswith("Yes: the account is enabled")
    assert conv.waiting is None and not live.store.rows("SELECT request_id FROM requests")


@pytest.mark.parametrize("asked", ["name 填什么都可以吗？", "名字能随便填吗？", "can ${name} be anything?"])
def test_a_question_naming_the_variable_at_its_prompt_is_about_that_variable(live, router, asked):
    conv = Conversation(live, router)
    conv.handle("send DIGITAL_SMS_0001 to 13800138000")
    assert conv.waiting.slot == "param:name"
    lines = conv.handle(asked)
    assert lines[0].entry == "template-variables" and conv.flow is not None and not conv.flow.confirming


def test_a_value_prompt_is_said_once_after_a_question_answered_at_it(ctx, router):
    """The web chat's transcript (lines, then `asked`) shows the prompt once, as the REPL's prompt does."""
    conv = Conversation(_signed(ctx), router)
    conv.handle("submit a signature")
    conv.handle("AcmePay")
    lines = conv.handle("how long does signature review take?")
    shown = [line.text for line in lines + conv.asked(lines)]
    prompt = conv.waiting.prompt
    assert conv.waiting.kind == "slot" and sum(prompt in text for text in shown) == 1, shown


@pytest.mark.parametrize("lang,said", [
    ("zh", "读不懂这个命令：引号没有成对；含空格的值请用成对的引号括起来"),
    ("en", "cannot read that command: a quote is not closed; quote a value with spaces in matching quotes")])
def test_a_slash_command_with_a_quote_left_open_is_said_in_the_conversations_words_never_shlexs(ctx, router, lang, said):
    conv = Conversation(ctx, router, lang=lang)
    assert [line.text for line in conv.handle('/signature "Acme')] == [said]
    escaped = " ".join(line.text for line in conv.handle("/signature x\\"))
    assert "No escaped character" not in escaped and ("反斜杠" in escaped if lang == "zh" else "backslash" in escaped)


@pytest.mark.parametrize("looked_up, expected", [("/signature AcmeShop", "signature-review-time"),
                                                 ("/template DIGITAL_SMS_0001", "template-review-time")])
def test_a_did_you_mean_between_two_entries_is_settled_by_the_object_spoken_of_last(live, router, monkeypatch,
                                                                                      looked_up, expected):
    """"how long will the review take?" right after a signature was looked at is its review (the model's
    reading is fixed: a "did you mean" between the signature's and the template's review)."""
    conv = Conversation(live, router)
    conv.handle(looked_up)
    asked = "how long will the review take?"
    clarify = Reply(asked, "clarify", 0.43, suggestions=(
        Suggestion("faq:signature-review-time", "How long does signature review take?", 0.43),
        Suggestion("faq:template-review-time", "How long does template review take?", 0.41)))
    monkeypatch.setattr(router, "route", lambda text, lang=None: clarify)
    shown = "\n".join(line.text for line in conv.handle(asked))
    assert live.kb.entries[expected].answer.splitlines()[0][:40] in shown
    assert "Did you mean" not in shown


def test_the_other_one_after_a_signatures_status_is_the_accounts_other_signature(ctx, router):
    """"and the other one?" right after one signature's status shows the account's other one (it was "I don't
    know"); "那另一个呢" then goes back to the first."""
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    signatures.submit(ctx, "Globex", "trademark")
    conv = Conversation(ctx, router)
    conv.handle("/signature AcmeShop")
    other = "\n".join(line.text for line in conv.handle("and the other one?"))
    assert "Globex" in other and "AcmeShop" not in other
    back = "\n".join(line.text for line in conv.handle("那另一个呢"))
    assert "AcmeShop" in back and "Globex" not in back


def test_the_other_one_with_no_object_talked_of_is_no_status(ctx, router):
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    said = "\n".join(line.text for line in Conversation(ctx, router).handle("and the other one?"))
    assert "AcmeShop" not in said


def _lines(conv: Conversation, text: str) -> str:
    return "\n".join(line.text for line in conv.handle(text))


def test_why_and_what_to_do_right_after_a_rejected_signatures_status_are_about_that_signature(ctx, router):
    """"why was it rejected?" right after Globex's status (reached by "and the other one?") is Globex's own
    reason, not the FAQ's general answer; "what should I do now?" is the FAQ's answer on a rejected signature
    (it was "I don't know")."""
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    signatures.submit(ctx, "Globex", "trademark")      # not the name of the account's trademark: rejected
    ctx.at("2026-04-01T10:00")
    reason = signatures.status(ctx, "Globex")[0]["carriers"]["china_mobile"]["reason"]
    conv = Conversation(ctx, router)
    conv.handle("/signature AcmeShop")
    assert "Globex" in _lines(conv, "and the other one?")
    assert _lines(conv, "why was it rejected?") == f"Globex was rejected by every carrier: {reason}"
    assert _lines(conv, "what should I do now?") == ctx.kb.entries["signature-rejected"].answer


def test_why_and_what_to_do_right_after_a_rejected_signatures_status_are_said_in_chinese(ctx, router):
    """The reason too: recorded in English from the catalogue (`reason.signature.*`), said again in Chinese."""
    _globex_rejected(ctx)
    reason = signatures.status(ctx, "Globex")[0]["reason"]
    assert reason.startswith("'Globex' is not the full or abbreviated name")
    conv = Conversation(ctx, router, lang="zh")
    conv.handle("/signature Globex")
    assert _lines(conv, "为什么被驳回了？") == ("Globex被所有运营商驳回，原因：“Globex”不是已登记企业（Acme Technology Co., "
                                            "Ltd.）的全称或简称；请更新实名资料或改用相符的名称，然后重新提交")
    assert _lines(conv, "那我现在该怎么办？") == ctx.kb.entries["signature-rejected"].said("answer", "zh")


def test_why_right_after_a_template_one_carrier_rejected_names_that_carrier_and_its_reason(live, router):
    templates.record_review(live, "DIGITAL_SMS_0001", "china_telecom", False, "the wording promises a prize draw")
    conv = Conversation(live, router)
    conv.handle("/template DIGITAL_SMS_0001")
    assert _lines(conv, "why was it rejected?") == \
        "DIGITAL_SMS_0001 was rejected by China Telecom: the wording promises a prize draw"
    assert _lines(conv, "what should I do now?") == live.kb.entries["template-failed-or-pending"].answer


def test_why_was_it_rejected_after_a_registered_signatures_status_is_no_reason_of_it(live, router):
    conv = Conversation(live, router)
    conv.handle("/signature AcmeShop")
    said = _lines(conv, "why was it rejected?")
    assert "was rejected by" not in said and said.startswith(live.kb.entries["signature-rejected"].answer)


def test_why_long_after_a_rejected_signatures_status_is_no_longer_about_it(ctx, router):
    """The object is "it" only right after its status: a reply in between that names it not leaves it behind."""
    _globex_rejected(ctx)
    conv = Conversation(ctx, router)
    conv.handle("/signature Globex")
    conv.handle("how much does a message cost?")
    assert "Globex was rejected" not in _lines(conv, "why was it rejected?")


def _said_in_chinese(ctx, router, *typed: str, role: str = "customer") -> str:
    conv = Conversation(ctx, router, role=role, lang="zh")
    return [" ".join(line.text for line in conv.handle(text)) for text in typed][-1]


@pytest.mark.parametrize("typed,said", [
    # actions/templates.py
    (["/template DIGITAL_SMS_0099"], "账号“demo”中没有模板 DIGITAL_SMS_0099；请先创建一个（说“创建一个模板”）"),
    # actions/sending.py
    (["/sends ABCDEF12"], "账号“demo”中没有请求编号为 ABCDEF12 的发送；请查看 /sends"),
    # actions/handoff.py
    (["/show abc"], "“abc”不是工单编号；请查看 /queue"),
    # chat/commands.py
    (["/show"], "请说明是哪个工单：/show ID"),
    # actions/error_codes.py
    (["/error zzqqxx"], "没有与“zzqqxx”相符的错误码；请给出发送结果中的错误码"),
    # roles.py
    (["/claim 1"], "客户角色不能执行“认领工单”；它仅限：经理、管理员（--role manager）"),
])
def test_a_refusal_of_the_account_model_is_said_in_a_chinese_conversations_language(ctx, router, typed, said):
    assert _said_in_chinese(ctx, router, *typed).startswith(said)


def test_a_signature_name_refused_is_said_in_chinese_with_the_services_code_in_front(ctx, router):
    # actions/signatures.py (check_name: each fault and its fix, as the catalogue says a quoted name's)
    accounts.enable(ctx)
    conv = Conversation(ctx, router, lang="zh")
    conv.start("signature.submit", {})
    said = " ".join(line.text for line in conv.handle("Acme Shop!"))
    assert said.startswith("isv.SIGN_NAME_ILLEGAL：签名“Acme Shop!”含有空格，且包含 '!'；请去掉空格")
    assert "has spaces" not in said and conv.waiting.prompt.startswith("签名名称")


def test_an_ineligible_industry_and_the_most_signatures_are_said_in_chinese(ctx, router):
    # actions/accounts.py, context.py
    accounts.create_account(ctx, "lender", "lending", {"enterprise": ["Quick Loans Ltd"]})
    lender = dataclasses.replace(ctx, account="lender")
    said = _said_in_chinese(lender, router, "/enable", "是")
    assert "账号“lender”属于“lending”行业，该行业不能开通数字短信；可开通的行业：e-commerce" in said
    accounts.enable(ctx)
    most = int(ctx.rules.signature["max_per_account"])
    for n in range(most):
        ctx.store.insert("signatures", {"account": "demo", "name": f"Shop{n}", "source": "trademark",
                                        "submitted_at": ctx.now(), "round": 1})
    conv = Conversation(ctx, router, lang="zh")
    conv.start("signature.submit", {})
    said = " ".join(line.text for line in conv.handle("AcmeShop") + conv.handle("商标") + conv.handle("是"))
    assert f"isv.SIGN_COUNT_OVER_LIMIT：账号“demo”已有 {most} 个签名，已达上限（{most} 个）" in said


def test_an_upload_to_a_conversation_reading_this_machines_files_is_refused_in_chinese(ctx, router):
    # chat/attachments.py
    from conftest import png_bytes

    conv = Conversation(_signed(ctx), router, lang="zh")
    for text in ("create a template", "Spring", "AcmeShop", "e-commerce", "Hi there"):
        conv.handle(text)
    assert conv.waiting.slot == "media"
    with pytest.raises(Conflict, match="^这段对话从本机读取文件；请输入文件路径$"):
        conv.attach([attachments.Upload("a.png", png_bytes())])


def _globex_rejected(ctx) -> None:
    """Globex submitted from the enterprise the demo profile does not name: rejected by 17 March."""
    accounts.enable(ctx)
    signatures.submit(ctx, "Globex", "enterprise")
    ctx.at("2026-03-17T10:00")


def test_a_resubmission_naming_no_signature_is_of_the_rejected_one_just_spoken_of(ctx, router):
    _globex_rejected(ctx)
    conv = Conversation(ctx, router)
    conv.handle("is signature Globex approved yet?")
    said = "\n".join(line.text for line in conv.handle("please resubmit it"))
    assert "Resubmit signature Globex" in said and conv.waiting.kind == "confirm"


def test_a_resubmission_naming_none_asks_which_when_the_one_spoken_of_is_not_rejected(live, router):
    conv = Conversation(live, router)
    conv.handle("is signature AcmeShop approved?")
    conv.handle("please resubmit it")
    assert conv.waiting.kind == "slot" and conv.waiting.prompt.startswith("Signature to resubmit")


def test_a_resubmissions_go_ahead_foresees_the_rejection_its_profile_still_tells(ctx, router):
    _globex_rejected(ctx)
    conv = Conversation(ctx, router)
    said = "\n".join(line.text for line in conv.handle("resubmit signature Globex"))
    assert "Every carrier will reject it: 'Globex' is not the full or abbreviated name" in said
    conv.handle("no")
    accounts.update_account(ctx, "demo", None, {"enterprise": ["Globex Trading Co., Ltd."]})
    said = "\n".join(line.text for line in conv.handle("resubmit signature Globex"))
    assert "Resubmit signature Globex" in said and "reject" not in said


def test_an_account_that_does_not_exist_and_an_agents_account_switch_are_said_in_chinese(ctx, router):
    # context.py (the account acted for: --account, $ASSISTANT_ACCOUNT, /account NAME), chat/commands.py
    said = _said_in_chinese(ctx, router, "/account nosuch", role="agent")
    assert said.startswith("账号“nosuch”不存在；用 `assistant admin account list` 查看有哪些账号") and "no account" not in said
    assert _said_in_chinese(ctx, router, "/account demo", role="agent") == "已切换到账号 demo。"
    assert _said_in_chinese(ctx, router, "/account", role="agent") == "当前账号：demo。"
    nowhere = dataclasses.replace(ctx, account="nosuch")
    said = _said_in_chinese(nowhere, router, "/status")
    assert said.startswith("账号“nosuch”不存在") and "see `assistant" not in said, said
    english = Conversation(ctx, router, role="agent")
    assert [line.text for line in english.handle("/account demo")] == ["Now on account demo."]


def test_a_templates_signature_not_in_the_account_is_refused_in_chinese_with_the_services_code_in_front(live, router):
    # actions/templates.py (the signature's refusal, its code in front: errors.coded)
    with pytest.raises(NotFound) as refused:
        templates.create(live, "Sale", "Nosuch", "e-commerce", "Hi", [])
    conv = Conversation(live, router, lang="zh")
    assert conv.told(refused.value).startswith("isv.SMS_SIGNATURE_ILLEGAL：账号“demo”中没有签名“Nosuch”")
    assert Conversation(live, router).told(refused.value) == str(refused.value)
