"""Tell what kind of answer a question wants, and whether a passage holds that kind of thing.

"Who directs the school?" wants a person, "When…" a date, "How much does it cost?" an amount
of money, "Where can I download…" a place or a link, "How do I apply?" a procedure, "How
many…" a number. A passage about the same topic that holds none of it is related, not an
answer. Recognised from the wording in English, French, Spanish, German, Italian and
Portuguese, and from the interrogative word alone in languages where it is unambiguous (谁,
いつ, متى…). Does not rank passages: see `search`.
"""

from __future__ import annotations

import re

from assistant.documents.chunking import plain

PERSON, DATE, MONEY, PLACE, PROCEDURE, NAMES, LANGUAGE, REQUIREMENT, RANK, NUMBER = (
    "person",
    "date",
    "money",
    "place",
    "procedure",
    "names",
    "language",
    "requirement",
    "rank",
    "number",
)


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_ROLE = (
    r"director|head|president|dean|rector|chair(?:man|woman|person)?|manager|coordinator|"
    r"leader|founder|officer|minister|responsible|in charge|contact person|referent"
)
# Checked in this order: a procedure question often also says "where" or "when".
_WANTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        PROCEDURE,
        _words(
            r"\bhow (?:do|can|should|could|would|must|may) (?:i|we|one|you|students?|"
            r"a student|partners?|universit(?:y|ies)) (?:\w+ )?(?:apply|register|enrol|enroll|"
            r"sign up|join|participate|take part|get (?:in|admitted|accepted|selected)|become|"
            r"submit|obtain|request|ask for|candidate|go on (?:an )?exchange|start)",
            r"\bhow to (?:apply|register|enrol|enroll|sign up|join|participate|get admitted|"
            r"become|submit|obtain|request)",
            r"\b(?:steps|documents|paperwork|papers) (?:to|for|needed|required)",
            r"\b(?:what|which) (?:documents|papers|paperwork|forms|steps)\b|\bstep by step\b",
            r"\b(?:selection|application|admission|enrol?ment|registration) (?:process|"
            r"procedure|criteria|requirements)\b",
            r"\bapplication (?:process|procedure|form|steps|requirements)",
            r"\badmission (?:requirements|process|procedure|criteria)",
            r"\b(?:procedure|process) (?:to|for) (?:apply|join|enrol|register|become)",
            r"\bcomment (?:postuler|candidater|s'inscrire|m'inscrire|faire (?:une|ma) demande|"
            r"participer|intégrer|rejoindre|obtenir|devenir)",
            r"\b(?:démarches?|étapes|procédure|pièces|dossier) (?:à suivre |pour |de candidature|"
            r"d'inscription|nécessaires|à fournir)",
            r"\bcómo (?:puedo |se |hay que )?(?:solicitar|postular|inscribirme|inscribirse|"
            r"me inscribo|aplicar|participar|obtener)",
            r"\b(?:requisitos|trámites?|pasos) (?:para|de)",
            r"\bwie (?:kann ich mich|bewerbe ich mich|melde ich mich|bewirbt man sich|"
            r"kann man sich)",
            r"\b(?:bewerbungsverfahren|bewerbungsunterlagen|voraussetzungen für)",
            r"\bcome (?:faccio|posso|si fa) (?:a )?(?:candidarmi|iscrivermi|fare domanda|"
            r"partecipare)",
            r"\bcomo (?:posso |faço para |me )?(?:candidatar|inscrever|me inscrevo|participar|"
            r"solicitar)",
            r"如何申请|怎么申请|怎样申请|申请流程|申请步骤|申请材料|申請方法|"
            r"كيف (?:أتقدم|يمكنني التقديم|يمكنني التسجيل|أسجل)|как (?:подать|поступить)",
        ),
    ),
    (
        PLACE,
        _words(
            r"\bwhere (?:can|do|should|could|may|would) (?:i|we|one|you) (?:find|get|download|"
            r"read|see|submit|send|apply|register|sign|contact|ask|go to (?:ask|apply|register))\b",
            r"\bwhere (?:to|is the (?:office|document|form|file|pdf|policy|building|"
            r"international office)|are the (?:offices|documents|forms))",
            r"\b(?:link|url|web ?site|web ?page|download|e-?mail address|postal address|"
            r"phone number|telephone|office address|street address)\b",
            r"\bwhich (?:office|building|room|desk|service)\b",
            r"\bwhere (?:is|are) (?:the )?(?:\w+ ){0,3}(?:office|building|department|desk|"
            r"services?)\b|\blocated\b",
            r"\boù (?:puis-je|peut-on|trouver|télécharger|se trouve|est le bureau|"
            r"dois-je|s'adresser)",
            r"\b(?:lien|site (?:web|internet)|télécharger|adresse (?:mail|e-mail|postale)?|"
            r"numéro de téléphone)\b",
            r"\bdónde (?:puedo|se puede|encuentro|está|descargo)|\b(?:enlace|sitio web|"
            r"descargar|dirección de correo)\b",
            r"\bwo (?:finde|kann|bekomme|ist das büro)|\b(?:webseite|herunterladen)\b",
            r"\bdove (?:posso|si trova|trovo)|\b(?:sito web|scaricare|indirizzo)\b",
            r"\bonde (?:posso|encontro|fica)|\b(?:baixar|endereço)\b",
            r"链接|网址|网站|下载|地址|在哪里(?:可以)?(?:找到|下载|申请)|ダウンロード|"
            r"رابط|موقع (?:الويب|الإلكتروني)|где (?:найти|скачать)",
        ),
    ),
    (
        MONEY,
        _words(
            r"\bhow much (?:does|do|is|are|will|would|money)\b|\bhow expensive",
            r"\b(?:cost|costs|fees?|price|tuition|salary|salaries|funding amount|grant amount|"
            r"budget)\b|\b(?:pay for|to pay|pay the|paid)\b",
            r"\bcombien (?:coûte|ça coûte|d'argent|faut-il payer|paie-t-on|payer)",
            r"\b(?:coût|frais|prix|montant|tarifs?|droits d'inscription|bourse)\b",
            r"\bcuánto (?:cuesta|cuestan|vale|hay que pagar)|\b(?:costo|coste|precio|tasas|"
            r"matrícula|beca)\b",
            r"\bwie viel (?:kostet|kosten|zahlt)|\b(?:kosten|gebühren?|studiengebühren|"
            r"stipendium)\b",
            r"\bquanto (?:costa|costano|custa|custam)|\b(?:tasse|costo|custo|propinas|"
            r"mensalidade|borsa di studio|bolsa)\b",
            r"多少钱|费用|学费|奖学金|いくら|費用|学費|كم (?:تكلفة|يكلف|تبلغ)|رسوم|منحة|"
            r"сколько стоит|стоимость|얼마",
        ),
    ),
    (
        DATE,
        _words(
            r"^\W*(?:\w+ )?when\b|\bwhen (?:was|were|did|does|do|is|are|will|would|can|should|"
            r"must|has|have)\b|\bwhat (?:year|date|day|time)\b|\bwhich (?:year|date|day|month)\b|"
            r"\bsince when\b|\bhow long ago\b|\bdeadlines?\b",
            r"\bquand\b|\b(?:quelle|en quelle) (?:année|date)\b|\bdepuis quand\b|"
            r"\bdate limite\b",
            r"\bcuándo\b|\b(?:qué|en qué) (?:año|fecha)\b|\bfecha límite\b",
            r"\bwann\b|\b(?:welches|in welchem) jahr\b|\bseit wann\b|\bfrist\b",
            r"\bquando\b|\b(?:che|in che|que|em que) (?:anno|ano|data)\b|\bscadenza\b|\bprazo\b",
            r"什么时候|何时|哪一年|哪年|截止|いつ|何年|متى|في أي سنة|когда|в каком году|언제|"
            r"\bne zaman\b|कब",
        ),
    ),
    (
        PERSON,
        _words(
            rf"\bwho(?:'s| is| was| are| were)? (?:the )?(?:current )?(?:{_ROLE})\b",
            r"\bwho (?:directs|heads|leads|runs|manages|founded|created|wrote|signed|approved|"
            r"coordinates|is responsible|is in charge|should i|do i|can i|to) ?",
            rf"\b(?:name|names) of the (?:{_ROLE})|\bwhom (?:should|do|can|to)\b",
            r"\bqui (?:est|dirige|gère|a fondé|a écrit|a signé|contacter|coordonne|est le|"
            r"est la|sont les responsables)|\bà qui (?:m'adresser|dois-je|écrire|s'adresser)",
            r"\bquién (?:es|dirige|está a cargo|firmó)|\ba quién\b",
            r"\bwer (?:ist|leitet|hat|führt)|\ban wen\b",
            r"\bchi (?:è|dirige|ha)|\ba chi\b",
            r"\bquem (?:é|dirige|assinou)|\ba quem\b",
            r"谁|誰|من هو|من هي|من يدير|кто|누구|\bkim\b|कौन",
        ),
    ),
    (
        NAMES,
        _words(
            r"\b(?:which|what|name the|list the) (?:\w+ )?(?:compan(?:y|ies)|firms?|"
            r"business(?:es)?|employers?|corporations?|universit(?:y|ies)|schools?|"
            r"institutions?|labs?|laborator(?:y|ies)|partners?|partner universit(?:y|ies)|"
            r"partner schools?)\b",
            r"\bnames? of\b|\bname(?:s)? them\b",
            r"\b(?:quelles|lesquelles) (?:\w+ )?(?:entreprises|sociétés|universités|écoles|"
            r"institutions|partenaires)\b|\bnoms? des (?:entreprises|universités|partenaires)",
            r"\b(?:qué|cuáles) (?:\w+ )?(?:empresas|universidades|escuelas)\b",
            r"\bwelche (?:\w+ )?(?:unternehmen|firmen|universitäten|hochschulen)\b",
            r"\bquali (?:\w+ )?(?:aziende|imprese|università)\b",
            r"\bquais (?:\w+ )?(?:empresas|universidades)\b",
            r"哪些(?:公司|企业|大学|学校)|どの(?:企業|大学)|ما هي (?:الشركات|الجامعات)",
        ),
    ),
    (
        LANGUAGE,
        _words(
            r"\b(?:in )?(?:what|which) languages?\b|\b(?:quelle|en quelle) langue\b|"
            r"\b(?:qué|en qué) idioma\b|\bwelche[rn]? sprache\b|\b(?:quale|in quale) lingua\b|"
            r"\b(?:qual|em que) (?:idioma|língua)\b|什么语言|哪种语言|何語|بأي لغة",
        ),
    ),
    (
        REQUIREMENT,
        _words(
            r"\b(?:mandatory|compulsory|obligatory|required|requirement|prerequisites?|"
            r"minimum (?:level|grade|score|gpa)|need (?:a|an|to have|to speak))\b",
            r"\b(?:obligatoire|exigé|requis|niveau minimum)\b|\b(?:obligatorio|requisito)\b|"
            r"\b(?:pflicht|verpflichtend|voraussetzung)\b|\b(?:obbligatorio|requisito)\b|"
            r"\b(?:obrigatório|requisito)\b|必须|必需|要求|必須|إلزامي",
        ),
    ),
    (
        RANK,
        _words(
            r"\b(?:exact|precise|actual|current) (?:position|place|rank|ranking)\b|"
            r"\bwhat (?:rank|position|place)\b|\branked (?:number|#)|\bwhich (?:rank|position)\b",
            r"\b(?:position|place|rank) (?:in|on|within) (?:the |its )?(?:\w+ )?(?:ranking|"
            r"rankings|league tables?|classification)\b",
            r"\b(?:quelle|à quelle) (?:place|position)\b|\bquel rang\b|\bqué (?:puesto|posición)\b|"
            r"\bwelche[rn]? (?:platz|rang)\b|\bche posizione\b|\bque posição\b|排名第几|第几名",
        ),
    ),
    (
        NUMBER,
        _words(
            r"\bhow many\b|\bwhat (?:is the )?(?:number|percentage|share|proportion) of\b",
            r"\bcombien de\b|\bquel (?:est le )?nombre\b",
            r"\bcuánt[oa]s\b|\bwie viele\b|\bquant[ie]\b|\bquant[oa]s\b",
            r"多少|几个|何人|كم عدد|сколько|몇",
        ),
    ),
)

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousand|thousands|dozen|dozens|million"
)
_HOLDS = {
    PERSON: re.compile(
        r"\b(?:Mr|Mrs|Ms|Dr|Prof)\.? [A-Z]|\b(?:director|president|dean|head|rector|chair)"
        r"(?:,| is| was|:) (?:Mr |Mrs |Ms |Dr |Prof\. )?[A-Z][a-z]+ [A-Z]",
    ),
    # A year is a date only where it reads as one ("in 2019", "2019-2020"): "1900 foreign
    # students" is a count.
    DATE: re.compile(
        r"\b(?:in|since|by|from|until|before|after|year|of)\s+(?:1[89]|20)\d{2}\b|"
        r"\b(?:1[89]|20)\d{2}\s*[-–/]\s*(?:1[89]|20)?\d{2}\b|"
        r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:January|February|"
        r"March|April|May|June|July|August|September|October|November|December)\b",
    ),
    MONEY: re.compile(r"[€$£¥]|\b(?:EUR|USD|euros?|dollars?)\b|\b(?:fees?|costs?) of\b", re.I),
    PLACE: re.compile(
        r"https?://|\bwww\.|\S+@\S+\.\w+|\b(?:office|building|room|website|web page|"
        r"avenue|street|rue)\b",
        re.I,
    ),
    PROCEDURE: re.compile(
        r"\b(?:apply|applying|application|register|registration|enrol|enrolment|submit|"
        r"step|steps|form|deadline|requirements?|eligible|eligibility)\b",
        re.I,
    ),
    # A proper name of a company or a university: "Université de Lyon", "Tongji University".
    NAMES: re.compile(
        r"\b(?:Universit(?:y|é|à|ät|ad|ade)|Institute|Institut|College|Polytechnic|Company|"
        r"Inc|Ltd|GmbH|S\.A\.|Corporation|Laborator(?:y|ies))\b(?: (?:of|de|du|des) )?[A-Z]|"
        r"\b[A-Z][a-z]+ (?:University|Institute|College|Inc|Ltd|GmbH|Corporation)\b",
    ),
    LANGUAGE: re.compile(
        r"\b(?:English|French|Spanish|German|Chinese|Italian|Portuguese|Arabic|Japanese|"
        r"language|languages|bilingual)\b",
    ),
    REQUIREMENT: re.compile(
        r"\b(?:mandatory|compulsory|obligatory|required|requirements?|prerequisites?)\b|"
        r"\bmust (?:have|be|hold|pass|complete|take|spend|speak)\b",
        re.I,
    ),
    RANK: re.compile(r"\b\d+(?:st|nd|rd|th)\b|\branked\b|#\d|\bnumber \d", re.I),
    NUMBER: re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I),
}


def wanted_kind(question: str) -> str | None:
    """Return the kind of thing the question asks for, or None for any other question."""
    return next((kind for kind, pattern in _WANTS if pattern.search(question)), None)


def holds(kind: str, text: str) -> bool:
    """Tell whether a passage holds the kind of thing a question wants (footnote marks such
    as `[^4]` are not numbers)."""
    return bool(_HOLDS[kind].search(plain(text)))
