"""The coordinator's decision on proposed dates keeps what was typed when it is refused."""

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import DateProposal, ProposalStatus
from tests.web.test_proposals_web import world  # noqa: F401  (the same school, coordinator and measures)


def _proposal(client, auth, measure):
    auth.login("school")
    client.post(f"/proposals/measure/{measure.id}", data={"dates": "05.05.2023"})
    auth.logout()
    auth.login("coord")
    return db.session.scalars(select(DateProposal)).one()


def test_a_mistyped_correction_stays_in_the_field_with_the_message(client, auth, world):  # noqa: F811
    proposal = _proposal(client, auth, world["manual"])
    response = client.post(
        f"/proposals/{proposal.id}",
        data={"confirm": "Подтвердить даты", "dates": "31.02.2023", "comment": "перенесли на февраль"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    field = page.index('id="dates"')
    assert "31.02.2023" in page[field : field + 400]
    assert "is-invalid" in page[page.rfind("<textarea", 0, field) : field]
    assert "перенесли на февраль" in page
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_rejection_without_a_reason_is_marked_on_the_comment(client, auth, world):  # noqa: F811
    proposal = _proposal(client, auth, world["manual"])
    response = client.post(f"/proposals/{proposal.id}", data={"reject": "Отклонить", "dates": "06.05.2023"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    comment = page.index('id="comment"')
    assert "Напишите, почему даты не подходят" in page[comment : comment + 600]
    assert "06.05.2023" in page
    assert proposal.status == ProposalStatus.PROPOSED
