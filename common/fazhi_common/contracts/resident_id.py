"""The resident ID number (公民身份号码, GB 11643-1999): 18 characters, checked.

Six digits of the place of first registration, eight of the birth date, three of
sequence, and a check character (ISO 7064 MOD 11-2: ``0``-``9`` or ``X``). A number
that only looks like one (18 digits typed at random) fails the check nine times in ten,
and a birth date that never was fails too; this is what a form can know without the
public-security database.
"""
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_CHECK = "10X98765432"


def check_character(first17):
    """The MOD 11-2 check character of the first seventeen digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(number):
    """Why ``number`` is not a valid resident ID number, or None if it is."""
    if not isinstance(number, str):
        return "an 18-character resident ID number is required"
    number = number.strip().upper()
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit() \
            or number[17] not in "0123456789X":
        return "a resident ID number is 17 digits and a check digit or X"
    if number[0] == "0":
        return "the first six digits name no place"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "digits 7 to 14 are no birth date"
    if check_character(number[:17]) != number[17]:
        return "the check digit does not match (GB 11643)"
    return None


def normalise(number):
    """The canonical form: no surrounding space, a capital X."""
    return number.strip().upper()
