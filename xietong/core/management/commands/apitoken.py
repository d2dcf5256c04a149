"""Issue, list and revoke API tokens from the command line (the admin does the same)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xietong.core.actions import do_create_api_token
from xietong.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue a token for a user (the key is printed once), list tokens, or revoke one by its prefix."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("username")
        issue.add_argument("name", help="What the token is for, e.g. 太原市报送脚本")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="The first characters of the key, as listed")

    def handle(self, *args, command, **options):
        if command == "issue":
            try:
                user = get_user_model().objects.get(username=options["username"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {options['username']!r}.") from None
            token, key = do_create_api_token(user=user, name=options["name"])
            self.stdout.write(key)
        elif command == "list":
            for token in ApiToken.objects.select_related("user").order_by("created_at"):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}  {token.user.username}  {token.name}  {state}")
        else:
            count = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if count == 0:
                raise CommandError(f"No active token starts with {options['prefix']!r}.")
            self.stdout.write(f"Revoked {count} token(s).")
