"""The form for sending a sharing package's secure link to a recipient."""

from __future__ import annotations

from django import forms


class PackageLinkForm(forms.Form):
    recipient_name = forms.CharField(label="Who the link is for", max_length=200)
    recipient_email = forms.EmailField(
        label="Their secure email address",
        help_text="The link is emailed here. It downloads the package once.",
    )
