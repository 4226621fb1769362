"""GB 11643 resident ID numbers: the check character, the birth date, the shape."""
import pytest

from fazhi_common.contracts import resident_id

# numbers published as examples of the standard's computation
VALID = ("11010519491231002X", "440524188001010014", "110101199003074477")


@pytest.mark.parametrize("number", VALID)
def test_published_examples_pass(number):
    assert resident_id.problem(number) is None
    assert resident_id.problem(number.lower()) is None  # a small x is the same X


@pytest.mark.parametrize("number", VALID)
def test_every_wrong_check_character_fails(number):
    for wrong in "0123456789X":
        if wrong != number[17]:
            assert "check digit" in resident_id.problem(number[:17] + wrong)


@pytest.mark.parametrize("number, why", [
    ("11010519491231002", "17 digits"),
    ("1101051949123100211", "17 digits"),
    ("11010519491231002Y", "17 digits"),
    ("１１０１０５１９４９１２３１００２X", "17 digits"),  # full-width digits
    ("01010519491231002X", "no place"),
    ("110105194902300021", "birth date"),  # 30 February
    ("110105194913010021", "birth date"),  # month 13
    (None, "required"),
])
def test_malformed_numbers_say_why(number, why):
    assert why in resident_id.problem(number)


def test_the_check_character_is_mod_11_2():
    # a transposition of two digits changes the sum's remainder: caught
    assert resident_id.check_character("11010519491231002") == "X"
    assert resident_id.check_character("11010519491213002") != "X"
