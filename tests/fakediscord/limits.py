"""Discord's limits on a message, enforced as Discord enforces them: a 400 "Invalid Form
Body" (code 50035) naming the field, so a bot that sends too much fails here as it would
in a real server instead of passing against a lenient stand-in.

https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

from typing import Any

CONTENT = 2000
EMBEDS = 10
TOTAL = 6000  # characters over *all* embeds of one message
TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, AUTHOR = 256, 4096, 25, 256, 1024, 2048, 256


def _embed_problems(embed: dict[str, Any], where: str) -> tuple[list[str], int]:
    problems: list[str] = []
    total = 0

    def check(value: Any, limit: int, name: str) -> None:
        nonlocal total
        if not value:
            return
        total += len(value)
        if len(value) > limit:
            problems.append(f"{where}.{name}: {len(value)} characters, at most {limit}")

    check(embed.get("title"), TITLE, "title")
    check(embed.get("description"), DESCRIPTION, "description")
    check((embed.get("footer") or {}).get("text"), FOOTER, "footer.text")
    check((embed.get("author") or {}).get("name"), AUTHOR, "author.name")
    fields = embed.get("fields") or []
    if len(fields) > FIELDS:
        problems.append(f"{where}.fields: {len(fields)} fields, at most {FIELDS}")
    for i, item in enumerate(fields):
        check(item.get("name"), FIELD_NAME, f"fields.{i}.name")
        check(item.get("value"), FIELD_VALUE, f"fields.{i}.value")
    return problems, total


def message_problems(body: Any) -> list[str]:
    """What Discord would refuse in a message body (create or edit); empty when it is fine."""
    if not isinstance(body, dict):
        return []
    problems: list[str] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        problems.append(f"content: {len(content)} characters, at most {CONTENT}")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.append(f"embeds: {len(embeds)} embeds, at most {EMBEDS}")
    total = 0
    for i, embed in enumerate(embeds):
        found, size = _embed_problems(embed, f"embeds.{i}")
        problems.extend(found)
        total += size
    if total > TOTAL:
        problems.append(f"embeds: {total} characters over all embeds, at most {TOTAL}")
    return problems


def modal_problems(data: Any) -> list[str]:
    """What Discord would refuse in a modal (an interaction response of type 9)."""
    if not isinstance(data, dict):
        return ["data: a modal needs data"]
    problems: list[str] = []
    if not 1 <= len(str(data.get("title", ""))) <= 45:
        problems.append(f"data.title: {len(str(data.get('title', '')))} characters, 1 to 45")
    if not 1 <= len(str(data.get("custom_id", ""))) <= 100:
        problems.append("data.custom_id: 1 to 100 characters")
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        problems.append(f"data.components: {len(rows)} rows, 1 to 5")
    for i, row in enumerate(rows):
        for field in row.get("components") or []:
            where = f"data.components.{i}"
            label, value = str(field.get("label", "")), field.get("value")
            max_length = int(field.get("max_length") or 4000)
            if not 1 <= len(label) <= 45:
                problems.append(f"{where}.label: {len(label)} characters, 1 to 45")
            if not 1 <= max_length <= 4000:
                problems.append(f"{where}.max_length: {max_length}, 1 to 4000")
            if isinstance(value, str) and len(value) > max_length:
                problems.append(f"{where}.value: {len(value)} characters, more than its max_length {max_length}")
            if len(str(field.get("placeholder") or "")) > 100:
                problems.append(f"{where}.placeholder: more than 100 characters")
    return problems


def invalid_form_body(problems: list[str]) -> dict[str, Any]:
    return {"message": "Invalid Form Body", "code": 50035, "errors": {"_problems": problems}}
