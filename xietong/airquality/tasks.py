from celery import shared_task


@shared_task(name="xietong.airquality.recompute_daily")
def recompute_daily(station_ids, first_day, last_day):
    """Recompute the daily values of these stations and days (ISO dates), their cities and the cluster."""
    from .derive import recompute

    return recompute(station_ids, first_day, last_day)
