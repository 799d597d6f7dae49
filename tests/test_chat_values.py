"""The one place a request's values take the conversation's shapes (assistant/chat/values.py)."""

import pytest

from assistant.actions import accounts, signatures
from assistant.chat import values


def test_params_come_from_a_mapping_words_or_one_string():
    assert values.params({"name": "Tom"}) == {"name": "Tom"}
    assert values.params(["name=Tom", "shop=Acme"]) == {"name": "Tom", "shop": "Acme"}
    assert values.params("name=Tom, shop=Acme") == {"name": "Tom", "shop": "Acme"}
    assert values.params(["Tom"]) == {}


def test_named_params_read_a_templates_variables_given_in_words():
    said = 'send DIGITAL_SMS_0001 to 13800138000 with name Tom and shop: "Acme Mall"'
    assert values.named_params(said, ["name", "shop"]) == {"name": "Tom", "shop": "Acme Mall"}
    assert values.named_params("send it where ${name} = Ann", ["name"]) == {"name": "Ann"}
    assert values.named_params("send it, name is Li", ["name"]) == {"name": "Li"}


def test_named_params_ignore_a_variables_name_that_is_a_word_of_the_request():
    assert values.named_params("send the name template to 13800138000", ["name"]) == {}
    assert values.named_params("send it with name=Tom", ["shop"]) == {}


def test_named_params_read_the_chinese_ways_of_saying_a_variables_value():
    variables = ["name", "order"]
    assert values.named_params("用DIGITAL_SMS_0002发给13800138000，name是张三，order是A123", variables) == \
        {"name": "张三", "order": "A123"}
    assert values.named_params("发给13800138000 name为李四先生 order：A123", variables) == \
        {"name": "李四先生", "order": "A123"}
    assert values.named_params("name: Tom; order is A123", variables) == {"name": "Tom", "order": "A123"}


def test_named_params_read_only_the_templates_own_variables_never_a_longer_word():
    assert values.named_params("发给13800138000，名字是张三", ["name"]) == {}
    assert values.named_params("发给13800138000，username是张三", ["name"]) == {}
    assert values.named_params("发给13800138000，shop是张三", ["name"]) == {}


def test_named_params_read_a_variables_chinese_label_before_a_fill_word(kb):
    labels = values.variable_labels(kb)
    assert values.named_params("发一下双十一大促，名字填张三。", ["name"], labels) == {"name": "张三"}
    assert values.named_params("发给13800138000，姓名写李四", ["name"], labels) == {"name": "李四"}
    assert values.named_params("发给13800138000，name填王五", ["name"]) == {"name": "王五"}
    # a label is read only for the template's own variable, and only before a word that gives a value
    assert values.named_params("名字填张三", ["shop"], labels) == {}
    assert values.named_params("我的名字很长", ["name"], labels) == {}


@pytest.mark.parametrize("said", ["不对，resort改成峨眉山", "不对，resort换成峨眉山", "resort改为峨眉山",
                                  "不对，resort变成峨眉山", "不对，resort应该是峨眉山", "不对，resort是峨眉山",
                                  "no, resort should be 峨眉山", "wait, resort changed to 峨眉山"])
def test_a_variable_changed_in_words_gives_the_words_after_the_verb_never_the_verb(kb, said):
    assert values.said_params(kb, said, ["name", "resort"]) == {"resort": "峨眉山"}


def test_a_word_of_change_beside_a_variables_name_is_no_value_without_a_verb_that_gives_one(kb):
    assert values.said_params(kb, "send the name change notice to 13800138000", ["name"]) == {}


