"""
The language check: every sentence that names categories, for every pair of
categories in every language, as the fixtures and the catalogues make it.
Nothing here spells an expected sentence out: what a sentence must contain is
read from the word forms the fixtures hold and the case the catalogue names.
"""

import itertools
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from comparisons.admin.content import COUNTED
from comparisons.checks import check_language_sentences, check_phrase_cases
from comparisons.language_sentences import SENTENCES
from comparisons.models import Category, Comparison
from comparisons.phrases import CASES, COMPARED_BY_COUNT, PHRASES, SLOTS, cases_in
from tests.helpers import LANGUAGES

PAIR_PHRASES = {key: phrase for key, phrase in PHRASES.items() if phrase.slots == ("first", "second")}
NAME_PHRASES = {key: phrase for key, phrase in PHRASES.items() if phrase.slots == ("name",)}


def categories():
    return list(Category.objects.order_by("order", "slug"))


def pairs():
    return list(itertools.permutations(categories(), 2))


def whole_word(text):
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


def written_form(category, case, language):
    """The form as the fixtures hold it, without any fallback."""
    return getattr(category, f"{case}_{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_category_has_every_form_its_language_uses(db, language):
    for category in categories():
        for case in cases_in(language):
            assert written_form(category, case, language), (category.slug, case, language)
        # The name in a sentence is the heading's word, capitalised as a sentence needs.
        heading = getattr(category, f"abbreviation_{language}")
        assert capfirst(written_form(category, "nominative", language)) == capfirst(heading)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_names_a_case_for_every_phrase(language):
    with translation.override(language):
        for phrase in PHRASES.values():
            assert phrase.is_valid_case(), (language, phrase)


def assert_sentence_holds_its_forms(sentence, phrase, language, **named):
    """Each name stands in the sentence in the case the catalogue gives, as the fixtures write it."""
    cases = phrase.cases()
    for slot, category in named.items():
        form = written_form(category, cases[slot], language)
        found = [m.start() for m in whole_word(form).finditer(sentence)]
        found += [m.start() for m in whole_word(capfirst(form)).finditer(sentence) if m.start() == 0]
        assert found, f"{language}: {form!r} ({cases[slot]}) not in {sentence!r}"
        nominative = written_form(category, "nominative", language)
        if nominative not in form:
            assert not whole_word(nominative).search(sentence), f"{language}: nominative in {sentence!r}"
    assert_no_capital_mid_sentence(sentence, language)


def common_nouns(language):
    """
    The categories' lower-case forms in ``language`` capitalised (as they must
    not stand mid-sentence), and their full names, which are names of their own
    ("Business Process Outsourcing") and are left out of the check.
    """
    full_names = [getattr(c, f"name_{language}") or c.name_en for c in categories()]
    capitalised = {
        capfirst(form)
        for category in categories()
        for case in CASES
        if (form := written_form(category, case, language)) and form[0].islower()
    }
    return full_names, [whole_word(word) for word in capitalised]


def assert_no_capital_mid_sentence(text, language, nouns=None):
    """A common noun (written lower-case in the fixtures) is never capitalised inside a sentence."""
    full_names, capitalised = nouns or common_nouns(language)
    for name in full_names:
        text = text.replace(name, "…")
    for word in capitalised:
        for match in word.finditer(text):
            before = text[: match.start()].rstrip()
            assert not before or before[-1] in ".!?:›—·", f"{language}: {match[0]!r} mid-sentence in {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pair_phrase_for_every_pair(db, language):
    with translation.override(language):
        for (first, second), phrase in itertools.product(pairs(), PAIR_PHRASES.values()):
            sentence = phrase.text(first=first, second=second)
            assert_sentence_holds_its_forms(sentence, phrase, language, first=first, second=second)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_name_phrase_for_every_category(db, language):
    with translation.override(language):
        for category, phrase in itertools.product(categories(), NAME_PHRASES.values()):
            sentence = phrase.text(name=category)
            assert_sentence_holds_its_forms(sentence, phrase, language, name=category)
            linked = phrase.html(name=category)
            assert category.get_absolute_url() in linked
            assert re.sub(r"<[^>]+>", "", linked) == sentence


class PageText(HTMLParser):
    """The texts a reader meets as sentences: elements' own text, labels, title, description, headline."""

    SENTENCE_ELEMENTS = {"title", "h1", "h2", "h3", "p", "li", "a", "caption", "th", "td", "option", "label"}
    BLOCKS = {"h1", "h2", "h3", "p", "li", "caption"}
    # Elements inside a sentence: their text is also part of the element around them.
    INLINE = {"a", "label"}

    def __init__(self):
        super().__init__()
        self.open = []
        self.texts = []
        self.blocks = []  # the texts of headings and paragraphs, in the order they end
        self.json = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "aria-label" in attrs:
            self.texts.append(attrs["aria-label"])
        if tag == "meta" and attrs.get("name") == "description":
            self.texts.append(attrs["content"])
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self.json = ""
        if tag in self.SENTENCE_ELEMENTS:
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if tag == "script" and self.json is not None:
            self.headline = json.loads(self.json).get("headline")
            self.texts.append(self.headline)
            self.json = None
        if self.open and self.open[-1][0] == tag:
            _tag, text = self.open.pop()
            text = " ".join(text.split())
            if text:
                self.texts.append(text)
                if tag in self.BLOCKS:
                    self.blocks.append(text)
            if self.open and tag in self.INLINE:
                self.open[-1][1] += text

    def handle_data(self, data):
        if self.json is not None:
            self.json += data
        elif self.open:
            self.open[-1][1] += data


def page_texts(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    parser = PageText()
    parser.feed(response.content.decode())
    return parser


def assert_no_repeated_name(page):
    """
    No "Call centre: Call centre", "Кол-центр (Кол-центр)" or "BPO — BPO", and no
    heading followed by a paragraph that only repeats it.
    """
    for text in page.texts:
        for left, right in re.findall(r"([^:()—]+?)\s*[:(—]\s*([^:()—]+?)\)?$", text):
            assert left.strip().casefold() != right.strip().casefold(), text
    names = {
        getattr(category, f"{field}_{code}").casefold()
        for category in categories()
        for field in ("abbreviation", "name")
        for code in LANGUAGES
    }
    for first, second in itertools.pairwise(page.blocks):
        assert not (first.casefold() == second.casefold() in names), first


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_comparison_page_names_its_pair_grammatically(client, db, language):
    nouns = common_nouns(language)
    with translation.override(language):
        for first, second in itertools.combinations(categories(), 2):
            url = reverse(
                "comparisons:comparison_detail", kwargs={"first": first.slug, "second": second.slug}
            )
            page = page_texts(client, url)
            written = Comparison.objects.published().of_pair(first, second).first()
            if written is not None:
                title = written.get_title()
                pattern = PHRASES["difference"]
                a, b = written.first, written.second
                if not getattr(written, f"title_{language}"):
                    assert_sentence_holds_its_forms(title, pattern, language, first=a, second=b)
                assert page.headline == title
            else:
                a, b = sorted([first, second], key=lambda c: (c.order, c.slug))
                title = PHRASES["compared"].text(first=a, second=b)
            assert title in page.texts  # the heading
            assert any(text.startswith(f"{title} · ") for text in page.texts)  # the <title>
            for text in page.texts:
                assert_no_capital_mid_sentence(text, language, nouns)
            assert_no_repeated_name(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_table_of_three_or_four_names_them_grammatically(client, db, language):
    nouns = common_nouns(language)
    with translation.override(language):
        for count in (3, 4):
            for chosen in itertools.combinations(categories(), count):
                slots = dict(zip(SLOTS, chosen, strict=False))
                page = page_texts(
                    client,
                    reverse("comparisons:comparison_of_many", kwargs={"slugs": [c.slug for c in chosen]}),
                )
                phrase = COMPARED_BY_COUNT[count]
                title = phrase.text(**slots)
                assert_sentence_holds_its_forms(title, phrase, language, **slots)
                assert page.headline == title
                assert title in page.texts  # the heading
                assert any(text.startswith(f"{title} · ") for text in page.texts)  # the <title>
                for text in page.texts:
                    assert_no_capital_mid_sentence(text, language, nouns)
                assert_no_repeated_name(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_category_page_and_list_reads_grammatically(client, db, language):
    nouns = common_nouns(language)
    with translation.override(language):
        urls = [
            reverse("comparisons:home"),
            reverse("comparisons:category_list"),
            reverse("comparisons:comparison_list"),
            reverse("comparisons:compare"),
        ]
        for category in categories():
            urls.append(f"{reverse('comparisons:search')}?q={category.slug}")
            urls += [
                category.get_absolute_url(),
                f"{reverse('comparisons:comparison_list')}?category={category.slug}",
            ]
        matrix = page_texts(client, reverse("comparisons:compare")).texts
        for first, second in pairs():
            assert PHRASES["compared"].text(first=first, second=second) in matrix
        for url in urls:
            page = page_texts(client, url)
            for text in page.texts:
                assert_no_capital_mid_sentence(text, language, nouns)
            assert_no_repeated_name(page)
        for category in categories():
            page = page_texts(client, category.get_absolute_url())
            assert PHRASES["compare_with_another"].text(name=category) in page.texts
            if category.parent:
                assert PHRASES["kind_of"].text(name=category.parent) in page.texts
            for child in category.children.all():
                assert PHRASES["includes"].text(name=child) in page.texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_counted_nouns_agree_with_their_number(language):
    """A count and its noun come from one plural entry, so 1, 2 and 5 may each take another form."""
    with translation.override(language):
        for counted in COUNTED.values():
            one, two, five = (counted % {"count": n} for n in (1, 2, 5))
            assert one.startswith("1 ") and two.startswith("2 ") and five.startswith("5 ")
            assert one[2:] != five[2:], (language, one, five)  # every language here has a singular
            if language == "uk":
                assert two[2:] != five[2:], (two, five)  # and Ukrainian a form for 2–4


def test_a_catalogue_that_names_no_valid_case_is_reported(monkeypatch):
    assert check_phrase_cases(None) == []
    monkeypatch.setattr(PHRASES["difference"], "case", "instrumentalis")
    errors = check_phrase_cases(None)
    assert [error.id for error in errors] == ["comparisons.E001"] * len(LANGUAGES)
    monkeypatch.setattr(PHRASES["difference"], "case", "genitive dative accusative")  # three for two names
    assert check_phrase_cases(None)
    monkeypatch.setattr(PHRASES["difference"], "case", "genitive dative")
    assert check_phrase_cases(None) == []
    assert PHRASES["difference"].cases() == {"first": "genitive", "second": "dative"}


def test_a_language_without_its_sentences_is_reported(monkeypatch):
    assert check_language_sentences(None) == []
    monkeypatch.setitem(SENTENCES, "article_in", {"en": "article in English"})
    assert [error.id for error in check_language_sentences(None)] == ["comparisons.E002"] * 2
