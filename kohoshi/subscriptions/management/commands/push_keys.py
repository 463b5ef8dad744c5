from django.core.management.base import BaseCommand

from kohoshi.subscriptions.vapid import application_server_key, key_path, keys_generate, vapid


class Command(BaseCommand):
    help = "Make the VAPID key pair for Web Push in the data directory (once) and print its public key."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace an existing key (browsers must subscribe again)")

    def handle(self, *args, force=False, **options):
        existed = key_path().exists()
        path = keys_generate(force=force)
        key = vapid()
        state = "replaced" if existed and force else ("kept" if existed else "written")
        self.stdout.write(f"{path} ({state})\napplicationServerKey: {application_server_key(key)}")
