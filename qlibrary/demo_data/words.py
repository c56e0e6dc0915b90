"""The invented vocabulary: names, organisations, titles, summaries, tags and comment text.

Every list here is fixed, so a seed always gives the same demo library.
"""

from sources.models import Source
from sources.perspectives import Perspective


def _words(text):
    return text.split()


FIRST_NAMES = _words(
    "Amara Aisha Alex Ana Ben Bronwen Chen Chiara Chidi Dafydd Deepa Eilidh Elena Emeka Farah "
    "Fatima Finn Grace Hamza Hannah Ifeoma Imran Isla Jamal Jo Kai Kavita Kwame Lars Leila Lina "
    "Luca Maeve Malik Maria Mei Mohammed Nadia Niamh Noah Olu Omar Priya Rhys Rosa Ruth Sam Sanjay "
    "Sara Seren Siobhan Sofia Tariq Tom Uzma Wei Yusuf Zainab Zofia"
)
LAST_NAMES = _words(
    "Adebayo Ahmed Ali Anderson Bailey Banerjee Bell Campbell Chen Clarke Costa Davies Evans "
    "Fernandes Fraser Ghosh Gray Hughes Hussain Ibrahim Jones Kaur Kelly Khan Kowalski Lewis Lim "
    "Lindqvist MacLeod Martin Mensah Mitchell Morgan Murphy Nguyen Novak Okafor Osei O'Brien Patel "
    "Price Rahman Reid Roberts Rossi Shah Singh Smith Stewart Taylor Thomas Walker Wang Watson "
    "Williams Wilson Wright Young Zhang"
)
MEMBER_ORGANISATIONS = [
    "",
    "",
    "Leeds Teaching Hospitals NHS Trust",
    "NHS Greater Glasgow and Clyde",
    "Cardiff and Vale University Health Board",
    "Belfast Health and Social Care Trust",
    "Bristol, North Somerset and South Gloucestershire ICB",
    "University of Manchester",
    "A GP practice in Cornwall",
    "Healthwatch",
    "The Health Foundation",
    "NHS England",
    "Imperial College Healthcare NHS Trust",
    "A community pharmacy",
    "Local authority public health team",
    "Improvement Cymru",
    "Healthcare Improvement Scotland",
    "Patient and public involvement panel",
    "University of Leicester",
    "Mental health trust in the North West",
]
BIOS = [
    "",
    "",
    "",
    "Interested in how improvement spreads between teams.",
    "I lead quality improvement in a busy emergency department.",
    "Patient partner on several improvement projects; carer for my mother.",
    "Researcher in implementation science and health services.",
    "Nurse by background, now supporting frontline teams with improvement.",
    "Working on flow and discharge across our integrated care system.",
    "GP with an interest in population health and reducing inequalities.",
    "I coach teams in measurement for improvement.",
]

PERSPECTIVES = [choice for choice, _ in Perspective.choices] + [""]
PERSPECTIVE_WEIGHTS = [8, 14, 16, 12, 14, 12, 6, 4, 14]

