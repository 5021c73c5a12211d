from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import NewTokenForm
from .models import ApiToken


@require_http_methods(["GET", "POST"])
@permission_required("tokens.add_apitoken", raise_exception=True)
def token_list(request):
    form = NewTokenForm(request.POST or None)
    created = None
    if form.is_bound and form.is_valid():
        token, raw = ApiToken.issue(person=request.user, name=form.cleaned_data["name"],
                                    expires_at=form.expires_at(), created_by=request.user)
        # Shown in this answer, not after a redirect: the token is never stored anywhere,
        # the session included, so this is the one time it can be shown.
        created = {"token": token, "raw": raw}
        form = NewTokenForm()
    tokens = ApiToken.objects.visible_to(request.user).select_related("person", "revoked_by")
    return render(request, "tokens/token_list.html", {
        "form": form, "created": created, "tokens": tokens,
        "sees_everyone": request.user.has_perm("tokens.view_apitoken"),
    })


@require_POST
@permission_required("tokens.add_apitoken", raise_exception=True)
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    if token.person_id != request.user.pk and not request.user.has_perm("tokens.change_apitoken"):
        raise PermissionDenied("Only admins revoke other people's tokens.")
    token.revoke(revoked_by=request.user)
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("tokens:token-list")
