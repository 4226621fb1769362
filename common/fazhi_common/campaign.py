"""The campaign's calendar, which the registry reports and evaluation scores against.

The three-year rule (第一年搭框架、第二年抓深化、第三年全面达标): the year a community's
reorganisation takes effect is year one (build the framework), year two deepens, year
three and after must fully meet the standard. A unit never reorganised is held to the full
standard; before its reorganisation it did not exist.
"""
STAGES = ("framework", "deepening", "full_compliance")
NOT_YET = "not_yet_formed"


def campaign_stage(reorganised_on, year):
    if reorganised_on is None:
        return STAGES[-1]
    n = year - reorganised_on.year + 1
    if n < 1:
        return NOT_YET
    return STAGES[min(n, len(STAGES)) - 1]
