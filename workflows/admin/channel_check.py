"""The admin's "send a test message": one real message through a channel, on behalf of an app registered for it,
sent at once by the delivery service the workflows' deliveries use (same senders, same egress policy, same
Delivery record), and the outcome (the provider's answer or its error) reported to staff.

The message is kept like any other (its metadata says it was a test and who sent it), so the channel's history
tells the truth."""

import contextlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from core.errors import StageError
from stage.models import App
from workflows.errors import TemporaryDeliveryError
from workflows.models import CommunicationChannel, Delivery, Message
from workflows.services.communication import registration_resolve
from workflows.services.delivery import delivery_perform


class TestMessageForm(forms.Form):
    app = forms.ModelChoiceField(queryset=App.objects.none(), help_text="Sent on behalf of this app.")
    to = forms.CharField(required=False, max_length=500, help_text="Email addresses, comma-separated.")
    subject = forms.CharField(required=False, max_length=500, initial="Test message from Stage")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        initial="This is a test message sent from the Stage admin.",
    )

    def __init__(self, *args, channel: CommunicationChannel, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["app"].queryset = App.objects.filter(
            comm_registrations__channel=channel, comm_registrations__active=True
        ).order_by("sid")
        self.fields["app"].empty_label = None
        if channel.kind == CommunicationChannel.Kind.EMAIL:
            self.fields["to"].required = True
        else:
            self.fields["to"].help_text = "Passed on as the message's recipient (optional for this kind of channel)."

    def clean_app(self):
        app = self.cleaned_data["app"]
        try:
            registration_resolve(app=app, channel_id=self.channel.public_id)
        except StageError as error:
            raise ValidationError(error.message) from None
        return app

    def clean_to(self):
        to = self.cleaned_data["to"].strip()
        if self.channel.kind == CommunicationChannel.Kind.EMAIL:
            for address in (part.strip() for part in to.split(",")):
                try:
                    validate_email(address)
                except ValidationError:
                    raise ValidationError(f"Not an email address: {address!r}") from None
        return to


def test_message_send(*, channel: CommunicationChannel, app: App, to: str, subject: str, text: str, sent_by: str):
    """Record the message and deliver it now (one attempt, final): the Delivery says how it went."""
    with transaction.atomic():
        metadata = {"test": True, "sentBy": sent_by}
        message = Message.objects.create(app=app, channel=channel, to=to, subject=subject, text=text, metadata=metadata)
        delivery = Delivery.objects.create(message=message)
    with contextlib.suppress(TemporaryDeliveryError):  # the final attempt: recorded as failed, reported below
        delivery_perform(delivery_id=delivery.pk, final_attempt=True)
    delivery.refresh_from_db()
    return delivery


def outcome(delivery: Delivery) -> tuple[bool, str]:
    """(delivered, what to tell staff)."""
    message, channel = delivery.message, delivery.message.channel
    where = f"test message {message.public_id} through {channel.name} ({channel.kind})"
    if delivery.status != Delivery.Status.DELIVERED:
        return False, f"The {where} failed: {delivery.last_error or delivery.status}"
    answer = delivery.provider_response or {}
    said = f"{answer['provider']} answered {answer['status']}" if "status" in answer else f"sent to {message.to}"
    return True, f"Delivered the {where}: {said}."


def test_message_view(model_admin, request, pk):
    """GET: the form (app, recipient, text). POST: send, say how it went, back to the channel's page."""
    channel = get_object_or_404(CommunicationChannel, pk=pk)
    if not model_admin.has_change_permission(request, channel):
        raise PermissionDenied
    initial = {"to": request.user.email} if channel.kind == CommunicationChannel.Kind.EMAIL else {}
    form = TestMessageForm(request.POST or None, channel=channel, initial=initial)
    if request.method == "POST" and form.is_valid():
        delivery = test_message_send(channel=channel, sent_by=request.user.get_username(), **form.cleaned_data)
        delivered, said = outcome(delivery)
        model_admin.message_user(request, said, messages.SUCCESS if delivered else messages.ERROR)
        return redirect("admin:workflows_communicationchannel_change", channel.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Send a test message through {channel.name}",
        "channel": channel,
        "form": form,
        "registered": form.fields["app"].queryset.exists(),
    }
    return TemplateResponse(request, "admin/workflows/communicationchannel/test_message.html", context)
