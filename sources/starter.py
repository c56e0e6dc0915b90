"""The starter library: the sources behind the three priorities, loaded by `seed_library`.

The bibliographic facts (title as published, year, contributors, journal, volume, issue and
pages, publisher, ISBN, address and DOI) are the ones checked against published records: a
publisher's page, a PubMed record or the report's own front matter. Where no record confirmed a
fact, the field stays empty rather than guessed, and sources with no published record keep what
the launch blog post says. Summaries and rationales are the project's own words, not quotations
from the post.
"""

from sources.evidence.contributors import organisation, parse_name_list
from sources.models import Source

Kind = Source.Kind
Stance = Source.Stance

HF = "The Health Foundation"
# The bibliographic fields `seed_library` keeps up to date in sources already here, and the
# value each has in an entry that does not give it.
SEEDED_FIELDS = {
    "title": "",
    "contributors": [],
    "et_al": False,
    "year": None,
    "url": "",
    "doi": "",
    "container_title": "",
    "volume": "",
    "issue": "",
    "page_first": "",
    "page_last": "",
    "publisher": "",
    "isbn": "",
}


def people(names):
    """Authors as the records list them: "Dixon-Woods M, Martin G"."""
    return parse_name_list(names)[0]


def bodies(*names):
    """Organisations as authors, each one name."""
    return [organisation(name) for name in names]


def seeded_values(entry):
    """Every seeded field's value in a starter entry."""
    return {field: entry.get(field, default) for field, default in SEEDED_FIELDS.items()}


SKILLS = "skills-and-perspectives"
ALIGNING = "aligning-action"
NETWORKS = "peer-networks"