OPENINGS = [
    "Spreading improvement",
    "Reducing avoidable harm",
    "Building improvement capability",
    "Co-designing services",
    "Measuring what matters",
    "Sustaining change",
    "Improving patient flow",
    "Reducing waiting times",
    "Making care safer",
    "Learning from excellence",
    "Tackling health inequalities",
    "Improving discharge",
    "Strengthening teamwork",
    "Engaging clinicians in improvement",
    "Scaling up successful pilots",
    "Reducing unwarranted variation",
    "Improving the experience of care",
    "Preventing pressure ulcers",
    "Reducing falls",
    "Improving sepsis recognition",
    "Redesigning outpatient care",
    "Supporting staff wellbeing",
    "Developing improvement leaders",
    "Aligning improvement with strategy",
    "Embedding continuous improvement",
    "Improving medicines safety",
    "Shortening length of stay",
    "Joining up health and social care",
    "Improving end-of-life care",
    "Reducing readmissions",
    "Improving access to mental health care",
    "Building a learning health system",
    "Listening to patients",
    "Designing for reliability",
    "Reducing hospital-acquired infections",
    "Improving handover",
    "Making improvement everyone's job",
    "Using data for improvement",
    "Improving maternity safety",
    "Getting evidence into practice",
]
MECHANISMS = [
    "through peer networks",
    "with patient partners",
    "using statistical process control",
    "through collaborative learning",
    "with frontline teams",
    "through quality improvement collaboratives",
    "using Plan-Do-Study-Act cycles",
    "through system-wide alignment",
    "with lean methods",
    "through experience-based co-design",
    "using a driver diagram",
    "through clinical audit and feedback",
    "with improvement coaches",
    "through board leadership",
    "using huddles and safety crosses",
    "through communities of practice",
    "with positive deviance",
    "using human factors",
    "through shared decision making",
    "with a national programme",
    "using digital dashboards",
    "through local ownership",
    "with Breakthrough Series collaboratives",
    "through distributed leadership",
    "using behavioural insights",
]
SETTINGS = [
    "in acute hospitals",
    "in primary care",
    "across integrated care systems",
    "in mental health services",
    "in community nursing",
    "in care homes",
    "in maternity units",
    "in emergency departments",
    "in general practice",
    "in children's services",
    "in intensive care",
    "in ambulance services",
    "in community pharmacy",
    "in surgical wards",
    "in the NHS",
    "in low-resource settings",
    "across a region",
    "in Scotland",
    "in Wales",
    "in Northern Ireland",
]
SUBTITLES = {
    Source.Kind.REPORT: [
        "a report",
        "lessons from a national programme",
        "what the evidence says",
        "an overview for boards",
        "findings and recommendations",
    ],
    Source.Kind.JOURNAL_ARTICLE: [
        "a mixed-methods study",
        "a qualitative study",
        "a stepped-wedge cluster randomised trial",
        "an interrupted time series analysis",
        "a cohort study",
        "a multi-site study",
    ],
    Source.Kind.SYSTEMATIC_REVIEW: [
        "a systematic review",
        "a scoping review",
        "a rapid evidence review",
        "a realist review",
        "a meta-analysis",
    ],
    Source.Kind.EVALUATION: [
        "a realist evaluation",
        "an independent evaluation",
        "a process evaluation",
        "an economic evaluation",
        "a formative evaluation",
    ],
    Source.Kind.CASE_STUDY: [
        "a case study",
        "a story from the front line",
        "how one trust did it",
        "what we learned",
        "a tale of two teams",
    ],
    Source.Kind.BOOK: ["a practical handbook", "a guide for leaders", "theory and practice"],
    Source.Kind.METHODOLOGY: [
        "a practical guide",
        "a toolkit",
        "a measurement framework",
        "a how-to guide",
        "templates and tools",
    ],
    Source.Kind.PROGRAMME: ["a programme overview", "the first two years", "programme theory"],
    Source.Kind.WEBSITE: ["resources for teams", "an online hub", "a learning library"],
    Source.Kind.BLOG_POST: ["reflections", "five things we learned", "a view from the ward"],
    Source.Kind.VIDEO: ["a webinar", "a recorded talk", "conference keynote"],
    Source.Kind.EVENT: ["a learning event", "a national conference", "a masterclass series"],
    Source.Kind.OTHER: ["a briefing", "notes", "a discussion paper"],
}
KINDS = list(SUBTITLES)
KIND_WEIGHTS = [16, 22, 8, 10, 10, 3, 8, 4, 4, 6, 4, 2, 3]
STANCES = [Source.Stance.REINFORCES, Source.Stance.REFINES, Source.Stance.CHALLENGES]
STANCE_WEIGHTS = [60, 30, 10]

