"""Personal data shown to a caller who may not see it whole: a name's first character, an ID
number's first three and last four, a phone's first three and last four. One rule for every
service holding people (mediation's parties, legal aid's applicants, corrections' files)."""


def mask_name(name):
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def mask_id_number(number):
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if number else number


def mask_phone(phone):
    if not phone:
        return phone
    digits = phone.replace(" ", "").replace("-", "")
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


def masked_party(party):
    """A party (role, name, ID number, phone) as one who may not see it reads it."""
    return {"role": party["role"], "name": mask_name(party["name"]),
            "id_number": mask_id_number(party.get("id_number")),
            "phone": mask_phone(party.get("phone"))}