STARTER_SOURCES = [
    # Theme 1: bringing together all the skills and perspectives needed.
    {
        "slug": "safer-clinical-systems-evaluation",
        "title": "Safer Clinical Systems: evaluation findings",
        "contributors": people("Dixon-Woods M, Martin G, Tarrant C, Bion J"),
        "et_al": True,
        "publisher": HF,
        "year": 2014,
        "url": "https://www.health.org.uk/publications/safer-clinical-systems-evaluation-findings/",
        "doi": "",
        "kind": Kind.EVALUATION,
        "themes": [SKILLS],
        "tags": ["perspectives", "skills", "safety", "evaluation"],
        "stance": Stance.REINFORCES,
        "summary": (
            "This evaluation saw frontline teams rush into doing something, with proposals for "
            "change shaped by how a single group of staff saw the problem. Other viewpoints were "
            "left out along the way. It illustrates why improvement needs a wider mix of people "
            "in the room."
        ),
        "rationale": "It shows what is lost when change is designed from one staff viewpoint.",
    },
    {
        "slug": "overcoming-challenges-to-improving-quality",
        "title": (
            "Overcoming challenges to improving quality: lessons from the Health Foundation's "
            "improvement programme evaluations and relevant literature"
        ),
        "contributors": people("Dixon-Woods M, McNicol S, Martin G"),
        "publisher": HF,
        "isbn": "9781906461386",
        "year": 2012,
        "url": "https://www.health.org.uk/publications/overcoming-challenges-to-improving-quality",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [SKILLS],
        "tags": ["skills", "capability", "quality improvement"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report setting out the breadth of expertise that raising the "
            "quality of care calls on. It treats improvement as a blend of capabilities rather "
            "than one technical method. Teams can use it to see which of those capabilities they "
            "already have and which they need to find."
        ),
        "rationale": "It maps the many kinds of expertise an improvement effort has to combine.",
    },
    {
        "slug": "skilled-for-improvement",
        "title": (
            "Skilled for improvement? Learning communities and the skills needed to improve care: "
            "an evaluative service development"
        ),
        "contributors": people("Gabbay J, le May A, Connell C, Klein JH"),
        "publisher": HF,
        "isbn": "9781906461522",
        "year": 2014,
        "url": "",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [SKILLS],
        "tags": ["skills", "capability", "quality improvement"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report on the capabilities that improvement work depends on. "
            "It looks at what people taking part need to be able to do, which makes it a "
            "practical starting point for deciding whom to involve and what to develop."
        ),
        "rationale": "It spells out the capabilities a well-rounded improvement team needs.",
    },
    {
        "slug": "getting-more-health-from-healthcare",
        "title": (
            "Getting more health from healthcare: quality improvement must acknowledge patient "
            "coproduction"
        ),
        "contributors": people("Batalden P"),
        "container_title": "The BMJ",
        "volume": "362",
        "page_first": "k3617",
        "year": 2018,
        "url": "https://www.bmj.com/content/362/bmj.k3617",
        "doi": "10.1136/bmj.k3617",
        "kind": Kind.JOURNAL_ARTICLE,
        "themes": [SKILLS],
        "tags": ["co-production", "patient engagement", "perspectives"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A journal essay arguing that care is always made jointly by professionals and the "
            "people who receive it. It follows that patients and service users belong inside "
            "improvement work, not only on the receiving end of it. The essay asks improvement "
            "methods to make room for that partnership."
        ),
        "rationale": "It makes the case for patients as partners in improving care.",
    },
    {
        "slug": "engaging-patients-to-improve-quality-of-care",
        "title": "Engaging patients to improve quality of care: a systematic review",
        "contributors": people(
            "Bombard Y, Baker GR, Orlando E, Fancott C, Bhatia P, Casalino S, Onate K, Denis J-L, "
            "Pomey M-P"
        ),
        "container_title": "Implementation Science",
        "volume": "13",
        "page_first": "98",
        "year": 2018,
        "url": "https://implementationscience.biomedcentral.com/articles/10.1186/s13012-018-0784-z",
        "doi": "10.1186/s13012-018-0784-z",
        "kind": Kind.SYSTEMATIC_REVIEW,
        "themes": [SKILLS],
        "tags": ["patient engagement", "co-production", "context"],
        "stance": Stance.REFINES,
        "summary": (
            "A systematic review of how patients have been involved in improving care, drawing "
            "out the approaches and surrounding conditions that help involvement succeed. It "
            "also finds little research on how patients themselves feel about taking part. That "
            "gap is a reason to study engagement from the patient's side, not only the service's."
        ),
        "rationale": (
            "It backs involving patients while marking where the evidence on their experience "
            "is still thin."
        ),
    },
    {
        "slug": "whole-system-flow",
        "title": "The challenge and potential of whole system flow",
        "contributors": people("Fillingham D, Jones B, Pereira P"),
        "publisher": HF,
        "isbn": "9781906461836",
        "year": 2016,
        "url": (
            "https://www.health.org.uk/publications/the-challenge-and-potential-of-whole-system-flow"
        ),
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [SKILLS],
        "tags": ["system flow", "perspectives", "skills"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report on improving how care flows across a whole local system "
            "rather than inside one organisation. It argues that redesign on that scale only "
            "works when every organisation involved contributes its view and builds the skills "
            "to act on it together."
        ),
        "rationale": "It extends the case for many perspectives from one team to a whole system.",
    },
    {
        "slug": "the-big-room",
        "title": "Flow Coaching Academy (Big Room methodology)",
        "contributors": bodies("Sheffield Teaching Hospitals NHS Foundation Trust"),
        "publisher": "Sheffield Teaching Hospitals NHS Foundation Trust",
        "year": 2015,
        "url": "https://flowcoaching.academy/history/",
        "doi": "",
        "kind": Kind.METHODOLOGY,
        "themes": [SKILLS],
        "tags": ["perspectives", "service design", "system flow", "lean"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A way of working that grew out of Lean and gathers people with different viewpoints "
            "around a shared problem in how a service is designed. Its use has widened through "
            "the Flow Coaching Academy. It gives teams a concrete format for combining "
            "perspectives, not just an argument for doing so."
        ),
        "rationale": "It is a ready-made method for bringing many viewpoints to one problem.",
    },
    # Theme 2: aligning action at all levels in the system.
    {
        "slug": "does-quality-improvement-improve-quality",
        "title": "Does quality improvement improve quality?",
        "contributors": people("Dixon-Woods M, Martin G"),
        "container_title": "Future Hospital Journal",
        "volume": "3",
        "issue": "3",
        "page_first": "191",
        "page_last": "194",
        "year": 2016,
        "url": "https://doi.org/10.7861/futurehosp.3-3-191",
        "doi": "10.7861/futurehosp.3-3-191",
        "kind": Kind.JOURNAL_ARTICLE,
        "themes": [ALIGNING],
        "tags": ["quality improvement", "system levels", "alignment"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A journal article asking whether improvement activity, as commonly practised, "
            "actually raises quality. It describes how quality improvement tends to scatter into "
            "many unconnected local projects, and argues that each change should be pursued at "
            "the tier of the system where it can succeed."
        ),
        "rationale": "It argues for acting at the level of the system that can fix the problem.",
    },
    {
        "slug": "health-foundation-thinking-on-context",
        "title": "The Health Foundation's thinking on context",
        "contributors": bodies("The Health Foundation"),
        "publisher": "The Health Foundation",
        "year": None,
        "url": "",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [ALIGNING],
        "tags": ["context", "system levels", "alignment"],
        "stance": Stance.REINFORCES,
        "summary": (
            "The Health Foundation's account of how the setting around an improvement effort "
            "decides whether it works. It treats local and national conditions as something "
            "improvement has to work with, not a backdrop. That view informs its argument for "
            "national bodies supporting change differently."
        ),
        "rationale": "It explains why one change can thrive in one place and stall in another.",
    },
    {
        "slug": "constructive-comfort",
        "title": "Constructive comfort: accelerating change in the NHS",
        "contributors": people("Allcock C, Dormon F, Taunt R, Dixon J"),
        "publisher": HF,
        "year": 2015,
        "url": "http://www.health.org.uk/publication/constructive-comfort-accelerating-change-nhs",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [ALIGNING],
        "tags": ["leadership", "culture", "data", "system levels"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report on what it takes to speed up change in the NHS. It names "
            "leadership, management, culture and the use of data as conditions that must be in "
            "place at every tier, from frontline teams up to national bodies. Useful for seeing "
            "which of those conditions are missing, and where."
        ),
        "rationale": "It sets out what each level of the system must provide to support change.",
    },
    {
        "slug": "culture-and-behaviour-in-the-english-nhs",
        "title": (
            "Culture and behaviour in the English National Health Service: overview of lessons "
            "from a large multimethod study"
        ),
        "contributors": people(
            "Dixon-Woods M, Baker R, Charles K, Dawson J, Jerzembek G, Martin G, McCarthy I, "
            "McKee L, Minion J, Ozieranski P, Willars J, Wilkie P, West M"
        ),
        "container_title": "BMJ Quality & Safety",
        "volume": "23",
        "issue": "2",
        "page_first": "106",
        "page_last": "115",
        "year": 2014,
        "url": "https://doi.org/10.1136/bmjqs-2013-001947",
        "doi": "10.1136/bmjqs-2013-001947",
        "kind": Kind.JOURNAL_ARTICLE,
        "themes": [ALIGNING],
        "tags": ["culture", "priorities", "alignment"],
        "stance": Stance.REINFORCES,
        "summary": (
            "Drawing on a large study that combined several research methods, the authors show "
            "NHS staff facing a dense tangle of demands from many directions, some of them at "
            "odds with each other. The overload makes it hard to know what to act on first, "
            "which is why aligning priorities matters as much as any improvement method."
        ),
        "rationale": "It shows how competing demands from above can stall action on the ground.",
    },
    {
        "slug": "the-improvement-journey",
        "title": (
            "The improvement journey: why organisation-wide improvement in health care matters, "
            "and how to get started"
        ),
        "contributors": people("Jones B, Horton T, Warburton W"),
        "publisher": HF,
        "isbn": "9781911615316",
        "year": 2019,
        "url": "http://reader.health.org.uk/the-improvement-journey/introduction-and-summary",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [ALIGNING],
        "tags": ["organisation-wide improvement", "quality improvement", "leadership"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A report on organisations that take improvement on as a whole-organisation approach, "
            "and on how that approach can deepen over time. It treats improvement as a capability "
            "an organisation builds rather than a string of projects. Relevant to local leaders "
            "growing that capability and to central bodies deciding how to support them."
        ),
        "rationale": "It describes how an organisation can make improvement part of how it runs.",
    },
    {
        "slug": "quality-management-systems-scotland",
        "title": "Quality Management System framework",
        "contributors": bodies("Healthcare Improvement Scotland"),
        "year": None,
        "url": (
            "https://ihub.scot/improvement-programmes/quality-management-system/about-quality-management-system/"
        ),
        "doi": "",
        "kind": Kind.PROGRAMME,
        "themes": [ALIGNING],
        "tags": ["quality management", "system levels", "alignment"],
        "stance": Stance.REINFORCES,
        "summary": (
            "Healthcare Improvement Scotland's work to develop quality management systems as a "
            "coherent, system-wide way of supporting high-quality care. It offers lessons to "
            "others weighing a similar approach, whether nationally or within a local system."
        ),
        "rationale": "It is a worked example of one system organising itself around quality.",
    },
    {
        "slug": "new-power",
        "title": "New Power",
        "contributors": people("Heimans J, Timms H"),
        "publisher": "Doubleday",
        "isbn": "9780385541114",
        "year": 2018,
        "url": "https://thisisnewpower.com",
        "doi": "",
        "kind": Kind.BOOK,
        "themes": [ALIGNING],
        "tags": ["power", "leadership", "networks"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A book contrasting traditional, hierarchical ways of getting things done with newer, "
            "more participatory ones, and arguing that lasting change blends the two. Its ideas "
            "have circulated widely in the NHS through NHS Horizons and Helen Bevan. It questions "
            "relying on instructions from the top alone."
        ),
        "rationale": "It offers a way to combine central direction with energy from below.",
    },
    # Theme 3: nurturing peer networks to enable iterative learning and spread.
    {
        "slug": "against-the-odds",
        "title": "Against the odds: successfully scaling innovation in the NHS",
        "contributors": people("Albury D, Beresford T, Dew S, Langford K, Horton T, Illingworth J"),
        "publisher": "Innovation Unit; The Health Foundation",
        "year": 2018,
        "url": (
            "https://www.innovationunit.org/thoughts/against-the-odds-successfully-scaling-innovation-across-the-nhs/"
        ),
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [NETWORKS],
        "tags": ["spread", "adoption", "networks"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report on spreading improvement. It argues that attention should "
            "move from the originators of an idea to the people and organisations taking it up, "
            "and notes how networks can help them. A corrective to plans that treat spread as "
            "simply rolling out a pilot."
        ),
        "rationale": "It puts adopters, and the networks around them, at the centre of spread.",
    },
    {
        "slug": "the-spread-challenge",
        "title": (
            "The spread challenge: how to support the successful uptake of innovations and "
            "improvements in health care"
        ),
        "contributors": people("Horton T, Illingworth J, Warburton W"),
        "publisher": HF,
        "isbn": "9781911615187",
        "year": 2018,
        "url": "https://www.health.org.uk/publications/the-spread-challenge",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [NETWORKS],
        "tags": ["spread", "adoption", "networks"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A second Health Foundation report on spreading improvement. Like Against the Odds, "
            "it shifts the focus to those who adopt an innovation and to the networks that "
            "support them. Read together, the two make the case for designing spread around the "
            "people who take ideas up."
        ),
        "rationale": "It strengthens the case for adopter-centred spread supported by networks.",
    },
    {
        "slug": "scaling-up-improvement",
        "title": "Scaling Up Improvement",
        "contributors": bodies(HF),
        "year": 2014,
        "url": "",
        "doi": "",
        "kind": Kind.PROGRAMME,
        "themes": [NETWORKS],
        "tags": ["scaling up", "spread", "adoption"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation programme testing how successful improvements can be taken to "
            "new settings without losing their effect. It demonstrates spread strategies that "
            "are planned from the outset to hold on to results as the work reaches more places."
        ),
        "rationale": "It shows spread being designed to keep results intact at a larger scale.",
    },
    {
        "slug": "social-franchising-and-licensing",
        "title": "Exploring Social Franchising",
        "contributors": bodies("The Health Foundation", "Spring Impact"),
        "year": 2017,
        "url": (
            "https://health.org.uk/funding-and-partnerships/programmes/exploring-social-franchising"
        ),
        "doi": "",
        "kind": Kind.PROGRAMME,
        "themes": [NETWORKS],
        "tags": ["scaling up", "spread", "social franchising"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation programme exploring whether social franchising and licensing "
            "models can carry a proven approach into new places. The aim is spread that keeps "
            "what made the original effective, widening the choice of spread strategies beyond "
            "a simple roll-out."
        ),
        "rationale": "It tests structured models for replicating an approach without diluting it.",
    },
    {
        "slug": "implementing-evidence-based-medicine",
        "title": "Implementing Evidence Based Medicine",
        "contributors": people("Trish Greenhalgh"),
        "year": None,
        "url": "",
        "doi": "",
        "kind": Kind.BOOK,
        "themes": [NETWORKS],
        "tags": ["networks", "knowledge sharing", "spread"],
        "stance": Stance.REINFORCES,
        "summary": (
            "Trish Greenhalgh's book on putting evidence into practice. It shows how networks "
            "help people create and pass on knowledge, and how innovations travel through them. "
            "Its lessons reach well beyond clinical decisions to service change in general."
        ),
        "rationale": "It explains how knowledge and innovation move through professional networks.",
    },
    {
        "slug": "effective-networks-for-improvement",
        "title": (
            "Effective networks for improvement: developing and managing effective networks to "
            "support quality improvement in healthcare"
        ),
        "contributors": bodies(HF),
        "publisher": HF,
        "year": 2014,
        "url": "https://www.health.org.uk/publications/effective-networks-for-improvement",
        "doi": "",
        "kind": Kind.REPORT,
        "themes": [NETWORKS],
        "tags": ["networks", "community building", "knowledge sharing"],
        "stance": Stance.REINFORCES,
        "summary": (
            "A Health Foundation report identifying five features that make improvement networks "
            "work: a shared aim, a structure that supports cooperation, enough members to carry "
            "weight, pooled knowledge, and deliberate attention to community. It gives a frame "
            "for designing a network and for checking the health of an existing one."
        ),
        "rationale": "It names the features that make an improvement network effective.",
    },
    {
        "slug": "closing-the-gap-through-clinical-communities",
        "title": "Using clinical communities to improve quality",
        "contributors": bodies(HF),
        "publisher": HF,
        "year": 2013,
        "url": (
            "https://www.health.org.uk/publications/using-clinical-communities-to-improve-quality"
        ),
        "doi": "",
        "kind": Kind.EVALUATION,
        "themes": [NETWORKS],
        "tags": ["networks", "evaluation", "community building"],
        "stance": Stance.REINFORCES,
        "summary": (
            "An evaluation of a Health Foundation programme built around clinical communities. "
            "It adds to the picture of what sets working networks apart. Helpful alongside "
            "Effective Networks for Improvement when setting up or reviewing a network."
        ),
        "rationale": "It offers evaluated evidence on the traits of networks that deliver.",
    },
    {
        "slug": "source4networks",
        "title": "Source4Networks",
        "contributors": bodies("Sustainable Improvement Team, NHS England"),
        "year": None,
        "url": "https://www.source4networks.org.uk",
        "doi": "",
        "kind": Kind.WEBSITE,
        "themes": [NETWORKS],
        "tags": ["networks", "practical resources", "community building"],
        "stance": Stance.REINFORCES,
        "summary": (
            "An NHS Improvement website gathering practical material for people who set up, run "
            "or take part in networks. It turns what is known about effective networks into "
            "things a network can use day to day."
        ),
        "rationale": "It is a hands-on toolkit for the people doing the networking.",
    },
    # From the comments under the post.
    {
        "slug": "visit-to-healthcare-improvement-scotland",
        "title": (
            "Visit to Healthcare Improvement Scotland: sustaining improvement through Quality "
            "Management Systems"
        ),
        "contributors": bodies("Q community"),
        "year": None,
        "url": (
            "https://q.health.org.uk/event/visit-to-healthcare-improvement-scotland-sustaining-"
            "improvement-through-quality-management-systems/"
        ),
        "doi": "",
        "kind": Kind.EVENT,
        "themes": [ALIGNING],
        "tags": ["quality management", "process approach", "alignment"],
        "stance": Stance.REFINES,
        "summary": (
            "A Q community visit to Healthcare Improvement Scotland on using quality management "
            "systems to make improvement last. It came up in discussion as a way into how a "
            "process approach fits within such a system, adding a first-hand view to the "
            "published work on Scotland's approach."
        ),
        "rationale": "It shows a quality management system in practice, process approach included.",
    },
]
