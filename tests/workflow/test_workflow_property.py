"""Random sequences of (action, user, text) on one sheet never reach an illegal state.

A small reference model (the rules written out plainly, apart from the services)
predicts each step's outcome; the services must agree, and after every step the
sheet must satisfy the invariants the database and the design promise.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.choices import APPROVED_STATES, SheetState
from evalsheets.models import EvaluationSheet
from evalsheets.workflow import transitions as services
from evalsheets.workflow.audit import entries_for
from evalsheets.workflow.transitions import TEXT_MAX_LENGTH, WorkflowError
from municipalities.choices import Role

USERNAMES = [
    "staff_a",
    "staff_b",
    "chief_a",
    "chief_b",
    "planning",
    "planning_other",
    "viewer",
    "anonymous",
]
# "promote" / "demote" make staff_a 課長 of 課 A and back: the way a submitter could
# end up able to approve their own submission, which must still be refused.
ACTIONS = [*services.TRANSITIONS, "promote", "demote"]
TEXTS = st.one_of(
    st.just(""),
    st.just("  \n "),
    st.just("理由\x00"),
    st.text(max_size=40),
    st.text(alphabet="所見差戻し理由。 ", min_size=1, max_size=20),
    st.just("あ" * TEXT_MAX_LENGTH),
    st.just("あ" * (TEXT_MAX_LENGTH + 1)),
)
# Half the time the user whose role fits the action, so that sequences get far enough
# (approved, published, reopened) to be interesting; otherwise anybody.
LIKELY_USER = {
    "submit": "staff_a",
    "return": "chief_a",
    "approve": "chief_a",
    "confirm": "planning",
    "publish": "planning",
    "reopen": "planning",
    "promote": "staff_a",
    "demote": "staff_a",
}


def draw_step(data, state):
    """Half the time an action the state allows, otherwise any action; then a user, a text."""
    legal = [action for action, sources in FROM.items() if state in sources]
    action = data.draw(st.one_of(st.sampled_from(legal), st.sampled_from(ACTIONS)))
    username = data.draw(st.one_of(st.just(LIKELY_USER[action]), st.sampled_from(USERNAMES)))
    return action, username, data.draw(TEXTS)


# The rules, written out independently of the code under test.
FROM = {
    "submit": {SheetState.DRAFT},
    "return": {SheetState.SUBMITTED},
    "approve": {SheetState.SUBMITTED},
    "confirm": {SheetState.APPROVED},
    "publish": {SheetState.CONFIRMED},
    "reopen": {SheetState.APPROVED, SheetState.CONFIRMED, SheetState.PUBLISHED},
}
TO = {
    "submit": SheetState.SUBMITTED,
    "return": SheetState.DRAFT,
    "approve": SheetState.APPROVED,
    "confirm": SheetState.CONFIRMED,
    "publish": SheetState.PUBLISHED,
    "reopen": SheetState.DRAFT,
}
TEXT_REQUIRED = {"return", "approve", "reopen"}


def expected_outcome(action, username, text, state, staff_a_is_chief, submitter):
    """'ok', 'denied' (PermissionDenied) or 'refused' (WorkflowError)."""
    roles = {
        "staff_a": ("chief" if staff_a_is_chief else "staff", "a"),
        "chief_a": ("chief", "a"),
        "staff_b": ("staff", "b"),
        "chief_b": ("chief", "b"),
        "planning": ("planning", None),
    }
    role, section = roles.get(username, (None, None))
    if action == "submit":
        allowed = role == "staff" and section == "a"
    elif action in ("return", "approve"):
        allowed = role == "chief" and section == "a"
    else:
        allowed = role == "planning"
    if not allowed:
        return "denied"
    if state not in FROM[action]:
        return "refused"
    if action == "approve" and submitter == username:
        return "refused"
    stripped = text.strip()
    if (action in TEXT_REQUIRED and not stripped) or len(stripped) > TEXT_MAX_LENGTH:
        return "refused"
    if "\x00" in stripped:
        return "refused"
    return "ok"


def check_invariants(sheet):
    assert sheet.state in SheetState.values
    approved = sheet.state in APPROVED_STATES
    assert approved == (sheet.approved_at is not None) == (sheet.approved_by_id is not None)
    assert (sheet.state == SheetState.PUBLISHED) == (sheet.published_at is not None)


def test_random_workflow_sequences(world):
    pk = world["sheets"]["a"].pk
    user_ids = {name: user.pk for name, user in world["users"].items()}
    User = get_user_model()

    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data):
        # Each example starts from the same world and leaves nothing behind.
        with transaction.atomic():
            users = {
                name: User.objects.select_related("profile").get(pk=uid)
                for name, uid in user_ids.items()
            }
            users["anonymous"] = AnonymousUser()
            staff_a_is_chief, submitter = False, None
            for _step in range(data.draw(st.integers(0, 20), label="steps")):
                state = EvaluationSheet.objects.values_list("state", flat=True).get(pk=pk)
                action, username, text = draw_step(data, state)
                user = users[username]
                if action in ("promote", "demote"):
                    staff_a_is_chief = action == "promote"
                    profile = users["staff_a"].profile
                    profile.role = Role.CHIEF if staff_a_is_chief else Role.STAFF
                    profile.save()
                    continue
                before = EvaluationSheet.objects.get(pk=pk)
                audit_before = entries_for(before).count()
                expected = expected_outcome(
                    action, username, text, before.state, staff_a_is_chief, submitter
                )
                try:
                    services.perform(action, before, user, text)
                    outcome = "ok"
                except PermissionDenied:
                    outcome = "denied"
                except WorkflowError as exc:
                    assert exc.message  # a sentence to show, never empty
                    outcome = "refused"
                assert outcome == expected, (action, username, before.state)

                after = EvaluationSheet.objects.get(pk=pk)
                check_invariants(after)
                event(f"{action} {outcome}")
                entries = list(entries_for(after))
                if outcome == "ok":
                    assert after.version == before.version + 1
                    assert after.state == TO[action]
                    assert len(entries) == audit_before + 1
                    entry = entries[0]
                    assert (entry.action, entry.from_state, entry.to_state) == (
                        services.TRANSITIONS[action].audit_action,
                        before.state,
                        after.state,
                    )
                    assert entry.actor_id == user.pk
                    assert entry.comment == text.strip()
                    if action == "submit":
                        submitter = username
                    if action == "approve":
                        assert username != submitter  # never one's own submission
                        assert after.approved_by_id == user.pk
                        assert after.review.remarks == text.strip()
                else:
                    assert (after.state, after.version) == (before.state, before.version)
                    assert after.updated_at == before.updated_at
                    assert len(entries) == audit_before
            transaction.set_rollback(True)

    run()
