"""Response mapping never crashes: any JSON (or non-JSON) in, a model or a typed error out."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trayapp.api import clockify, toggl
from trayapp.api.errors import error_for
from trayapp.api.tracker import expect_dict, map_all, mapping
from trayapp.core import errors as e
from trayapp.core.models import is_id

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=6),
    max_leaves=20,
)

TOGGL_ENTRY = {
    "id": 4290254971, "workspace_id": 21180405, "project_id": None, "task_id": None,
    "billable": False, "start": "2024-12-16T02:18:20+00:00", "stop": None,
    "duration": -1734315500, "description": "Writing", "tags": ["a"], "tag_ids": [1],
    "duronly": True, "at": "2024-12-16T02:18:20.489116Z", "server_deleted_at": None,
    "user_id": 1, "uid": 1, "wid": 21180405,
}
CLOCKIFY_ENTRY = {
    "id": "690f6498c0ee2a5143bd3dab", "description": "Writing", "tagIds": None,
    "userId": "690f6498c0ee2a5143bd3dac", "billable": True, "taskId": None, "projectId": None,
    "workspaceId": "690f6498c0ee2a5143bd3dad",
    "timeInterval": {"start": "2026-02-13T18:34:28Z", "end": None, "duration": None},
}
MAPPERS = [
    toggl.map_entry, toggl.map_project, toggl.map_client, toggl.map_tag, toggl.map_workspace,
    toggl.map_user, toggl.map_workspace_user, clockify.map_entry, clockify.map_project,
    clockify.map_client, clockify.map_tag, clockify.map_task, clockify.map_workspace,
    clockify.map_user, clockify.map_workspace_user,
]


def run_mapper(mapper, data):
    try:
        with mapping("thing"):
            return mapper(expect_dict(data, "thing"))
    except e.TrackerError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapper=st.sampled_from(MAPPERS), data=json_values)
def test_random_json_gives_a_model_or_a_typed_error(mapper, data):
    run_mapper(mapper, data)  # any other exception fails the test


@settings(max_examples=300, deadline=None)
@given(
    mapper_sample=st.sampled_from(
        [(toggl.map_entry, TOGGL_ENTRY), (clockify.map_entry, CLOCKIFY_ENTRY)]
    ),
    cut=st.integers(min_value=0, max_value=400),
    mutations=st.dictionaries(st.sampled_from(sorted(TOGGL_ENTRY) + sorted(CLOCKIFY_ENTRY)),
                              json_values, max_size=3),
)
def test_truncated_and_mutated_entries(mapper_sample, cut, mutations):
    mapper, sample = mapper_sample
    text = json.dumps({**sample, **mutations})[:cut]
    try:
        data = json.loads(text)
    except ValueError:
        return  # the gateway turns unparsable bodies into MalformedResponse (tested below)
    run_mapper(mapper, data)


@settings(max_examples=300, deadline=None)
@given(status=st.integers(min_value=400, max_value=599), body=st.binary(max_size=200),
       ctype=st.sampled_from(["application/json", "text/html", "", "text/plain"]))
def test_any_error_response_maps_to_a_typed_error(status, body, ctype):
    err = error_for(status, {"content-type": ctype}, body)
    assert isinstance(err, e.TrackerError) and err.title and err.message


@given(body=json_values)
def test_any_json_error_body_maps_to_a_typed_error(body):
    raw = json.dumps(body).encode()
    for status in (400, 401, 402, 403, 404, 409, 429, 500):
        assert isinstance(error_for(status, {}, raw), e.TrackerError)


def test_valid_samples_map():
    running = toggl.map_entry(TOGGL_ENTRY)
    assert running.running and running.id == "4290254971" and running.tags == ("a",)
    c = clockify.map_entry(CLOCKIFY_ENTRY)
    assert c.running and c.tag_ids == ()


def test_toggl_entry_created_without_stop_is_zero_length():
    data = {**TOGGL_ENTRY, "duration": 0, "stop": None}
    entry = toggl.map_entry(data)
    assert not entry.running and entry.stop == entry.start


def test_map_all_rejects_a_list_with_junk():
    with pytest.raises(e.MalformedResponse):
        map_all([TOGGL_ENTRY, 5], toggl.map_entry, "time entry")


@pytest.mark.parametrize(
    "status,headers,body,cls",
    [
        (400, {}, b'"\'since\' and \'before\' can not be present simultaneously"', e.BadRequest),
        (401, {}, b"", e.AuthError),  # Toggl: empty 401
        (401, {}, b'{"description":"Full authentication is required","code":1000}', e.AuthError),
        (400, {}, b'{"error":{"code":"CONNECTION_NOT_FOUND","message":"No active connection"}}',
         e.NoConnection),
        (400, {}, b'{"code":501,"message":"Client doesn\'t belong to Workspace"}', e.NotFound),
        (402, {}, b'"Custom project colors available only for premium plans"', e.PremiumRequired),
        (402, {"X-Toggl-Quota-Resets-In": "120"},
         b'"You have hit your hourly limit for API calls."', e.QuotaExhausted),
        (404, {}, b'"Time entry not found"', e.NotFound),
        (409, {}, b'"Time entry already stopped"', e.Conflict),
        (429, {"Retry-After": "3"}, b'{"message":"Too many requests","code":429}', e.RateLimited),
        (502, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>",
         e.ServerError),
    ],
)
def test_error_mapping_table(status, headers, body, cls):
    err = error_for(status, headers, body)
    assert type(err) is cls
    assert "<html" not in err.message


def test_quota_reset_time_comes_from_the_header():
    err = error_for(402, {"X-Toggl-Quota-Resets-In": "120"}, b'"quota exceeded"')
    assert 100 < err.retry_in <= 120


def test_rate_limit_retry_after():
    err = error_for(429, {"Retry-After": "7"}, b"")
    assert 5 < err.retry_in <= 7


ID_FIELDS = ["id", "workspace_id", "project_id", "task_id", "wid", "user_id", "workspaceId",
             "projectId", "taskId", "userId", "tagIds", "tag_ids"]
HOSTILE_IDS = st.one_of(st.text(max_size=12), st.sampled_from(
    ["../../workspaces/1", "1?x=1", "a/b", "1\r\nX-Evil: 1", "..", "%2e%2e", " 1", "1#"]))


@settings(max_examples=300, deadline=None)
@given(mapper_sample=st.sampled_from([(toggl.map_entry, TOGGL_ENTRY),
                                      (clockify.map_entry, CLOCKIFY_ENTRY)]),
       changes=st.dictionaries(st.sampled_from(ID_FIELDS),
                               HOSTILE_IDS | st.lists(HOSTILE_IDS, max_size=2), max_size=3))
def test_ids_that_could_reach_into_a_path_are_refused(mapper_sample, changes):
    """Ids go back into request paths (stop, update, delete): one with `/`, `..`, `?` or a
    line break would send the request somewhere else."""
    mapper, sample = mapper_sample
    entry = run_mapper(mapper, {**sample, **changes})
    if entry is not None:
        ids = [entry.id, entry.workspace_id, entry.project_id, entry.task_id, *entry.tag_ids]
        assert all(value is None or is_id(value) for value in ids), ids
