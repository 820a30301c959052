"""Bulk actions on more records than a request should handle run in the background, with progress."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from reversion.models import Version

from comparisons import bulk
from comparisons.models import BulkAction, Category, Comparison
from tests.helpers import DRAFT_TEXT, admin_url, bpo_vs_kpo, run_tasks


@pytest.fixture
def small_requests(monkeypatch):
    """A request handles two records, and the worker changes two at a time."""
    monkeypatch.setattr(bulk, "IN_REQUEST", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)


def unpublish(client, categories):
    return client.post(
        admin_url(Category, "changelist"),
        {"action": "unpublish", "_selected_action": [category.pk for category in categories]},
        follow=True,
    )


def test_many_records_are_unpublished_by_the_worker_with_progress_for_the_editor(
    editor_client, small_requests, django_capture_on_commit_callbacks
):
    categories = list(Category.objects.order_by("pk")[:5])
    response = unpublish(editor_client, categories)

    (message,) = [str(message) for message in response.context["messages"]]
    assert "“Unpublish” runs in the background on 5 records." in message
    job = BulkAction.objects.get()
    assert f'href="{admin_url(BulkAction, "change", job.pk)}"' in message
    assert Category.objects.filter(is_published=False).count() == 0  # not yet
    progress = editor_client.get(admin_url(BulkAction, "change", job.pk)).content.decode()
    assert "Done: 0 of 5; changed: 0" in progress and "Waiting for the task worker" in progress

    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()

    assert set(Category.objects.filter(is_published=False)) == set(categories)
    job.refresh_from_db()
    assert (job.done, job.changed, job.refused, job.failure) == (5, 5, [], "")
    progress = editor_client.get(admin_url(BulkAction, "changelist")).content.decode()
    assert "Done: 5 of 5; changed: 5" in progress and "Finished" in progress
    # As if each had been saved by hand: a revision and a log entry each, by the editor.
    for category in categories:
        latest = Version.objects.get_for_object(category).first()
        assert latest.revision.user == job.user
        assert "published" in latest.revision.comment
    assert LogEntry.objects.filter(user=job.user, object_id__in=[str(c.pk) for c in categories]).count() == 5


def test_a_list_pages_worth_is_still_done_in_the_request(editor_client, small_requests):
    categories = list(Category.objects.order_by("pk")[:2])
    response = unpublish(editor_client, categories)
    assert [str(message) for message in response.context["messages"]] == ["2 records unpublished."]
    assert set(Category.objects.filter(is_published=False)) == set(categories)
    assert not BulkAction.objects.exists()


def test_the_worker_applies_the_rights_of_who_asked_as_they_are_when_it_runs(editor_client, small_requests):
    categories = list(Category.objects.order_by("pk")[:3])
    unpublish(editor_client, categories)
    job = BulkAction.objects.get()
    job.user.groups.remove(Group.objects.get(name="editor"))  # no longer an editor

    run_tasks(failures_expected=True)

    assert not Category.objects.filter(is_published=False).exists()
    job.refresh_from_db()
    assert job.done == 0 and "may not change" in job.failure and job.finished_at is not None


def test_drafts_are_published_in_the_background_too(drafted, editor_client, small_requests, monkeypatch):

    comparison, _attribute = drafted
    monkeypatch.setattr(bulk, "IN_REQUEST", 0)
    editor_client.post(
        admin_url(Comparison, "changelist"),
        {"action": "publish_drafts", "_selected_action": [comparison.pk]},
    )
    assert bpo_vs_kpo().key_difference_en != DRAFT_TEXT
    run_tasks()
    assert bpo_vs_kpo().key_difference_en == DRAFT_TEXT
    job = BulkAction.objects.get()
    assert (job.done, job.changed, job.action) == (1, 1, "publish_drafts")


@pytest.mark.parametrize("role", ["translator-uk", "anonymous"])
def test_only_who_may_start_bulk_actions_sees_them(as_role, editor_client, small_requests, role):
    unpublish(editor_client, Category.objects.order_by("pk")[:3])
    job = BulkAction.objects.get()
    editor_client.logout()
    client = as_role(role)
    response = client.get(admin_url(BulkAction, "change", job.pk))
    assert response.status_code in (302, 403)
    assert client.get(admin_url(BulkAction, "changelist")).status_code in (302, 403)


def test_rights_taken_away_during_a_job_stop_it_at_the_next_chunk(editor_client, small_requests, monkeypatch):
    categories = list(Category.objects.order_by("pk")[:5])
    unpublish(editor_client, categories)
    job = BulkAction.objects.get()
    real_unpublish = bulk.ACTIONS[BulkAction.Action.UNPUBLISH]

    def then_demoted(model, keys, user):
        result = real_unpublish(model, keys, user)
        job.user.groups.remove(Group.objects.get(name="editor"))  # committed with the first chunk
        return result

    monkeypatch.setitem(bulk.ACTIONS, BulkAction.Action.UNPUBLISH, then_demoted)
    run_tasks(failures_expected=True)

    job.refresh_from_db()
    assert (job.done, job.changed) == (2, 2) and "may not change" in job.failure
    assert Category.objects.filter(is_published=False).count() == 2


def test_a_chunk_that_fails_leaves_nothing_of_it_and_the_job_resumes_from_there(
    editor_client, small_requests, monkeypatch
):
    from comparisons import changes

    categories = list(Category.objects.order_by("pk")[:5])
    unpublish(editor_client, categories)
    job = BulkAction.objects.get()
    real_write_revisions, calls = changes.write_revisions, []

    def fail_the_second(current):
        calls.append(current)
        if len(calls) == 2:
            raise SystemExit(1)  # what db_worker does on a second SIGTERM
        return real_write_revisions(current)

    monkeypatch.setattr(changes, "write_revisions", fail_the_second)
    run_tasks(failures_expected=True)
    job.refresh_from_db()
    assert (job.done, job.changed) == (2, 2) and job.failure == "The task worker was stopped."
    assert Category.objects.filter(is_published=False).count() == 2  # the second chunk left nothing
    progress = editor_client.get(admin_url(BulkAction, "changelist")).content.decode()
    assert "Stopped: The task worker was stopped." in progress

    monkeypatch.setattr(changes, "write_revisions", real_write_revisions)
    response = editor_client.post(
        admin_url(BulkAction, "changelist"), {"action": "resume", "_selected_action": [job.pk]}, follow=True
    )
    assert [str(message) for message in response.context["messages"]] == ["1 bulk action resumed."]
    run_tasks()
    job.refresh_from_db()
    assert (job.done, job.changed, job.failure) == (5, 5, "")
    assert Category.objects.filter(is_published=False).count() == 5