def test_a_number_taken_back_in_the_same_line_is_dropped_and_its_replacement_kept(kb):
    said = "帮我给13800138000和13312345678发一下双十一大促，名字填张三。哦不对，第二个号码换成18612345678"
    assert values.withdrawn(kb, said, ["13800138000", "13312345678", "18612345678"]) == ["13800138000", "18612345678"]
    assert values.withdrawn(kb, "给13800138000和13312345678发，13312345678换成18612345678",
                            ["13800138000", "13312345678", "13312345678", "18612345678"]) == ["13800138000", "18612345678"]
    assert values.withdrawn(kb, "send to 13800138000 and 13312345678, replace 13312345678 with 18612345678",
                            ["13800138000", "13312345678", "18612345678"]) == ["13800138000", "18612345678"]
    assert values.withdrawn(kb, "send to 13800138000 and 13312345678 - instead of 13800138000, 18612345678",
                            ["13800138000", "13312345678", "18612345678"]) == ["13312345678", "18612345678"]
    assert values.withdrawn(kb, "send to 13800138000, 13312345678; the first number should be 18612345678",
                            ["13800138000", "13312345678", "18612345678"]) == ["13312345678", "18612345678"]
    # at the numbers' prompt the replacement's words are read as a number that is none: not one to send to
    assert values.withdrawn(kb, "13900139000 13312345678，第二个换成19912345678",
                            ["13900139000", "13312345678", "第二个换成", "19912345678"]) == ["13900139000", "19912345678"]


@pytest.mark.parametrize("said", ["also add 13912345678", "also send it to 13912345678 please",
                                  "send it to 13912345678 too", "也发给13912345678", "再加上139 1234 5678"])
def test_a_number_added_at_the_go_ahead_is_read_in_each_way_of_saying_also(kb, said):
    assert [n.replace(" ", "") for n in values.added(kb, said)] == ["13912345678"]


@pytest.mark.parametrize("said", ["no, send it to 13912345678 instead", "改成发给13912345678",
                                  "send DIGITAL_SMS_0001 to 13912345678"])
def test_a_number_that_replaces_or_starts_a_send_is_no_number_added(kb, said):
    assert values.added(kb, said) == []


def test_numbers_none_of_which_is_taken_back_stay_as_written(kb):
    phones = ["13800138000", "13312345678", "13800138000"]
    assert values.withdrawn(kb, "给13800138000、13312345678、13800138000发", phones) == phones
    # a place beyond the numbers written takes nothing back
    assert values.withdrawn(kb, "给13800138000发，第五个号码换成18612345678", ["13800138000", "18612345678"]) == \
        ["13800138000", "18612345678"]


def test_a_variables_label_gives_a_value_only_with_a_word_that_fills_it_in(kb):
    assert values.named_params("发给13800138000，名字是张三", ["name"], values.variable_labels(kb)) == {}
    assert values.named_params("发给13800138000，名字用张三", ["name"], values.variable_labels(kb)) == {"name": "张三"}


def test_a_signature_source_said_in_words_is_read_whatever_else_the_line_names(kb):
    assert values.said_source(kb, "我们公司叫Acme，想用AcmeShop做签名，来源是商标，帮我提交一下") == "trademark"
    assert values.said_source(kb, "submit signature AcmeShop, our company is Acme but the source is trademark") == "trademark"
    assert values.said_source(kb, "把签名改成AcmePay，来源：应用") == "app"
    assert values.said_source(kb, "submit AcmeShop, source is a mobile app") == "app"
    assert values.said_source(kb, "我们公司叫Acme，想用AcmeShop做签名") is None
    assert values.said_source(kb, "the source is unknown to me") is None


@pytest.mark.parametrize("said,name", [("帮我建个直播用的模板", None), ("建一个电商专用模板", None), ("建一个营销用的模板", None),
                                       ("帮我建一个会员日模板", "会员日"), ("create a Spring promo template", "Spring promo")])
def test_words_saying_what_a_template_is_for_are_no_name(kb, said, name):
    assert values.name_before(kb, "template.create", said) == name


def test_a_looked_up_name_followed_by_words_of_the_question_is_the_accounts_object(ctx):
    accounts.enable(ctx)
    signatures.submit(ctx, "Globex", "enterprise")
    assert values.known_objects(ctx, "signature.status", {"name": "Globex approved yet"}, "") == {"name": "Globex"}
    assert values.known_objects(ctx, "signature.status", {"name": "GLOBEX been registered"}, "") == {"name": "Globex"}
    # another word of the name is another name, never the account's own (it is said to be none)
    assert values.known_objects(ctx, "signature.status", {"name": "Globex Pro"}, "") == {"name": "Globex Pro"}
