"""The one place a request's values take the conversation's shapes (assistant/chat/values.py)."""

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
