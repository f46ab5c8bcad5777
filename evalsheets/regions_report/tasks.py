"""The 懇談会 report's background work: a ReportJob's PDF or .xlsx is built by a worker."""

from django_tasks import task

from evalsheets.regions_report.jobs import run_job


@task()
def run_report_job(job_id: int) -> dict | None:
    """Build the PDF or .xlsx of a ReportJob (``jobs.run_job``)."""
    return run_job(job_id)
