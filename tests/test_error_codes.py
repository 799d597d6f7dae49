import pytest

from assistant.actions.error_codes import lookup
from assistant.errors import UserError


@pytest.mark.parametrize("query,code", [
    ("isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL"),
    ("ISV.business_limit_control", "isv.BUSINESS_LIMIT_CONTROL"),
    ("BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL"),
    ("isv.BUSINES_LIMIT_CONTROLL", "isv.BUSINESS_LIMIT_CONTROL"),
    ("AMOUNT_NOT", "isv.AMOUNT_NOT_ENOUGH"),
    ("amount not enough", "isv.AMOUNT_NOT_ENOUGH"),
    ("isv.SMS_SIGN_NAME_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL"),
    ("a template variable was not given a value", "isv.TEMPLATE_MISSING_PARAMETERS"),
    ("delivered", "DELIVERED"),
])
def test_lookup_forgives_case_prefix_typos_parts_and_descriptions(kb, query, code):
    assert lookup(kb, query)["code"] == code


def test_a_fix_that_may_not_help_points_to_the_support_manager(kb):
    assert lookup(kb, "isp.SYSTEM_ERROR")["handoff"] is True
    assert lookup(kb, "isv.AMOUNT_NOT_ENOUGH")["handoff"] is False


def test_nothing_close_is_a_clear_error(kb):
    with pytest.raises(UserError, match="no error code matches 'qwertyuiop'"):
        lookup(kb, "qwertyuiop")
