"""Subscription pages (Japanese, no account), the push registration endpoint and the LINE webhook."""
import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohoshi.accounts import ratelimit
from kohoshi.newsletters.models import Category
from kohoshi.places.models import Municipality

from . import services
from .forms import ManageForm, SubscribeForm, municipalities_parse, municipalities_text
from .models import LineChannel, Subscription
from .tokens import subscription_for_token, token_for
from .vapid import application_server_key, vapid

logger = logging.getLogger(__name__)

SUBSCRIBE_LIMIT = (10, 3600)  # requests per client address
ADDRESS_LIMIT = (3, 86400)  # confirmation mails per address: the form is no way to flood a mailbox
PUSH_LIMIT = (30, 3600)


def _limited(scope: str, value: str, limit: tuple[int, int]) -> bool:
    count, window = getattr(settings, f"KOHOSHI_{scope.upper().replace('-', '_')}_RATE_LIMIT", limit)
    return ratelimit.hits_add(scope, value, window=window) > count


def _too_many(request):
    return render(request, "subscriptions/limited.html", status=429)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method == "POST":
        if _limited("subscribe", ratelimit.client_id(request), SUBSCRIBE_LIMIT):
            return _too_many(request)
        form = SubscribeForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if not _limited("subscribe-address", email, ADDRESS_LIMIT):
                try:
                    services.subscription_request(
                        email=email,
                        municipalities=form.cleaned_data["municipalities"],
                        categories=form.cleaned_data["categories"],
                        keywords=form.cleaned_data["keywords"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
            if not form.errors:
                # Same answer for a new, pending, subscribed or over-limit address.
                return redirect("subscriptions:sent")
    else:
        initial = {}
        if codes := request.GET.getlist("m"):
            towns = sorted(Municipality.objects.filter(code__in=codes[:20]).select_related("prefecture"),
                           key=lambda m: codes.index(m.code))
            initial["municipalities"] = municipalities_text(towns)
        if category := request.GET.get("category"):
            initial["categories"] = Category.objects.filter(slug=category)
        form = SubscribeForm(initial=initial)
    return render(request, "subscriptions/subscribe.html", {"form": form})


@require_GET
def sent(request):
    return render(request, "subscriptions/sent.html")


def _subscription_or_404(token: str, purpose: str) -> Subscription:
    subscription = subscription_for_token(token, purpose)
    if subscription is None:
        raise Http404("link expired or unknown")
    return subscription


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button; the POST confirms (mail scanners that open links confirm nothing)."""
    subscription = subscription_for_token(token, "confirm")
    if subscription is None:
        return render(request, "subscriptions/link_invalid.html", status=404)
    if request.method == "POST":
        subscription = services.subscription_confirm(subscription)
        return redirect(reverse("subscriptions:manage", args=[token_for(subscription, "manage")]) + "?confirmed=1")
    return render(request, "subscriptions/confirm.html", {"subscription": subscription, "token": token})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    subscription = subscription_for_token(token, "manage")
    if subscription is None:
        return render(request, "subscriptions/link_invalid.html", status=404)
    saved = False
    if request.method == "POST":
        form = ManageForm(request.POST)
        if form.is_valid():
            try:
                subscription = services.subscription_update(
                    subscription,
                    municipalities=form.cleaned_data["municipalities"],
                    categories=form.cleaned_data["categories"],
                    keywords=form.cleaned_data["keywords"],
                    preferred_channel=form.cleaned_data["preferred_channel"],
                )
                saved = True
            except ValidationError as exc:
                form.add_error(None, exc)
    else:
        form = ManageForm(initial={
            "municipalities": municipalities_text(subscription.municipalities.select_related("prefecture")),
            "categories": subscription.categories.all(),
            "keywords": subscription.keywords,
            "preferred_channel": subscription.preferred_channel,
        })
    return render(request, "subscriptions/manage.html", {
        "form": form,
        "subscription": subscription,
        "token": token,
        "saved": saved,
        "confirmed": request.GET.get("confirmed") == "1",
        "push_devices": subscription.push_endpoints.count(),
        "unsubscribe_url": reverse("subscriptions:unsubscribe", args=[token_for(subscription, "unsubscribe")]),
    })


@csrf_exempt  # RFC 8058: mail providers POST here without a form; the signed token is the authority
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    subscription = subscription_for_token(token, "unsubscribe")
    if request.method == "POST":
        if subscription is not None:
            services.subscription_delete(subscription)
        # Already gone is as good as done (a second click, or the mail provider then the reader).
        return render(request, "subscriptions/unsubscribed.html")
    if subscription is None:
        return render(request, "subscriptions/link_invalid.html", status=404)
    return render(request, "subscriptions/unsubscribe.html", {"subscription": subscription})


# ---- Web Push ----------------------------------------------------------------------------------


@require_GET
def push_key(request):
    key = vapid()
    if key is None:
        return JsonResponse({"error": "push is not configured"}, status=404)
    return JsonResponse({"applicationServerKey": application_server_key(key)})


def _json_error(field: str, message: str, status: int = 400):
    return JsonResponse({"errors": {field: message}}, status=status)


@require_POST
def push_register(request):
    """Body: {"subscription": PushSubscription.toJSON(), "token": manage token (optional),
    "municipalities": ["142123", ...], "categories": ["kosodate"], "keywords": "", "prefer": "push"}.
    CSRF-protected like any form post (the X-CSRFToken header)."""
    if _limited("push", ratelimit.client_id(request), PUSH_LIMIT):
        return _json_error("request", "too many requests", 429)
    if vapid() is None:
        return _json_error("request", "push is not configured", 503)
    try:
        body = json.loads(request.body)
        info = body["subscription"]
        endpoint, keys = info["endpoint"], info["keys"]
        p256dh, auth = keys["p256dh"], keys["auth"]
    except (ValueError, KeyError, TypeError):
        return _json_error("subscription", "a PushSubscription with endpoint and keys.p256dh, keys.auth is required")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")) or len(endpoint) > 1000:
        return _json_error("subscription.endpoint", "must be an http(s) URL of at most 1000 characters")
    if not (isinstance(p256dh, str) and 80 <= len(p256dh) <= 100 and isinstance(auth, str) and 16 <= len(auth) <= 32):
        return _json_error("subscription.keys", "p256dh (65 bytes) and auth (16 bytes), base64url")
    subscription = None
    if token := body.get("token"):
        subscription = subscription_for_token(str(token), "manage")
        if subscription is None:
            return _json_error("token", "unknown or expired link", 404)
    conditions = {}
    if subscription is None:
        try:
            codes = [str(c) for c in body.get("municipalities") or []]
            municipalities = municipalities_parse("、".join(codes))
            categories = list(Category.objects.filter(slug__in=[str(s) for s in body.get("categories") or []]))
        except ValidationError as exc:
            return _json_error("municipalities", " ".join(exc.messages))
        conditions = {"municipalities": municipalities, "categories": categories, "keywords": str(body.get("keywords") or "")}
    try:
        push = services.push_endpoint_register(
            endpoint=endpoint, p256dh=p256dh, auth=auth, subscription=subscription,
            prefer_push=body.get("prefer") == "push", **conditions,
        )
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    manage_url = reverse("subscriptions:manage", args=[token_for(push.subscription, "manage")])
    return JsonResponse({"ok": True, "manage_url": manage_url}, status=201)


@require_POST
def push_unregister(request):
    try:
        endpoint = json.loads(request.body)["endpoint"]
    except (ValueError, KeyError, TypeError):
        return _json_error("endpoint", "required")
    services.push_endpoint_delete(endpoint=str(endpoint))
    return JsonResponse({"ok": True})


# ---- LINE --------------------------------------------------------------------------------------


def line_signature_valid(secret: str, body: bytes, signature: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature or "")


@csrf_exempt
@require_POST
def line_webhook(request, code):
    """follow / unfollow / postback ("category=<slug>") from a municipality's LINE channel.
    Refused with 403 unless X-Line-Signature is the HMAC-SHA256 of the body with its secret."""
    channel = get_object_or_404(LineChannel, municipality_id=code)
    if not line_signature_valid(channel.channel_secret, request.body, request.headers.get("X-Line-Signature", "")):
        return HttpResponse("bad signature", status=403, content_type="text/plain")
    try:
        events = json.loads(request.body).get("events", [])
    except (ValueError, AttributeError):
        return HttpResponse("bad body", status=400, content_type="text/plain")
    for event in events if isinstance(events, list) else []:
        source = event.get("source") or {}
        user_id = source.get("userId")
        if source.get("type") != "user" or not user_id:
            continue
        kind = event.get("type")
        if kind == "follow":
            services.line_follower_follow(channel=channel, user_id=user_id)
        elif kind == "unfollow":
            services.line_follower_unfollow(channel=channel, user_id=user_id)
        elif kind == "postback":
            data = str((event.get("postback") or {}).get("data", ""))
            if data.startswith("category="):
                try:
                    services.line_follower_categories_toggle(channel=channel, user_id=user_id, slug=data[9:])
                except ValidationError:
                    logger.info("LINE postback with unknown category %r", data)
    return HttpResponse("OK", content_type="text/plain")
