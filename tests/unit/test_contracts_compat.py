"""contracts.compat: which schema changes break an event's consumers, and which do not."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from contracts.compat import breaking_changes


def changes(old: type[BaseModel], new: type[BaseModel]) -> list[str]:
    return breaking_changes(old.model_json_schema(), new.model_json_schema())


# --- breaking ----------------------------------------------------------------


def test_removed_field_is_named_in_a_sentence() -> None:
    class Old(BaseModel):
        model_config = ConfigDict(title="ArticlePublished")
        title: str
        summary: str

    class New(BaseModel):
        model_config = ConfigDict(title="ArticlePublished")
        summary: str

    assert changes(Old, New) == ["ArticlePublished: field 'title' was removed"]


def test_removed_optional_field_is_breaking() -> None:
    class Old(BaseModel):
        note: str = ""

    class New(BaseModel):
        pass

    assert changes(Old, New) == ["New: field 'note' was removed"]


def test_retyped_field_is_breaking() -> None:
    class Old(BaseModel):
        sequence: str

    class New(BaseModel):
        sequence: int

    assert changes(Old, New) == ["New: field 'sequence' type changed from string to integer"]


def test_number_narrowed_to_integer_is_breaking() -> None:
    class Old(BaseModel):
        score: float

    class New(BaseModel):
        score: int

    assert changes(Old, New) == ["New: field 'score' type changed from number to integer"]


def test_nullable_field_made_non_nullable_is_breaking() -> None:
    class Old(BaseModel):
        parent: str | None

    class New(BaseModel):
        parent: str

    (problem,) = changes(Old, New)
    assert "field 'parent' type narrowed from string|null to string" in problem


def test_enum_losing_a_value_is_breaking() -> None:
    class Old(BaseModel):
        kind: Literal["city", "ward", "commune"]

    class New(BaseModel):
        kind: Literal["city", "ward"]

    assert changes(Old, New) == ["New: field 'kind' no longer allows 'commune'"]


def test_free_string_restricted_to_an_enum_is_breaking() -> None:
    class Old(BaseModel):
        kind: str

    class New(BaseModel):
        kind: Literal["city", "ward"]

    assert changes(Old, New) == ["New: field 'kind' is now restricted to 'city', 'ward'"]


def test_new_required_field_is_breaking() -> None:
    class Old(BaseModel):
        title: str

    class New(BaseModel):
        title: str
        slug: str

    assert changes(Old, New) == ["New: new required field 'slug' was added"]


def test_optional_field_made_required_is_breaking() -> None:
    class Old(BaseModel):
        note: str = ""

    class New(BaseModel):
        note: str

    assert changes(Old, New) == ["New: field 'note' was optional and is now required"]


def test_additional_properties_tightened_is_breaking() -> None:
    class Old(BaseModel):
        model_config = ConfigDict(extra="allow")
        title: str

    class New(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str

    (problem,) = changes(Old, New)
    assert "additionalProperties tightened" in problem


def test_ignoring_extra_fields_then_forbidding_them_is_breaking() -> None:
    class Old(BaseModel):
        title: str

    class New(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str

    assert len(changes(Old, New)) == 1


def test_constraint_tightened_is_breaking() -> None:
    class Old(BaseModel):
        name: str = Field(min_length=1)
        sequence: int = Field(ge=1)

    class New(BaseModel):
        name: str = Field(min_length=3)
        sequence: int = Field(ge=1, le=100)

    assert changes(Old, New) == [
        "New: field 'name' constraint minLength tightened from 1 to 3",
        "New: field 'sequence' constraint maximum tightened from none to 100",
    ]


def test_change_inside_a_nested_model_names_the_path() -> None:
    class AuthorV1(BaseModel):
        name: str
        email: str

    class AuthorV2(BaseModel):
        name: int

    class Old(BaseModel):
        author: AuthorV1

    class New(BaseModel):
        author: AuthorV2

    assert changes(Old, New) == [
        "New: field 'author.name' type changed from string to integer",
        "New: field 'author.email' was removed",
    ]


def test_change_inside_an_optional_nested_model_is_found() -> None:
    class PlaceV1(BaseModel):
        ward: str

    class PlaceV2(BaseModel):
        ward: str
        district: str

    class Old(BaseModel):
        place: PlaceV1 | None = None

    class New(BaseModel):
        place: PlaceV2 | None = None

    assert changes(Old, New) == ["New: new required field 'place.district' was added"]


def test_array_item_type_change_is_breaking() -> None:
    class Old(BaseModel):
        languages: list[str]

    class New(BaseModel):
        languages: list[int]

    assert changes(Old, New) == ["New: field 'languages[]' type changed from string to integer"]


def test_array_replaced_by_scalar_is_breaking() -> None:
    class Old(BaseModel):
        languages: list[str]

    class New(BaseModel):
        languages: str

    assert changes(Old, New) == ["New: field 'languages' type changed from array to string"]


def test_dict_value_type_change_is_breaking() -> None:
    class Old(BaseModel):
        labels: dict[str, str]

    class New(BaseModel):
        labels: dict[str, int]

    assert changes(Old, New) == ["New: field 'labels.*' type changed from string to integer"]


def test_event_identity_annotations_are_compared() -> None:
    old = {"title": "E", "type": "object", "x-ce-type": "a.v1", "x-key-field": "id"}
    new = {**old, "x-key-field": "slug"}
    assert breaking_changes(old, new) == ["E: the event's x-key-field changed from 'id' to 'slug'"]


def test_recursive_models_terminate() -> None:
    class Old(BaseModel):
        model_config = ConfigDict(title="Node")
        name: str
        children: list[Old] = []
        parent: Optional[Old] = None  # noqa: UP045 - the Optional spelling is what is tested

    class New(BaseModel):
        model_config = ConfigDict(title="Node")
        name: int
        children: list[New] = []
        parent: New | None = None

    Old.model_rebuild()
    New.model_rebuild()
    assert changes(Old, Old) == []
    assert changes(Old, New) == ["Node: field 'name' type changed from string to integer"]


# --- not breaking ------------------------------------------------------------


def test_identical_schemas_are_compatible() -> None:
    class Model(BaseModel):
        title: str
        kind: Literal["a", "b"]
        tags: list[str] = []
        parent: str | None = None

    assert changes(Model, Model) == []


def test_new_optional_field_is_compatible() -> None:
    class Old(BaseModel):
        title: str

    class New(BaseModel):
        title: str
        subtitle: str | None = None
        lang: str = "vi"

    assert changes(Old, New) == []


def test_title_and_description_changes_are_compatible() -> None:
    class Old(BaseModel):
        """Old words."""

        title: str = Field(description="The title.")

    class New(BaseModel):
        """New words."""

        model_config = ConfigDict(title="Renamed")
        title: str = Field(description="The headline.", title="Headline")

    assert changes(Old, New) == []


def test_type_widened_to_nullable_is_compatible() -> None:
    class Old(BaseModel):
        parent: str

    class New(BaseModel):
        parent: str | None

    assert changes(Old, New) == []


def test_integer_widened_to_number_is_compatible() -> None:
    class Old(BaseModel):
        score: int

    class New(BaseModel):
        score: float

    assert changes(Old, New) == []


def test_enum_gaining_a_value_is_compatible() -> None:
    class Old(BaseModel):
        kind: Literal["city", "ward"]

    class New(BaseModel):
        kind: Literal["city", "ward", "special"]

    assert changes(Old, New) == []


def test_required_field_made_optional_is_compatible() -> None:
    class Old(BaseModel):
        note: str

    class New(BaseModel):
        note: str = ""

    assert changes(Old, New) == []


def test_loosened_constraints_and_additional_properties_are_compatible() -> None:
    class Old(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = Field(min_length=3, max_length=10)

    class New(BaseModel):
        model_config = ConfigDict(extra="ignore")
        name: str = Field(min_length=1)

    assert changes(Old, New) == []


def test_new_optional_field_in_a_nested_model_is_compatible() -> None:
    class AuthorV1(BaseModel):
        name: str

    class AuthorV2(BaseModel):
        name: str
        email: str | None = None

    class Old(BaseModel):
        authors: list[AuthorV1]

    class New(BaseModel):
        authors: list[AuthorV2]

    assert changes(Old, New) == []
