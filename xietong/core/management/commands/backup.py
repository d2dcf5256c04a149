from django.core.management.base import BaseCommand, CommandError

from xietong.core.backup import BackupError, do_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new directory, with a manifest to restore against."

    def add_arguments(self, parser):
        parser.add_argument("target", help="a new (or empty) directory")

    def handle(self, *args, target, **options):
        try:
            manifest = do_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows, tables, files = sum(manifest["rows"].values()), len(manifest["rows"]), len(manifest["media"])
        self.stdout.write(f"Backed up {rows} rows in {tables} tables and {files} files.")
