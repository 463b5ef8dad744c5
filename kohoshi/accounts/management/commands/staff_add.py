import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kohoshi.places.models import Municipality
from kohoshi.accounts.models import Role
from kohoshi.accounts.services import staff_member_add


class Command(BaseCommand):
    help = "Create a staff account (or reuse an existing one) and give it a role for a municipality."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--municipality", required=True, help="6-digit local government code, e.g. 012131")
        parser.add_argument("--role", choices=Role.values, default=Role.EDITOR)
        parser.add_argument("--password", help="for a new account; asked for when omitted")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, municipality, role, password, email, **options):
        town = Municipality.objects.filter(code=municipality).first()
        if town is None:
            raise CommandError(f"no municipality with code {municipality}")
        exists = get_user_model().objects.filter(username=username).exists()
        if not exists and password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        if password is not None:
            try:
                validate_password(password, get_user_model()(username=username, email=email))
            except ValidationError as e:
                raise CommandError(" ".join(e.messages)) from e
        membership, created = staff_member_add(
            username=username, municipality=town, role=Role(role), password=password, email=email
        )
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb}: {membership.user.username} is {membership.role} of {town.code} {town.full_name}")
