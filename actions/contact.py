"""Contact details: phone numbers in E.164 (``phonenumbers``) and e-mail (``email-validator``).

- :func:`phone_e164` parses what a person typed (``02-2345-6789 轉 12``, ``+886 912 345 678``,
  ``(04)2658-1919``; Taiwan is assumed without a country code) and returns the stored form: E.164
  with ``#<extension>`` when one was given (``+886223456789#12``), or None when it is no phone
  number (a Taiwan mobile number needs its 10 digits: :func:`mobile_digits` says how many were
  typed). :func:`phone_display` shows a stored number the way people write it: national format for
  Taiwan (``02-2345-6789 轉 12``), international otherwise; anything unparsable is shown as stored.
- :func:`email_address` is the one e-mail check of the project (the NLU's ``email`` entity uses the
  same library): the normalised address, or None. No DNS lookups.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "TW"
_EXTENSION_WORDS = re.compile(r"\s*(?:轉|分機|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]+$")
_EXT_LABEL = {"zh-TW": " 轉 ", "en": " ext. "}


def phone_e164(text: str) -> str | None:
    """The stored form of the phone number typed in ``text`` (see the module docstring)."""
    raw = str(text or "").strip()
    match = _EXTENSION_WORDS.search(raw)
    body, ext = (raw[: match.start()], match.group(1)) if match else (raw, None)
    digits = re.sub(r"\D", "", body)
    if not _PHONE_CHARS.match(body) or not 7 <= len(digits) <= 15:
        return None
    try:
        number = phonenumbers.parse(body, REGION)
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number) or _bad_mobile(number):
        return None
    stored = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return f"{stored}#{ext}" if ext else stored


def _bad_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """A Taiwan mobile number (09…) with a digit too few or too many (「0912-345-67」): its
    length is fixed, unlike landlines with their area codes and extensions."""
    national = str(number.national_number)
    local = number.country_code == 886
    return local and national.startswith("9") and not phonenumbers.is_valid_number(number)


def mobile_digits(text: str) -> int | None:
    """How many digits a typed Taiwan mobile number has when it starts like one (09…) but is
    not one, for the re-ask (「0912-345-67」 → 9); None otherwise."""
    digits = re.sub(r"\D", "", str(text or ""))
    if not digits.startswith("09") or phone_e164(text) is not None:
        return None
    return len(digits) if 8 <= len(digits) <= 12 else None


def phone_display(stored: str, lang: str = "zh-TW") -> str:
    """A stored phone number for people (national format in Taiwan, else international)."""
    number_text, _, ext = str(stored).partition("#")
    try:
        number = phonenumbers.parse(number_text, REGION)
    except NumberParseException:
        return str(stored)
    local = phonenumbers.region_code_for_number(number) == REGION
    style = PhoneNumberFormat.NATIONAL if local else PhoneNumberFormat.INTERNATIONAL
    shown = phonenumbers.format_number(number, style)
    shown = shown.replace(" ", "-") if local else shown  # 02-2345-6789, as people write it
    return shown + (f"{_EXT_LABEL.get(lang, ' ext. ')}{ext}" if ext else "")


def email_address(text: str) -> str | None:
    """The normalised e-mail address in ``text`` (domain lower-cased), or None if it is not one."""
    try:
        return str(validate_email(str(text or "").strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        return None