SOURCE_ORGANISATIONS = [
    "The Health Foundation",
    "NHS England",
    "Institute for Healthcare Improvement",
    "The King's Fund",
    "Nuffield Trust",
    "Healthcare Improvement Scotland",
    "THIS Institute",
    "Improvement Cymru",
    "NIHR",
    "Royal College of Physicians",
    "Royal College of Nursing",
    "Academy of Medical Royal Colleges",
    "Public Health Scotland",
    "BMJ Quality & Safety",
    "Implementation Science",
    "Q community",
    "Kaiser Permanente",
    "Canadian Patient Safety Institute",
    "World Health Organization",
    "University of Oxford",
    "University College London",
    "Health Innovation Network",
]
ORGANISATION_WEIGHTS = [5, 5, 4, 4, 3, 3, 2, 2, 3, 1, 1, 1, 1, 3, 2, 2, 1, 1, 1, 2, 2, 1]

TAG_VOCABULARY = [
    # The starter library's tags, so demo sources share them.
    "perspectives",
    "skills",
    "safety",
    "evaluation",
    "capability",
    "quality improvement",
    "co-production",
    "patient engagement",
    "context",
    "system flow",
    "service design",
    "lean",
    "system levels",
    "alignment",
    "leadership",
    "culture",
    "data",
    "priorities",
    "organisation-wide improvement",
    "quality management",
    "power",
    "networks",
    "spread",
    "adoption",
    "scaling up",
    "knowledge sharing",
    "community building",
    "practical resources",
    # And more of the same kind.
    "measurement",
    "statistical process control",
    "PDSA",
    "human factors",
    "patient safety",
    "primary care",
    "mental health",
    "maternity",
    "emergency care",
    "care homes",
    "health inequalities",
    "digital",
    "workforce",
    "staff wellbeing",
    "teamwork",
    "collaboratives",
    "sustainability",
    "implementation",
    "realist evaluation",
    "systematic review",
    "co-design",
    "patient experience",
    "discharge",
    "infection prevention",
    "medicines safety",
    "clinical audit",
    "governance",
    "boards",
    "learning systems",
    "positive deviance",
    "behaviour change",
    "costs and value",
]

SUMMARY_OPENERS = [
    "This {kind} looks at how {group} {setting} used {method} to {aim}.",
    "Drawing on work {setting}, this {kind} describes {method} as a way to {aim}.",
    "A {kind} on what it takes to {aim} when {group} lead the work.",
    "The {kind} follows {group} {setting} over two years as they tried to {aim}.",
    "This {kind} asks why some teams manage to {aim} and others do not.",
]
SUMMARY_FINDINGS = [
    "It finds that {finding}.",
    "The authors conclude that {finding}.",
    "Its main lesson is that {finding}.",
    "The evidence suggests that {finding}.",
    "Teams involved reported that {finding}.",
]
SUMMARY_CLOSERS = [
    "It is useful for anyone planning similar work.",
    "Boards and senior leaders will find the final chapter especially relevant.",
    "The appendix includes measures and templates others can adapt.",
    "It is short and readable, with practical examples throughout.",
    "The limitations section is candid about what did not work.",
    "It pairs well with other sources on this theme.",
    "Patient partners contributed to the analysis and the write-up.",
    "It challenges the assumption that one method fits every setting.",
]
GROUPS = [
    "frontline teams",
    "ward managers",
    "patient partners",
    "improvement advisers",
    "GP practices",
    "nurses and allied health professionals",
    "junior doctors",
    "executive boards",
    "peer networks",
    "care home staff",
    "pharmacists",
    "commissioners",
]
METHODS = [
    "run charts and statistical process control",
    "Plan-Do-Study-Act cycles",
    "experience-based co-design",
    "a quality improvement collaborative",
    "daily safety huddles",
    "peer review and feedback",
    "lean value-stream mapping",
    "a shared improvement method",
    "structured patient feedback",
    "a driver diagram and family of measures",
]
AIMS = [
    "reduce harm",
    "spread a successful change",
    "cut waiting times",
    "improve discharge",
    "sustain gains after a project ends",
    "involve patients as equal partners",
    "align improvement with organisational priorities",
    "build improvement skills at every level",
    "reduce variation between sites",
    "make care more reliable",
]
FINDINGS = [
    "context matters more than the choice of method",
    "protected time for staff made the biggest difference",
    "patient partners changed which problems were tackled first",
    "gains faded where senior support was withdrawn",
    "peer networks spread ideas faster than formal programmes",
    "measurement helped only when teams owned their data",
    "small tests of change built confidence before scale-up",
    "alignment between teams and boards was the hardest part",
    "the most successful teams mixed clinical and managerial skills",
    "results varied widely between sites with similar resources",
]
RATIONALES = [
    "It gives practical detail that is often missing from reports like this.",
    "A candid account of what went wrong as well as right.",
    "One of the few studies that follows improvement beyond the first year.",
    "It brings patients' views into a debate usually held among professionals.",
    "It offers a different view from most sources in this theme.",
    "Useful evidence for anyone making the case for investment in improvement.",
    "",
]
DECLINE_REASONS = [
    "This is a marketing page rather than a source about improvement.",
    "It duplicates a source already in the library under another address.",
    "The link needs a subscription and no open version could be found.",
    "It is about clinical treatment rather than improving how care is delivered.",
]
CHANGES_REASONS = [
    "Please add the year and the organisation that published it.",
    "Could you say more in the summary about why it matters for this theme?",
    "The link goes to a landing page; please link to the document itself.",
    "Please choose the kind that fits best: this looks like an evaluation.",
]
HIDE_REASONS = [
    "Hidden: personal remarks about another member.",
    "Hidden: advertising.",
    "Hidden: details that could identify a patient.",
]

