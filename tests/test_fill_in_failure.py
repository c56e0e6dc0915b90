"""When "Fill in" cannot look an identifier up, the member's paste is not lost: it goes into its
own field of the proposal form (DOI, web address, PMID or ISBN), unless they filled that in."""

from sources.models import Source

MISSING_DOI = "10.1126/foo"


def test_a_doi_that_is_not_found_goes_into_the_doi_field(outside, login, member, theme):
    outside.expect_request(f"/doi/{MISSING_DOI}").respond_with_data("", status=404)
    posted = {"identifier": f"https://doi.org/{MISSING_DOI}", "fill": "1", "title": "Mine"}

    response = login(member).post("/sources/propose/", posted)

    assert response.context["form"].initial["doi"] == MISSING_DOI
    assert response.context["form"].initial["title"] == "Mine"
    page = response.content.decode()
    assert f'name="doi" value="{MISSING_DOI}"' in page
    assert "No record was found for the DOI 10.1126/foo." in page
    assert "It is now in the “DOI” field below: fill in the rest by hand." in page
    assert not Source.objects.exists()


def test_an_address_that_does_not_answer_goes_into_the_address_field(outside, login, member):
    outside.expect_request("/gone").respond_with_data("", status=404)
    address = outside.url_for("/gone")

    response = login(member).post("/sources/propose/", {"identifier": address, "fill": "1"})

    assert response.context["form"].initial["url"] == address
    assert "notice--error" in response.content.decode()


def test_a_field_the_member_filled_in_is_not_replaced(outside, login, member):
    outside.expect_request(f"/doi/{MISSING_DOI}").respond_with_data("", status=404)
    posted = {"identifier": MISSING_DOI, "fill": "1", "doi": "10.1000/mine"}

    response = login(member).post("/sources/propose/", posted)

    assert response.context["form"].initial["doi"] == "10.1000/mine"
    assert "It is now in the" not in response.content.decode()


def test_text_that_is_no_identifier_goes_nowhere(login, member):
    response = login(member).post("/sources/propose/", {"identifier": "a book I read", "fill": "1"})

    assert response.context["lookup_form"].initial["identifier"] == "a book I read"
    assert not response.context["form"].initial.get("doi")
    assert not response.context["form"].initial.get("url")
    assert "It is now in the" not in response.content.decode()


def test_the_forms_script_is_told_where_the_identifier_goes(outside, login, member):
    outside.expect_request(f"/doi/{MISSING_DOI}").respond_with_data("", status=404)

    data = login(member).get("/sources/propose/lookup/", {"identifier": MISSING_DOI}).json()

    assert data["ok"] is False
    assert data["placed"] == {"doi": MISSING_DOI}
    assert data["placed_message"] == "It is now in the “DOI” field below: fill in the rest by hand."


def test_the_fill_in_needs_a_member(client, db):
    response = client.post("/sources/propose/", {"identifier": MISSING_DOI, "fill": "1"})

    assert "/accounts/login/" in response["Location"]
