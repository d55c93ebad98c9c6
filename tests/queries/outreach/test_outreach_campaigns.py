"""Campaign creation: frozen messages, no resident twice, template errors, opt-out, take-up."""

import pytest

from graph.cypher_lint import lint_queries
from queries.outreach.campaigns import (CampaignError, TemplateError, create_campaign,
                                        list_campaigns, mark_booked, messages, opt_out,
                                        status_counts, take_up)
from queries.outreach.channels import Outbox
from queries.outreach.sending import send_campaign

TEMPLATE = "{{ name }}您好，{{ area_name }}居委会提醒：{{ program_name }}可以预约了。"


def test_create_freezes_one_rendered_message_per_recipient(store, recipients):
    result = create_campaign(store, "screening-1", TEMPLATE, recipients,
                             program_id="P01", program_name="两癌筛查")
    assert result.created and result.messages_added == 12
    rows = messages(store, result.campaign_id)
    assert [r["resident_id"] for r in rows] == [r["resident_id"] for r in recipients]
    assert rows[0]["body"] == "Li Xiuying您好，Linfen Garden居委会提醒：两癌筛查可以预约了。"
    assert len({r["idempotency_key"] for r in rows}) == 12


def test_running_create_again_adds_no_one_twice(store, recipients):
    first = create_campaign(store, "screening-1", TEMPLATE, recipients[:8])
    again = create_campaign(store, "screening-1", TEMPLATE, recipients)
    assert again.campaign_id == first.campaign_id and not again.created
    assert (again.messages_added, again.messages_existing) == (4, 8)
    assert sum(status_counts(store, first.campaign_id).values()) == 12
    duplicate = store.execute
    with pytest.raises(Exception, match="UNIQUE"):
        duplicate("INSERT INTO outreach_message (campaign_id, resident_id, body, "
                  "idempotency_key, updated_at) VALUES (?, 'R01', 'x', 'k', 'now')",
                  (first.campaign_id,))


def test_same_name_with_another_template_is_refused(store, recipients):
    create_campaign(store, "screening-1", TEMPLATE, recipients)
    with pytest.raises(CampaignError, match="another template"):
        create_campaign(store, "screening-1", "{{ name }}", recipients)


def test_missing_placeholder_is_named_and_nothing_is_written(store, recipients):
    with pytest.raises(TemplateError, match=r"\{\{ apointment_date \}\}.*available: address"):
        create_campaign(store, "typo", "{{ name }}: {{ apointment_date }}", recipients)
    assert list_campaigns(store) == []


def test_template_syntax_error_names_the_line(store, recipients):
    with pytest.raises(TemplateError, match="line 2"):
        create_campaign(store, "broken", "Hello\n{{ name ", recipients)


def test_recipient_without_phone_is_kept_as_failed(store, recipients):
    people = [dict(recipients[0], phone=None), dict(recipients[1], area_name=None)] + recipients[2:4]
    result = create_campaign(store, "gaps", TEMPLATE, people, program_name="筛查")
    rows = {r["resident_id"]: r for r in messages(store, result.campaign_id)}
    assert result.unreachable == 2
    assert rows["R01"]["status"] == "failed" and "no phone" in rows["R01"]["last_error"]
    assert "area_name" in rows["R02"]["last_error"]
    assert rows["R03"]["status"] == "queued"


def test_opted_out_resident_is_never_contacted(store, recipients, outreach_settings):
    result = create_campaign(store, "with-optout", TEMPLATE, recipients[:4], program_name="筛查")
    assert opt_out(store, "R02", reason="phoned the committee")
    assert not opt_out(store, "R02")  # already on the list
    report = send_campaign(store, result.campaign_id, outreach_settings, channel=Outbox(store))
    assert (report.sent, report.suppressed) == (3, 1)
    outbox = [r["message_id"] for r in store.execute("SELECT message_id FROM outreach_outbox")]
    suppressed = [m for m in messages(store, result.campaign_id) if m["status"] == "suppressed"]
    assert [m["resident_id"] for m in suppressed] == ["R02"]
    assert suppressed[0]["message_id"] not in outbox and len(outbox) == 3
    # A second run changes nothing: the opted-out message stays suppressed, no one twice.
    again = send_campaign(store, result.campaign_id, outreach_settings, channel=Outbox(store))
    assert (again.attempted, again.suppressed) == (0, 0)
    assert store.execute("SELECT count(*) FROM outreach_outbox").fetchone()[0] == 3


def test_take_up_splits_bookings_before_and_after_contact(store, recipients, outreach_settings):
    import datetime as dt

    result = create_campaign(store, "take-up", TEMPLATE, recipients[:5], program_name="筛查")
    send_campaign(store, result.campaign_id, outreach_settings, channel=Outbox(store),
                  now=dt.datetime(2025, 7, 1, 10, 0))
    bookings = {"R01": "2025-07-03", "R02": "2025-06-20", "R03": "2025-07-01",
                "R09": "2025-07-02"}  # R09 was never contacted: not counted
    assert take_up(store, result.campaign_id, bookings) == {
        "contacted": 5, "booked_after_contact": 2, "booked_before_contact": 1,
        "take_up_rate": 0.4}
    assert mark_booked(store, result.campaign_id, bookings) == 2
    assert status_counts(store, result.campaign_id)["booked"] == 2


def test_recipient_query_is_valid_cypher(recipients_cypher):
    result = lint_queries({"outreach test recipients": recipients_cypher})
    assert result["outreach test recipients"].errors == []


def test_campaign_from_program_freezes_the_silent_group(store, small_graph):
    programs = pytest.importorskip("queries.programs")
    import datetime as dt

    from queries.outreach.campaigns import campaign_from_program

    as_of = dt.date(2025, 7, 1)
    catalogue = programs.load_programs()
    program = next(p for p in catalogue.values()
                   if programs.silent_group(small_graph, p, as_of).members)
    members = programs.silent_group(small_graph, program, as_of).members
    template = "{{ name }}，{{ program_name }}：{{ area_name }}居委会 {{ official_names | join('、') }}"
    result = campaign_from_program(store, small_graph, program.program_id, "from-program",
                                   template, as_of=as_of)
    rows = messages(store, result.campaign_id)
    assert sorted(r["resident_id"] for r in rows) == sorted(m["resident_id"] for m in members)
    assert program.name in rows[0]["body"]
    again = campaign_from_program(store, small_graph, program.program_id, "from-program",
                                  template, as_of=as_of)
    assert again.messages_added == 0


def test_campaign_from_unknown_program_is_named(store, small_graph):
    pytest.importorskip("queries.programs")
    from graph.errors import NotFound
    from queries.outreach.campaigns import campaign_from_program

    with pytest.raises(NotFound, match="No program 'nope'"):
        campaign_from_program(store, small_graph, "nope", "x", "{{ name }}")
