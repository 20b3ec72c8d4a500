"""Article routes: one article with its events, and POST to code and store new ones."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from dotterel.api._auth import require_reader, require_writer
from dotterel.api._context import Context, context
from dotterel.api._errors import invalid
from dotterel.records import Article, to_dict

__all__ = ["router"]

router = APIRouter(tags=["articles"])
Ctx = Annotated[Context, Depends(context)]
ArticleId = Annotated[str, Path(max_length=200, description="The article's id (text hash).")]


class ArticleIn(BaseModel):
    """One article to code: its text and what anchors it (as in JSONL input)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The article text.")
    id: str | None = Field(None, max_length=1000, description="Your id for it, kept as `ref`.")
    ref: str | None = Field(None, max_length=1000, description="Your reference for it.")
    published: date | None = Field(None, description="Publication date; anchors relative dates.")
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=4000)
    outlet: str | None = Field(None, max_length=500)
    language: str = Field("en", max_length=16)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value

    def article(self) -> Article:
        return Article(
            text=self.text,
            ref=self.ref or self.id,
            url=self.url,
            title=self.title,
            published=self.published,
            outlet=self.outlet,
            language=self.language,
        )


class Outcome(BaseModel):
    """What became of one posted article."""

    id: str = Field(description="The article id (hash of its normalised text).")
    ref: str | None
    stored: bool = Field(description="False when it failed, or was stored before.")
    events: int = Field(description="Events coded from it.")
    error: str | None = Field(description="Why it was skipped, or null.")


class Report(BaseModel):
    """What a POST stored: counts, and one outcome per article in the order sent."""

    added: int
    present: int
    failed: int
    articles: list[Outcome]


_ONE = TypeAdapter(ArticleIn)
_MANY = TypeAdapter(list[ArticleIn])


def _body_schema() -> dict[str, Any]:
    one = ArticleIn.model_json_schema()
    many = {"type": "array", "items": one, "minItems": 1}
    return {"anyOf": [one, many], "description": "One article, or a list of them."}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_big = f"the body is larger than api_max_body={limit} bytes; send fewer articles per request"
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, too_big)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, too_big)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> tuple[list[ArticleIn], bool]:
    """The posted articles and whether one (not a list) was sent; 422 naming the field."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid(("body",), f"not JSON: {exc}") from None
    try:
        if isinstance(data, list):
            if not data:
                raise invalid(("body",), "an empty list; send one article or more")
            return _MANY.validate_python(data), False
        if isinstance(data, dict):
            return [_ONE.validate_python(data)], True
    except ValidationError as exc:
        errors = [
            {"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        raise RequestValidationError(errors) from None
    raise invalid(("body",), "must be an article object or a list of article objects")


def _code_and_store(ctx: Context, posted: list[ArticleIn]) -> list[Outcome]:
    pipeline = ctx.pipeline()
    outcomes: list[Outcome] = []
    for item in posted:
        article = item.article()
        with ctx.coding:
            result = pipeline.process(article)
        if result.error is not None:
            message = str(result.error)
            outcomes.append(
                Outcome(id=article.id, ref=article.ref, stored=False, events=0, error=message)
            )
            continue
        added = ctx.store.add(article, result.events)
        outcomes.append(
            Outcome(
                id=article.id, ref=article.ref, stored=added, events=len(result.events), error=None
            )
        )
    return outcomes


@router.post(
    "/articles",
    response_model=Report,
    dependencies=[Depends(require_writer)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _body_schema()}},
        }
    },
    responses={
        401: {"description": "No or wrong bearer token."},
        413: {"description": "Body larger than api_max_body."},
    },
)
async def post_articles(request: Request, ctx: Ctx) -> Report:
    """Code one article or a list of them with the pipeline and store the results.

    An article already stored is not stored again (``stored`` false, ``present`` counts
    it); one the pipeline cannot code is skipped with its ``error``. When every article
    fails, the answer is 422.
    """
    posted, single = _parse(await _read_body(request, ctx.settings.api_max_body))
    outcomes = await run_in_threadpool(_code_and_store, ctx, posted)
    failed = [(n, o) for n, o in enumerate(outcomes) if o.error is not None]
    if len(failed) == len(outcomes):
        n, first = failed[0]
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "text") if single else ("body", n, "text"),
                    "msg": first.error,
                    "type": "value_error",
                }
            ]
        )
    return Report(
        added=sum(o.stored for o in outcomes),
        present=sum(o.error is None and not o.stored for o in outcomes),
        failed=len(failed),
        articles=outcomes,
    )


@router.get(
    "/articles/{article_id}",
    dependencies=[Depends(require_reader)],
    responses={404: {"description": "No such article."}},
)
def get_article(ctx: Ctx, article_id: ArticleId) -> JSONResponse:
    """One article with its text and every event coded from it (each with its evidence
    span: ``evidence.start``/``evidence.end`` are offsets into ``text``)."""
    article = ctx.store.article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id!r} in this store")
    body = to_dict(article)
    body["events"] = ctx.queries.of_article(article_id)
    return JSONResponse(body)