COMMENT_SENTENCES = [
    "We tried something very similar on our ward last year.",
    "This matches our experience almost exactly.",
    "I'd be interested to know how they measured the outcome.",
    "The section on sustaining the change is the most useful part for me.",
    "As a patient partner, I found the co-design chapter really encouraging.",
    "Has anyone used this approach in primary care?",
    "The sample is small, so I'd be cautious about generalising.",
    "Our board found the summary helpful when setting priorities.",
    "It's worth reading alongside the evaluation from the same programme.",
    "Context seems to explain more of the variation than the method does.",
    "We struggled with the data collection; it took far more time than planned.",
    "Protected time for staff was the thing that made it work for us.",
    "I disagree with the conclusion about scale-up: it depends on local ownership.",
    "Thanks for sharing this, it's exactly what I was looking for.",
    "The run charts in the appendix are a good example for teams starting out.",
    "Does anyone know if there is a follow-up study?",
    "This challenges some of what we were taught about spread.",
    "Our network shared this last month and it sparked a good discussion.",
    "I wonder how transferable this is outside acute care.",
    "The patient stories make the case far better than the statistics.",
    "We adapted the toolkit for community nursing with good results.",
    "Good to see the limitations discussed openly.",
    "The cost analysis would be useful for commissioners.",
    "I'd love to hear from anyone who has tried this in a care home.",
    "Leadership support came up again and again in our own review.",
]
MARKDOWN_EXTRAS = [
    "**The key point for me:** teams need time, not just tools.",
    "The *real* work starts after the pilot ends.",
    "What helped us:\n\n- a weekly huddle\n- one shared measure\n- a named sponsor on the board",
    "Three things we would do again:\n\n1. involve patients from day one\n2. test small\n"
    "3. share results openly",
    "> Improvement is a team sport.\n\nThat line from the report stuck with me.",
    "There's a good summary of the method at [the IHI website](https://www.ihi.org/).",
    "We tracked it with a simple `run chart` in a spreadsheet.",
    "See also the [NHS improvement guide](https://example.org/improvement-guide) on this.",
    # How the discussion treats raw HTML: shown as text, never passed through.
    "Someone asked whether <script>alert('hi')</script> gets through in comments: it shows as "
    "text.",
    "Raw HTML like <b>this</b> is shown as typed, which is reassuring.",
]
