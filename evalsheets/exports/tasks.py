"""The export's background work: an ExportJob's ZIP or booklet is built by a worker."""

from django_tasks import task

from evalsheets.exports.jobs import run_job


@task()
def run_export_job(job_id: int) -> dict | None:
    """Build the ZIP or booklet of an ExportJob (``jobs.run_job``)."""
    return run_job(job_id)
