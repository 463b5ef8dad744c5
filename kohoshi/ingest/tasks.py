from django_tasks import task

from .runs import ingest_run_process


@task()
def process_ingest_run(run_id: int) -> str:
    """Extract an uploaded newsletter PDF into a draft issue; returns the run's new status."""
    return ingest_run_process(run_id).status
