"""The words speaker attribution knows: speech verbs, titles, roles and bodies.

One place for the lexicons, so that a missed verb or title is a one-line fix
and the rules in :mod:`detente.model.mentions` and :mod:`detente.model.speakers`
stay free of word lists. News copy attributes speech with a small, stable
vocabulary; these lists were grown on the project's speaker set
(``data/speakers/``) and the sample articles.
"""

from __future__ import annotations

#: Finite forms that report speech or a stance taken in words ("X lashed out", "X rejected").
SPEECH_VERBS = frozenset(
    """said says told tells added adds noted notes stressed stresses warned warns explained explains
    clarified recalled argued argues insisted insists concluded announced announces declared declares
    replied replies wrote writes asked asks urged urges called calls described describes pointed
    elaborated commented complained emphasised emphasized emphasises emphasizes underlined acknowledged
    admitted conceded suggested suggests predicted stated continued reiterated lashed accused accuses
    dismissed dismisses rejected rejects welcomed welcomes criticised criticized praised hailed blamed
    blames threatened vowed pledged promised confirmed confirms denied denies countered retorted
    disagreed agreed-with objected protested condemned demanded demands appealed cautioned estimated
    signalled signaled hinted charged alleged observed remarked responded responds maintained
    expressed voiced thanked tweeted posted proposed offered""".split()
)
#: Participles whose subject is the sentence's subject: "Petrov softened his tone, telling journalists ...".
SPEECH_PARTICIPLES = frozenset(
    "saying telling adding insisting warning noting stressing arguing calling describing accusing urging".split()
)
#: Words that may stand between a subject and its speech verb ("Adler also said").
ADVERBS = frozenset("also later then further again however earlier separately repeatedly publicly".split())

#: Honorifics and military ranks dropped from a person's canonical name.
HONORIFICS = frozenset(
    """Mr Mrs Ms Miss Dr Prof Sir Dame Sheikh Sheik Princess Prince King Queen Lord Lady Rev Father
    General Gen Colonel Col Major Maj Captain Capt Lieutenant Lt Admiral Adm Sergeant Sgt Judge
    Ambassador Amb Senator Sen Governor Gov President Pres Chancellor Premier Minister Mayor Justice""".split()
)
FEMALE = frozenset("Mrs Ms Miss Dame Princess Queen Lady spokeswoman chairwoman she her".split())
MALE = frozenset("Mr Sir Sheikh Sheik Prince King Lord spokesman chairman he his him".split())

#: Nouns naming a person by their role ("the minister", "Union leader X").
PERSON_ROLES = frozenset(
    """minister secretary president chancellor premier envoy ambassador negotiator spokesman spokeswoman
    spokesperson diplomat official head chief leader expert analyst scientist economist commissioner
    mediator director chairman chairwoman chair judge general colonel major captain commander governor
    senator representative delegate executive ceo adviser advisor deputy foreign defence defense
    interior finance trade justice transport health education agriculture energy mines marine
    labour labor political politician lawyer professor observer founder coordinator manager officer
    member negotiators chairperson rapporteur researcher economist hydrologist mayor king queen prince
    princess sheikh emir state""".split()
)
#: Role nouns too general to pick a person by ("the official said" means the last person named).
GENERIC_ROLES = frozenset("official expert analyst diplomat source head".split())
#: Heads of noun phrases that name bodies: "the union", "the foreign ministry", "the state news agency".
BODY_NOUNS = frozenset(
    """ministry department government office union company firm operator carrier airline airways airlines
    agency council commission committee federation confederation association guild directorate
    secretariat alliance front movement party army forces militia brigades brigade group bloc
    partnership coalition delegation administration cabinet parliament assembly court bank fund
    organisation organization institute authority service police navy presidency embassy mission
    board management employers employer consortium network broadcaster newspaper channel television
    radio""".split()
)
#: Plural nouns that make a group of people a speaker: "officials said", "the rebels said".
GROUP_NOUNS = frozenset(
    """officials diplomats sources negotiators mediators rebels militants insurgents fighters protesters
    analysts experts economists observers lawmakers ministers residents witnesses workers members
    activists organisers organizers critics leaders delegates representatives spokesmen groups
    campaigners scientists investors traders unions employers authorities donors creditors
    farmers residents source""".split()
)
#: Synonyms for resolving "the company" to a body introduced as "the operator X".
BODY_SYNONYMS = {
    "company": {"company", "operator", "firm", "carrier", "airline", "airways", "airlines", "group"},
    "airline": {"airline", "airways", "airlines", "carrier", "company"},
    "carrier": {"airline", "airways", "airlines", "carrier", "company"},
    "firm": {"company", "firm", "operator"},
}
#: Bodies known by one word, that speak in news copy.
KNOWN_BODIES = frozenset(
    """Kremlin Pentagon Elysee Élysée Whitehall Hamas Hezbollah Taliban Gazprom OPEC NATO IMF WHO UNICEF
    UNHCR IAEA Politburo Bundestag Knesset Duma Congress Parliament Senate Vatican""".split()
)
KNOWN_BODY_PHRASES = ("White House", "State Department", "Downing Street", "Foreign Office", "Security Council")
#: Capitalised words that end the name of a body: "Civic Alliance", "National Rail Union".
ORG_HEADS = frozenset(w.capitalize() for w in BODY_NOUNS) | frozenset(
    """Directorate Secretariat Brigades Airways Airlines Confederation Guild Front Movement Institute
    Foundation Forum Corporation Inc Ltd Group Agency Ministry Commission Council Committee States News""".split()
)
#: Capitalised words that are titles or qualifiers, never part of a name.
TITLE_WORDS = HONORIFICS | frozenset(
    """Foreign Defence Defense Deputy Secretary State Prime Interior Finance Trade Justice Transport
    Health Education Agriculture Energy Mines Marine Labour Labor Chief Head Vice Permanent
    Representative Spokesman Spokeswoman Director Commissioner Envoy Negotiator Leader Chairman
    Chairwoman Chair Executive Opposition Competition Fisheries Industry Economy Environment
    Culture Army Council Union Partnership Agency Government Party Senior Former Acting Social
    Democrat Democratic Republican Liberal Conservative Republic Kingdom Federation
    Province UN U.N. EU U.S. US UK NATO""".split()
)
#: Words that start a sentence or a clause and are never names.
NOT_NAMES = frozenset(
    """The A An He She It They We I His Her Their Its Our This That These Those There In On At As But And
    Earlier Later Meanwhile However According After Before During While When Since Under Without With
    For From By To Of If Every Both Nobody Everyone Writing Speaking Asked Asking Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March April May June July August
    September October November December Q""".split()
)
PRONOUNS = {"he": "male", "she": "female", "him": "male", "her": "female", "his": "male"}
BODY_PRONOUNS = frozenset("it they its their".split())
DETERMINERS = frozenset("the a an two three four several some many other both its their".split())
#: Lower-case words that may stand inside a body's description: "the Maltaran foreign ministry".
BODY_MODIFIERS = frozenset(
    """foreign defence defense interior finance trade justice energy health education agriculture state news
    armed national regional opposition presidential military security mines""".split()
)
