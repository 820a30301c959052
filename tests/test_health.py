"""The load balancer's health check."""

from concurrent.futures import ThreadPoolExecutor

from comparisons.checks import cache_status


def test_health_reports_database_and_cache(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "tasks": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_cache_check_holds_under_concurrent_checks(db):
    # Workers checking at the same moment must not see each other's writes as a failure.
    with ThreadPoolExecutor(max_workers=4) as pool:
        states = list(pool.map(lambda _: cache_status(), range(400)))
    assert set(states) == {"ok"}


def test_without_the_cache_the_server_stays_in_rotation_as_degraded(client, db, monkeypatch):
    import comparisons.checks

    def fail(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(comparisons.checks.cache, "set", fail)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable", "tasks": "ok"}


def test_the_health_check_answers_over_plain_http_when_https_is_required(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True  # as with DJANGO_HTTPS=1; the balancer checks over plain HTTP
    assert client.get("/en/").status_code == 301
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_while_the_database_is_away_the_health_check_says_when_to_ask_again(client, db, monkeypatch):
    import outsourcing_kb.health

    monkeypatch.setattr(outsourcing_kb.health, "database_status", lambda: "unavailable")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_a_task_waiting_for_minutes_says_no_task_worker_runs(client, db):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from comparisons.purge import send_purge

    result = send_purge.enqueue("http://127.0.0.1:6081/", ["c1"])
    assert client.get("/health/").json()["tasks"] == "ok"  # just enqueued: a worker takes it within seconds
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "ok", "tasks": "stalled"}


def test_a_deferred_task_counts_its_wait_from_when_it_came_due(client, db):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from comparisons.purge import send_purge

    # A retry enqueued six minutes ago for five minutes later came due a minute ago: not stalled.
    result = send_purge.using(run_after=timezone.now() - timedelta(minutes=1)).enqueue("http://x:1/", ["c1"])
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=6))
    assert client.get("/health/").json()["tasks"] == "ok"
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now() - timedelta(minutes=6))
    assert client.get("/health/").json()["tasks"] == "stalled"
