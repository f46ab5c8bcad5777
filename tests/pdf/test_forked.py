"""evalsheets.pdf.forked: layout work in a short-lived child process."""

import os

import pytest

from evalsheets.models import EvaluationSheet
from evalsheets.pdf import forked


def pid_and_args(*args):
    return os.getpid(), args


def three_ticks():
    for _ in range(3):
        forked.tick()
    return "done"


def broken():
    raise ValueError("壊れたシート")


def count_sheets():
    return EvaluationSheet.objects.count()


def test_runs_in_another_process_and_returns_the_result():
    pid, args = forked.run(pid_and_args, "冊子", [1, 2])
    assert pid != os.getpid()
    assert args == ("冊子", [1, 2])


def test_progress_sees_the_ticks_of_the_child():
    seen = []
    assert forked.run(three_ticks, progress=seen.append) == "done"
    assert seen and seen[-1] == 3


def test_an_exception_in_the_child_is_raised_here():
    with pytest.raises(ValueError, match="壊れたシート"):
        forked.run(broken)


@pytest.mark.django_db
def test_the_child_may_not_use_the_database():
    with pytest.raises(RuntimeError, match="must not use the database"):
        forked.run(count_sheets)
    assert EvaluationSheet.objects.count() == 0  # the parent's connection still works


def test_without_fork_it_runs_here_and_reports_each_tick(settings):
    settings.EXPORT_FORK = False
    pid, _args = forked.run(pid_and_args)
    assert pid == os.getpid()
    seen = []
    assert forked.run(three_ticks, progress=seen.append) == "done"
    assert seen == [1, 2, 3]
