"""A referral makes one case, however often it is delivered: sent again after a lost answer
it finds its case; delivered twice at once (both looked before either committed) the
database's unique index stops the second, which answers with the first's case."""
from mediation import operations
from tests.mediation.factories import M, referral, register_organisations

COURT = "余杭区人民法院"


def _cases(gateway, reference):
    items = gateway.get(f"{M}/cases?per_page=100").json["items"]
    return [c["id"] for c in items if c["referrer_reference"] == reference]


def test_a_referral_sent_again_finds_its_case(mediation, gateway):
    orgs = register_organisations(gateway)
    body = referral(orgs["litigation"], "court", "(2026)浙0110民诉前调7号",
                    referrer_department=COURT)
    first = gateway.post(f"{M}/referrals", json=body)
    again = gateway.post(f"{M}/referrals", json=body)
    assert first.status_code == 201 and again.status_code == 201, (first.json, again.json)
    assert again.json["id"] == first.json["id"]
    assert _cases(gateway, "(2026)浙0110民诉前调7号") == [first.json["id"]]
    # the same reference from another department is another referral
    other = gateway.post(f"{M}/referrals", json={**body, "referrer_department": "余杭区公安分局"})
    assert other.status_code == 201 and other.json["id"] != first.json["id"]


def test_two_deliveries_at_once_make_one_case(mediation, gateway, monkeypatch):
    orgs = register_organisations(gateway)
    body = referral(orgs["litigation"], "court", "(2026)浙0110民诉前调8号",
                    referrer_department=COURT)
    first = gateway.post(f"{M}/referrals", json=body)
    assert first.status_code == 201
    looked = []
    referred = operations._referred

    def missed_once(session, department, reference):
        # the look before inserting finds nothing, as when the other delivery commits
        # just after it; every later look is the real one
        looked.append(reference)
        return None if len(looked) == 1 else referred(session, department, reference)

    monkeypatch.setattr(operations, "_referred", missed_once)
    second = gateway.post(f"{M}/referrals", json=body)
    assert len(looked) == 2  # it did reach the insert, and looked again after
    assert second.status_code == 201, second.json
    assert second.json["id"] == first.json["id"]
    assert _cases(gateway, "(2026)浙0110民诉前调8号") == [first.json["id"]]
