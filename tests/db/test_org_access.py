"""Organisation ownership (``db.org_access``, issue 16 finding 6) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import challenges, org_access
from db.models import Challenge, Organisation
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, submitted_challenge

OWNER_CONTACT = {"contact_name": "陳副總", "phone": "1234-5678", "email": "a@b.com.tw"}


def _user(session: Session, sender: str) -> int:
    return get_or_create_user(session=session, channel="rest", external_id=sender).id


def _draft(session: Session, org: str, sender: str, contact: dict[str, str]) -> Challenge:
    user_id = _user(session, sender)
    found = challenges.get_or_create_organisation(session=session, name=org, user_id=user_id)
    return challenges.save_draft(
        session=session, user_id=user_id, organisation=found, contact=contact,
        challenge={"title": f"{sender} 的題目"}, dataset={}, now=NOW,
    )  # fmt: skip


def _org(session: Session, name: str) -> Organisation:
    found = org_access.find(session=session, name=name)
    assert found is not None
    return found


def test_a_stranger_cannot_change_submitted_contacts_or_use_the_limit(
    sessions: sessionmaker[Session],
) -> None:
    """Finding 6: typing an organisation's name used to overwrite its contact on its submitted
    challenges and let anyone take its three slots."""
    with sessions.begin() as session:
        reference = submitted_challenge(session, "宏達智能股份有限公司", "瑕疵檢測")
    hijack = {"contact_name": "冒名者", "phone": "0900-000-000", "email": "evil@example.com"}
    with sessions.begin() as session:
        draft = _draft(session, "宏達智能 股份有限公司", "stranger", hijack)
        with pytest.raises(org_access.NotAMember):
            challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
        assert draft.status == "draft" and draft.org_slot is None
    with sessions() as session:
        posted = challenges.find_by_reference(session=session, reference=reference)
        assert posted is not None
        assert challenges.contact_of(posted) == OWNER_CONTACT
        org = _org(session, "宏達智能")
        assert (org.contact_name, org.phone, org.email) == ("陳副總", "1234-5678", "a@b.com.tw")
        assert len(challenges.counted_of(session=session, name_key="宏達智能")) == 1


def test_the_owners_new_contact_leaves_earlier_challenges_alone(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        first = submitted_challenge(session, "大同醫院", "病床調度")
        second = _draft(
            session, "大同醫院", "seed", {"contact_name": "林小姐", "email": "lin@x.tw"}
        )
        challenges.submit(session=session, challenge=second, limit=3, now=NOW)
        earlier = challenges.find_by_reference(session=session, reference=first)
        assert earlier is not None and challenges.contact_of(earlier) == OWNER_CONTACT
        assert (second.contact_name, second.contact_email) == ("林小姐", "lin@x.tw")
        assert _org(session, "大同醫院").email == "lin@x.tw"  # the owner's registered address


def test_first_submitter_owns_a_draft_claims_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        early = _draft(session, "Acme Taiwan", "early-drafter", {})
        submitted_challenge(session, "ACME Taiwan Inc.", "Forecasting", external_id="submitter")
        org = _org(session, "acme taiwan")
        assert org.owner_user_id == _user(session, "submitter")
        assert org_access.access(session=session, organisation=org, user_id=_user(session,
                                 "early-drafter")) == "stranger"  # fmt: skip
        with pytest.raises(org_access.NotAMember):
            challenges.submit(session=session, challenge=early, limit=3, now=NOW)
        # typing the name first gives no view of the owner's challenges (我的狀態, reused contact)
        seen = challenges.challenges_of_user(
            session=session, user_id=_user(session, "early-drafter")
        )
        assert [c.title for c in seen] == ["early-drafter 的題目"]
        owners = challenges.challenges_of_user(session=session, user_id=org.owner_user_id)
        assert [c.title for c in owners] == ["Forecasting"]


def test_invite_codes_are_owner_only_single_use_and_expire(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        submitted_challenge(session, "大同醫院", "病床調度")
        org, owner = _org(session, "大同醫院"), _user(session, "seed")
        with pytest.raises(org_access.NotTheOwner):
            org_access.issue_invite(session=session, organisation=org, user_id=_user(session,
                                    "colleague"), now=NOW)  # fmt: skip
        code = org_access.issue_invite(session=session, organisation=org, user_id=owner, now=NOW)
        joined = org_access.redeem_invite(session=session, organisation=org, code=code.lower(),
                                          user_id=_user(session, "colleague"), now=NOW)  # fmt: skip
        again = org_access.redeem_invite(session=session, organisation=org, code=code,
                                         user_id=_user(session, "other"), now=NOW)  # fmt: skip
        late = org_access.issue_invite(session=session, organisation=org, user_id=owner, now=NOW)
        expired = org_access.redeem_invite(
            session=session, organisation=org, code=late, user_id=_user(session, "other"),
            now=NOW + org_access.INVITE_TTL + timedelta(seconds=1),
        )  # fmt: skip
        assert (joined.verdict, again.verdict, expired.verdict) == ("joined", "used", "expired")
        colleague = _draft(session, "大同醫院", "colleague", {"email": "c@tatung.com.tw"})
        challenges.submit(session=session, challenge=colleague, limit=3, now=NOW)
        assert colleague.status == "submitted"
        assert _org(session, "大同醫院").email == "a@b.com.tw"  # a member's contact is its own


def test_email_codes_join_and_wrong_codes_are_limited_across_senders(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        submitted_challenge(session, "大同醫院", "病床調度")
        org = _org(session, "大同醫院")
        asker = _user(session, "asker")
        mailed = org_access.request_email_code(
            session=session, organisation=org, user_id=asker, now=NOW
        )
        assert mailed.code and mailed.address == "a@b.com.tw"
        assert org_access.mask_email(mailed.address) == "a***@b.com.tw"
        wrong = "000000" if mailed.code != "000000" else "111111"
        verdicts = [
            org_access.verify_email_code(
                session=session, organisation=org, code=wrong, user_id=asker, now=NOW
            ).verdict
            for _ in range(org_access.MAX_WRONG_PER_USER + 1)
        ]
        assert verdicts == ["wrong"] * org_access.MAX_WRONG_PER_USER + ["limited"]
        right = org_access.verify_email_code(
            session=session, organisation=org, code=mailed.code, user_id=asker, now=NOW
        )
        assert right.verdict == "limited"  # nothing is checked while limited, not even right
        later = NOW + org_access.CODE_WINDOW
        fresh = org_access.request_email_code(
            session=session, organisation=org, user_id=asker, now=later
        )
        assert fresh.code is not None
        joined = org_access.verify_email_code(session=session, organisation=org,
                                              code=f"{fresh.code[:3]} {fresh.code[3:]}",
                                              user_id=asker, now=later)  # fmt: skip
        assert joined.verdict == "joined"
        # new senders minted for the purpose share the organisation's allowance
        minted = [_user(session, f"minted-{i}") for i in range(org_access.MAX_WRONG_PER_ORG + 1)]
        results = [
            org_access.redeem_invite(
                session=session, organisation=org, code="ABCD-2345", user_id=u, now=later
            ).verdict
            for u in minted
        ]
        assert results.count("wrong") == org_access.MAX_WRONG_PER_ORG
        assert results[-1] == "limited"


def test_emails_to_one_organisation_are_limited(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        submitted_challenge(session, "大同醫院", "病床調度")
        org = _org(session, "大同醫院")
        reasons = [
            org_access.request_email_code(session=session, organisation=org,
                                          user_id=_user(session, f"u{i}"), now=NOW).reason
            for i in range(org_access.MAX_MAILS_PER_ORG + 1)
        ]  # fmt: skip
        assert reasons == [""] * org_access.MAX_MAILS_PER_ORG + ["too_many"]
