"""People on a matter: comments with @mentions, leaders' instructions (领导批示) and following (关注).

The matter page shows them (`detail_context`); the writes below go through the actions, and input an
action refuses comes back on the matter page with its message.
"""

import re

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.forms import submit

from . import actions
from .access import can_record_instruction
from .forms import CommentForm, InstructionForm
from .models import Comment, CommentKind


def segments(comment):
    """The comment's text cut into plain parts and mentions, for the template to escape and mark up."""
    # The names `actions.mention_candidates` accepts, so that every stored mention is marked up.
    names = [name for u in comment.mentioned_units.all() for name in (u.name, u.short_name, u.name_en)]
    for person in comment.mentioned_users.all():
        names += [person.get_username(), f"{person.last_name}{person.first_name}", person.get_full_name()]
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return [{"text": comment.text, "mention": False}]
    pattern = re.compile("([@＠](?:" + "|".join(re.escape(n) for n in names) + "))", re.IGNORECASE)
    return [{"text": part, "mention": i % 2 == 1} for i, part in enumerate(pattern.split(comment.text)) if part]


def detail_context(request, matter, forms):
    user = request.user
    comments = list(
        Comment.objects.filter(matter=matter)
        .select_related("author")
        .prefetch_related("mentioned_units", "mentioned_users")
    )
    for comment in comments:
        comment.segments = segments(comment)
        comment.author_name = actions.person_name(comment.author) if comment.author else ""
    return {
        "instructions": [c for c in comments if c.kind == CommentKind.INSTRUCTION][::-1],
        "comments": [c for c in comments if c.kind == CommentKind.COMMENT],
        "comment_form": forms.get("comment_form") or CommentForm(auto_id="id_comment_%s"),
        "instruction_form": forms.get("instruction_form") or InstructionForm(auto_id="id_instruction_%s"),
        "may_instruct": can_record_instruction(user, matter),
        "following": actions.is_following(user, matter),
    }


def _matter(request, pk):
    from .views import _get_matter

    return _get_matter(request, pk)


def _again(request, matter, **forms):
    from .views import _render_detail

    return _render_detail(request, matter, status=400, **forms)


def _done(request, matter, message, anchor):
    from .views import _done

    return _done(request, matter, message, anchor)


@login_required
@require_POST
def comment_add(request, pk):
    matter = _matter(request, pk)
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    done, comment = submit(form, lambda data: actions.do_comment(actor=request.user, matter=matter, text=data["text"]))
    if done:
        return _done(request, matter, _("Your comment was posted."), f"#comment-{comment.pk}")
    return _again(request, matter, comment_form=form)


@login_required
@require_POST
def instruction_add(request, pk):
    matter = _matter(request, pk)
    form = InstructionForm(request.POST, auto_id="id_instruction_%s")
    done, _result = submit(form, lambda data: actions.do_record_instruction(actor=request.user, matter=matter, **data))
    if done:
        return _done(request, matter, _("The leader's instruction was recorded."), "#instructions")
    return _again(request, matter, instruction_form=form)


@login_required
@require_POST
def follow(request, pk):
    matter = _matter(request, pk)
    actions.do_follow(actor=request.user, matter=matter)
    return _done(request, matter, _("You follow this matter and will be told of its changes."), "")


@login_required
@require_POST
def unfollow(request, pk):
    matter = _matter(request, pk)
    actions.do_unfollow(actor=request.user, matter=matter)
    return _done(request, matter, _("You no longer follow this matter."), "")
