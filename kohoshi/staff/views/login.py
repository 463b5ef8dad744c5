from django.contrib.auth import views as auth_views

from kohoshi.accounts.login_throttle import known_device_cookie

from ..forms import StaffAuthenticationForm


class StaffLoginView(auth_views.LoginView):
    """The staff log-in; a successful one marks this browser as a known device of the account,
    so a stranger's failed guesses cannot lock the owner out here (accounts.login_throttle)."""

    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        response.set_cookie(**known_device_cookie(form.get_user().get_username()))
        return response
