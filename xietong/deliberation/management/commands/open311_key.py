from django.core.management.base import BaseCommand, CommandError

from xietong.deliberation.models import Open311Key
from xietong.deliberation.open311 import create_key, revoke_key


class Command(BaseCommand):
    help = "Create, list or revoke Open311 API keys: open311_key create NAME | list | revoke NAME-OR-PREFIX"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("name", nargs="?")

    def handle(self, *args, action, name, **options):
        if action == "list":
            for key in Open311Key.objects.order_by("created_at"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                self.stdout.write(f"{key.prefix}…  {key.name}  {state}")
            return
        if not name:
            raise CommandError("Give the client's name (create) or the key's name or prefix (revoke).")
        if action == "create":
            _key, secret = create_key(name)
            self.stdout.write(secret)
            return
        if not revoke_key(name):
            raise CommandError(f"No active key is called or starts with {name!r}.")
        self.stdout.write(f"Revoked {name}.")
