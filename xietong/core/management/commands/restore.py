from django.core.management.base import BaseCommand, CommandError

from xietong.core.backup import BackupError, do_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and media folder, then check it against the backup's manifest."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a directory written by `manage.py backup`")

    def handle(self, *args, source, **options):
        try:
            problems = do_restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if problems:
            raise CommandError("The restore is incomplete:\n" + "\n".join(problems))
        self.stdout.write("Restored; every table and file of the backup is present.")
