"""The API's one error shape, for every router.

Endpoints and actions raise what Django code raises (PermissionDenied, Http404, ValidationError,
ConflictError); this module turns each into its status with the documented body, in the request's
language (docs/api.md):

- 401, 403, 404, 409, 413, 429: {"detail": "<message>"}
- 422: {"detail": [{"loc": ["body", "<field>"], "msg": "<message>", "type": "<kind>"}]}
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .errors import ConflictError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


# What every operation may answer besides its success; routers spread it into `response=`.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ValidationErrorOut}


def field_errors(error, where="body"):
    """A Django ValidationError as the API's 422 list, one entry per message."""
    if hasattr(error, "error_dict"):
        pairs = [(name, message) for name, messages in error.message_dict.items() for message in messages]
    else:
        pairs = [("__all__", message) for message in error.messages]
    return [
        {"loc": [where] if name == "__all__" else [where, name], "msg": message, "type": "value_error"}
        for name, message in pairs
    ]


def _pydantic_message(error):
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    bounded = {
        "string_too_long": lambda: _("This text is too long: at most %(n)s characters.") % {"n": ctx["max_length"]},
        "string_too_short": lambda: _("This text is too short: at least %(n)s characters.") % {"n": ctx["min_length"]},
        "greater_than_equal": lambda: _("This number must be at least %(n)s.") % {"n": ctx["ge"]},
        "less_than_equal": lambda: _("This number must be at most %(n)s.") % {"n": ctx["le"]},
    }
    if kind in bounded and ctx:
        try:
            return bounded[kind]()
        except KeyError:
            pass
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601 form."),
        "datetime_from_date_parsing": _("Enter a date and time in ISO 8601 form."),
        "string_too_long": _("This text is too long."),
        "string_too_short": _("This text is too short."),
        "string_pattern_mismatch": _("This text has characters that are not allowed here."),
        "greater_than_equal": _("This number is too small."),
        "greater_than": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "less_than": _("This number is too large."),
        "literal_error": _("Choose one of the allowed values."),
        "enum": _("Choose one of the allowed values."),
        "json_invalid": _("The body is not valid JSON."),
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "list_type": _("Send a list."),
        "string_type": _("Send text."),
    }
    return messages.get(kind) or str(error.get("msg", _("This value is not valid.")))


def _reshape(errors):
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error["msg"]) if error.get("type") == "value_error" else _pydantic_message(error),
            "type": str(error.get("type", "value_error")),
        }
        for error in errors
    ]


def install(api):
    """Register the handlers on the NinjaAPI."""

    def answer(request, status, detail):
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        return answer(request, 422, _reshape(exc.errors))

    @api.exception_handler(ValidationError)
    def invalid_for_action(request, exc):
        if isinstance(exc, ConflictError):
            return answer(request, 409, exc.messages[0])
        return answer(request, 422, field_errors(exc))

    @api.exception_handler(PermissionDenied)
    def refused(request, exc):
        if not request.user.is_authenticated and getattr(request, "auth", None) is None:
            return answer(request, 401, _("Log in or send an API token."))
        return answer(request, 403, str(exc.args[0]) if exc.args else _("You are not allowed to do this."))

    @api.exception_handler(Http404)
    def missing(request, exc):
        return answer(request, 404, _("Not found, or not visible to you."))

    @api.exception_handler(AuthenticationError)
    def anonymous(request, exc):
        return answer(request, 401, _("Log in or send an API token."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 422:
            return answer(request, 422, [{"loc": ["request"], "msg": str(exc), "type": "value_error"}])
        return answer(request, exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return answer(request, 413, _("The request body is too large."))

    def out_of_range(request, exc):
        # A number or date beyond what the database stores: the caller's input, not a fault of the server.
        logger.info("API input out of range: %s", type(exc).__name__)
        message = _("A number or date is out of the range that can be stored.")
        return answer(request, 422, [{"loc": ["request"], "msg": message, "type": "out_of_range"}])

    api.add_exception_handler(OverflowError, out_of_range)
    api.add_exception_handler(DataError, out_of_range)

    @api.exception_handler(UnicodeEncodeError)
    def unstorable_text(request, exc):
        return answer(
            request,
            422,
            [{"loc": ["body"], "msg": _("The text holds characters that cannot be stored."), "type": "unicode"}],
        )


class DocumentedAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists the errors each operation can answer, not only its success.

    The handlers above answer every operation's refusals in one shape, so which statuses an operation can give
    follows from how it is reached: any request can be malformed (422) or too large (413); an operation that
    needs a login can refuse an anonymous caller (401), one without the right (403) or an address that sent
    too many wrong tokens (429, django-axes); a path or query parameter can name nothing visible (404); a
    write can meet a conflict (409). Operations that already list an error keep their own description of it.
    """

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, FieldError, ValidationErrorOut):
            if model.__name__ not in components:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                named = bool(operation.get("parameters"))
                for status in possible_errors(method, authenticated=bool(operation.get("security")), named=named):
                    if status not in responses and str(status) not in responses:
                        model = ValidationErrorOut if status == 422 else ErrorOut
                        responses[status] = {
                            "description": ERROR_DESCRIPTIONS[status],
                            "content": {
                                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
                            },
                        }
        return schema


ERROR_DESCRIPTIONS = {
    401: "Not logged in and no API token sent",
    403: "Not allowed for this caller",
    404: "Not found, or not visible to this caller",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many wrong tokens from this address; wait before trying again",
}


def possible_errors(method, *, authenticated, named):
    statuses = [413, 422]
    if authenticated:
        statuses += [401, 403, 429]
    if named:
        statuses.append(404)
    if method.lower() in ("post", "put", "patch", "delete"):
        statuses.append(409)
    return sorted(statuses)
