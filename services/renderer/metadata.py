"""What pages tell machines (pure): Open Graph, canonical URLs, schema.org JSON-LD.

JSON-LD goes inside <script type="application/ld+json">, where the HTML parser
only looks for "</script"; `json_for_html` escapes "<", ">" and "&" as JSON
unicode escapes, so no text an editor writes can close the element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from services.renderer.text import clip, iso_datetime, iso_duration

#: schema.org LegalForceStatus for each validity of contracts.content.ValidityStatus.
LEGAL_FORCE = {
    "in_force": "https://schema.org/InForce",
    "partly_in_force": "https://schema.org/PartiallyInForce",
    "not_yet_in_force": "https://schema.org/NotInForce",
    "expired": "https://schema.org/NotInForce",
}
#: Kinds of static page that have a more precise schema.org type than WebPage.
PAGE_TYPES = {"introduction": "AboutPage", "contacts": "ContactPage"}
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}

_HTML_UNSAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_for_html(data: Any) -> str:
    """JSON that is safe as the text of a <script> element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_HTML_UNSAFE)


def absolute(base: str, url: str) -> str:
    """`url` on the site at `base` (https://<domain>); absolute URLs stay as they are."""
    if url.startswith(("https://", "http://")):
        return url
    return base + quote(url if url.startswith("/") else "/" + url, safe="/-._~%!$&'()*+,;=:@?")


def og_tags(
    *,
    title: str,
    description: str,
    url: str,
    og_type: str = "website",
    image: str | None = None,
    image_alt: str | None = None,
    language: str = "vi",
    site_name: str = "",
) -> list[tuple[str, str]]:
    tags = [
        ("og:title", title),
        ("og:description", description),
        ("og:type", og_type),
        ("og:url", url),
        ("og:locale", OG_LOCALES.get(language, "vi_VN")),
    ]
    if site_name:
        tags.append(("og:site_name", site_name))
    if image:
        tags.append(("og:image", image))
        if image_alt:
            tags.append(("og:image:alt", image_alt))
    return tags


def first_image(kind: str, images: Sequence[Mapping[str, Any]], details: Any) -> Any:
    """The picture that stands for an article: its lead image, else its kind's own."""
    if images:
        return images[0]
    if not isinstance(details, Mapping):
        return None
    if kind == "gallery" and details.get("photos"):
        return details["photos"][0]
    if kind == "infographic":
        return details.get("image")
    if kind == "video":
        return details.get("poster")
    return None


def _organization(name: str, url: str) -> dict[str, Any]:
    return {"@type": "GovernmentOrganization", "name": name, "url": url}


def government_organization(
    *, name: str, url: str, profile: Mapping[str, Any], name_en: str = ""
) -> dict[str, Any]:
    """The site's agency, for its home page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": name,
        "url": url,
    }
    if name_en:
        data["alternateName"] = name_en
    if profile.get("address"):
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": profile["address"],
            "addressCountry": "VN",
        }
    if profile.get("phone"):
        data["telephone"] = profile["phone"]
    if profile.get("email"):
        data["email"] = profile["email"]
    if profile.get("governing_body"):
        data["parentOrganization"] = {
            "@type": "GovernmentOrganization",
            "name": profile["governing_body"],
        }
    return data


def web_site(*, name: str, url: str, language: str = "vi") -> dict[str, Any]:
    """The site, with its search, for search engines' site search box."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": name,
        "url": url,
        "inLanguage": language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": url + "tim-kiem?q={q}"},
            "query-input": "required name=q",
        },
    }


@dataclass(frozen=True)
class Origin:
    """Where a copy of another site's article comes from: its site's name, the original."""

    name: str
    url: str

    @property
    def site_url(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/"


def article_data(
    page: Any,
    *,
    url: str,
    base: str,
    site_name: str,
    category_name: str = "",
    origin: Origin | None = None,
) -> dict[str, Any]:
    """NewsArticle, Legislation (documents), or a WebPage (static pages).

    For a copy (`origin`), `url` is the original's and the publisher is the original's
    site: the data describe the article, which is the original's, not this page."""
    details = page.details if isinstance(page.details, Mapping) else {}
    publisher = _organization(site_name, base + "/")
    if origin is not None:
        publisher = _organization(origin.name or site_name, origin.site_url)
    if page.kind == "document" and details:
        return _legislation(page, details, url=url, publisher=publisher)
    if page.kind == "page":
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": PAGE_TYPES.get(details.get("page_kind", ""), "WebPage"),
            "name": page.title,
            "url": url,
            "inLanguage": page.language,
            "publisher": publisher,
        }
        if page.updated_at:
            data["dateModified"] = iso_datetime(page.updated_at)
        if page.summary:
            data["description"] = page.summary
        return data
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        # Search engines show at most 110 characters of a headline.
        "headline": clip(page.title, 110),
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": page.language,
        "publisher": publisher,
        "author": {"@type": "Person", "name": page.author} if page.author else publisher,
    }
    if page.published_at:
        data["datePublished"] = iso_datetime(page.published_at)
    if page.updated_at:
        data["dateModified"] = iso_datetime(page.updated_at)
    if page.summary:
        data["description"] = page.summary
    if category_name:
        data["articleSection"] = category_name
    image = first_image(page.kind, page.images or [], details)
    if image and image.get("url"):
        data["image"] = [absolute(base, image["url"])]
    if page.kind == "video" and details.get("source_url"):
        data["video"] = _media_object("VideoObject", page, details, base)
    elif page.kind == "audio" and details.get("source_url"):
        data["audio"] = _media_object("AudioObject", page, details, base)
    return data


def _media_object(
    schema_type: str, page: Any, details: Mapping[str, Any], base: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": schema_type,
        "name": page.title,
        "contentUrl": str(details["source_url"]),
    }
    if page.summary:
        data["description"] = page.summary
    if page.published_at:
        data["uploadDate"] = iso_datetime(page.published_at)
    if duration := iso_duration(details.get("duration_seconds")):
        data["duration"] = duration
    if details.get("transcript"):
        data["transcript"] = details["transcript"]
    poster = details.get("poster")
    if poster and poster.get("url"):
        data["thumbnailUrl"] = absolute(base, poster["url"])
    return data


def _legislation(
    page: Any, details: Mapping[str, Any], *, url: str, publisher: dict[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": page.title,
        "url": url,
        "inLanguage": page.language,
        "legislationIdentifier": details.get("number", ""),
        "legislationType": details.get("doc_type", ""),
        "legislationPassedBy": {
            "@type": "GovernmentOrganization",
            "name": details.get("issuer", ""),
        },
        "publisher": publisher,
    }
    if details.get("issued_on"):
        data["legislationDate"] = str(details["issued_on"])
    if details.get("validity") in LEGAL_FORCE:
        data["legislationLegalForce"] = LEGAL_FORCE[details["validity"]]
    if details.get("signer"):
        data["legislationResponsible"] = {"@type": "Person", "name": details["signer"]}
    if details.get("field"):
        data["about"] = details["field"]
    if page.summary:
        data["description"] = page.summary
    if page.published_at:
        data["datePublished"] = iso_datetime(page.published_at)
    return data
