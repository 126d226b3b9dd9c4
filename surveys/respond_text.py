"""Words of the participant pages in English, Spanish, French and Arabic (right-to-left).

A small catalogue of its own (not the staff gettext catalogues, which have English and Spanish
only): the participant pages need four languages and about sixty strings. Every key has all four
languages (a test checks it), so a participant never sees a silent fallback. Placeholders use
``str.format`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from surveys.instruments import LANGUAGES, RTL_LANGUAGES

LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"}

TEXT: dict[str, dict[str, str]] = {
    "survey": {"en": "Survey", "es": "Encuesta", "fr": "Questionnaire", "ar": "استبيان"},
    "language": {"en": "Language", "es": "Idioma", "fr": "Langue", "ar": "اللغة"},
    "wave_pre": {
        "en": "Before the activity",
        "es": "Antes de la actividad",
        "fr": "Avant l'activité",
        "ar": "قبل النشاط",
    },
    "wave_post": {
        "en": "After the activity",
        "es": "Después de la actividad",
        "fr": "Après l'activité",
        "ar": "بعد النشاط",
    },
    "wave_follow_up": {
        "en": "Some time later",
        "es": "Un tiempo después",
        "fr": "Quelque temps après",
        "ar": "بعد مرور بعض الوقت",
    },
    "intro_title": {"en": "Welcome", "es": "Bienvenida", "fr": "Bienvenue", "ar": "أهلًا بك"},
    "intro_time": {
        "en": "There are {n} short questions. It takes about {minutes} minutes.",
        "es": "Son {n} preguntas cortas. Se tarda unos {minutes} minutos.",
        "fr": "Il y a {n} questions courtes. Cela prend environ {minutes} minutes.",
        "ar": "هناك {n} سؤالًا قصيرًا، وتستغرق الإجابة نحو {minutes} دقائق.",
    },
    "intro_what": {
        "en": "We ask how you feel about the people you meet in this activity and where you "
        "live. There are no right or wrong answers.",
        "es": "Preguntamos qué siente hacia las personas que conoce en esta actividad y donde "
        "vive. No hay respuestas correctas ni incorrectas.",
        "fr": "Nous vous demandons ce que vous ressentez envers les personnes que vous "
        "rencontrez dans cette activité et là où vous vivez. Il n'y a pas de bonne ou de "
        "mauvaise réponse.",
        "ar": "نسألك عن شعورك تجاه الأشخاص الذين تلتقي بهم في هذا النشاط وفي المكان الذي "
        "تعيش فيه. لا توجد إجابات صحيحة أو خاطئة.",
    },
    "intro_private": {
        "en": "Your answers are private. The organizers only see results for whole groups, "
        "never your name.",
        "es": "Sus respuestas son privadas. Quienes organizan solo ven resultados de grupos "
        "enteros, nunca su nombre.",
        "fr": "Vos réponses sont confidentielles. Les organisateurs ne voient que des résultats "
        "par groupe, jamais votre nom.",
        "ar": "إجاباتك سرية. لا يرى المنظمون إلا نتائج المجموعات كاملة، ولا يرون اسمك أبدًا.",
    },
    "intro_saved": {
        "en": "Your answers are saved as you go. If you stop, open the same link again to "
        "continue.",
        "es": "Sus respuestas se guardan a medida que avanza. Si se detiene, abra el mismo "
        "enlace para continuar.",
        "fr": "Vos réponses sont enregistrées au fur et à mesure. Si vous vous arrêtez, "
        "rouvrez le même lien pour continuer.",
        "ar": "تُحفظ إجاباتك أولًا بأول. إذا توقفت، افتح الرابط نفسه مرة أخرى لتكمل.",
    },
    "intro_voluntary": {
        "en": "Taking part is your choice. If you do not want to answer, simply close this page.",
        "es": "Participar es su decisión. Si no quiere responder, simplemente cierre esta página.",
        "fr": "Participer est votre choix. Si vous ne souhaitez pas répondre, fermez simplement "
        "cette page.",
        "ar": "المشاركة اختيارك. إذا كنت لا ترغب في الإجابة، أغلق هذه الصفحة ببساطة.",
    },
    "start": {"en": "Start", "es": "Empezar", "fr": "Commencer", "ar": "ابدأ"},
    "welcome_back": {
        "en": "Welcome back! Your answers so far are saved.",
        "es": "¡Hola de nuevo! Sus respuestas hasta ahora están guardadas.",
        "fr": "Bon retour\u00a0! Vos réponses sont déjà enregistrées.",
        "ar": "أهلًا بعودتك! إجاباتك حتى الآن محفوظة.",
    },
    "continue": {"en": "Continue", "es": "Continuar", "fr": "Continuer", "ar": "تابِع"},
    "page_of": {
        "en": "Page {page} of {pages}",
        "es": "Página {page} de {pages}",
        "fr": "Page {page} sur {pages}",
        "ar": "الصفحة {page} من {pages}",
    },
    "next": {"en": "Next", "es": "Siguiente", "fr": "Suivant", "ar": "التالي"},
    "back": {"en": "Back", "es": "Atrás", "fr": "Retour", "ar": "السابق"},
    "finish": {
        "en": "Send my answers",
        "es": "Enviar mis respuestas",
        "fr": "Envoyer mes réponses",
        "ar": "أرسل إجاباتي",
    },
    "saved": {"en": "Saved", "es": "Guardado", "fr": "Enregistré", "ar": "تم الحفظ"},
    "all_required": {
        "en": "Please answer every question.",
        "es": "Por favor, responda todas las preguntas.",
        "fr": "Merci de répondre à toutes les questions.",
        "ar": "يُرجى الإجابة عن جميع الأسئلة.",
    },
    "missing_here": {
        "en": "Some questions on this page have no answer yet. They are marked below.",
        "es": "Algunas preguntas de esta página aún no tienen respuesta. Están marcadas abajo.",
        "fr": "Certaines questions de cette page n'ont pas encore de réponse. Elles sont "
        "signalées ci-dessous.",
        "ar": "بعض الأسئلة في هذه الصفحة لم تُجب عنها بعد. وهي مُعلَّمة في الأسفل.",
    },
    "missing_pages": {
        "en": "Some questions are still unanswered, on page {pages}.",
        "es": "Aún quedan preguntas sin responder, en la página {pages}.",
        "fr": "Il reste des questions sans réponse, page {pages}.",
        "ar": "ما زالت هناك أسئلة بلا إجابة، في الصفحة {pages}.",
    },
    "go_to_page": {
        "en": "Go to page {page}",
        "es": "Ir a la página {page}",
        "fr": "Aller à la page {page}",
        "ar": "انتقل إلى الصفحة {page}",
    },
    "choose_answer": {
        "en": "Please choose an answer.",
        "es": "Por favor, elija una respuesta.",
        "fr": "Merci de choisir une réponse.",
        "ar": "يُرجى اختيار إجابة.",
    },
    "invalid_answer": {
        "en": "One answer could not be read. Please choose it again.",
        "es": "No se pudo leer una respuesta. Por favor, elíjala de nuevo.",
        "fr": "Une réponse n'a pas pu être lue. Merci de la choisir à nouveau.",
        "ar": "تعذّرت قراءة إحدى الإجابات. يُرجى اختيارها مرة أخرى.",
    },
    "thanks_title": {"en": "Thank you!", "es": "¡Gracias!", "fr": "Merci\u00a0!", "ar": "شكرًا لك!"},
    "thanks_body": {
        "en": "Your answers have been received.",
        "es": "Hemos recibido sus respuestas.",
        "fr": "Nous avons bien reçu vos réponses.",
        "ar": "لقد وصلتنا إجاباتك.",
    },
    "already_title": {
        "en": "Already received",
        "es": "Ya recibido",
        "fr": "Déjà reçu",
        "ar": "وصلتنا من قبل",
    },
    "already_body": {
        "en": "Your answers to this survey were already received. Thank you! There is nothing "
        "else to do.",
        "es": "Ya recibimos sus respuestas a esta encuesta. ¡Gracias! No tiene que hacer nada más.",
        "fr": "Nous avons déjà reçu vos réponses à ce questionnaire. Merci\u00a0! Vous n'avez "
        "rien d'autre à faire.",
        "ar": "وصلتنا إجاباتك عن هذا الاستبيان من قبل. شكرًا لك! لا يلزمك فعل أي شيء آخر.",
    },
    "close_page": {
        "en": "You can close this page now.",
        "es": "Ya puede cerrar esta página.",
        "fr": "Vous pouvez fermer cette page.",
        "ar": "يمكنك إغلاق هذه الصفحة الآن.",
    },
    "unknown_title": {
        "en": "We could not find this survey",
        "es": "No encontramos esta encuesta",
        "fr": "Nous n'avons pas trouvé ce questionnaire",
        "ar": "لم نعثر على هذا الاستبيان",
    },
    "unknown_body": {
        "en": "This link does not work. Please check it, or ask the person who gave it to you "
        "for a new one.",
        "es": "Este enlace no funciona. Compruébelo o pida uno nuevo a la persona que se lo dio.",
        "fr": "Ce lien ne fonctionne pas. Vérifiez-le ou demandez-en un nouveau à la personne "
        "qui vous l'a donné.",
        "ar": "هذا الرابط لا يعمل. يُرجى التحقق منه، أو طلب رابط جديد من الشخص الذي أعطاك إياه.",
    },
    "revoked_title": {
        "en": "This link is no longer active",
        "es": "Este enlace ya no está activo",
        "fr": "Ce lien n'est plus actif",
        "ar": "هذا الرابط لم يعد فعّالًا",
    },
    "revoked_body": {
        "en": "This link has been withdrawn. Please ask the person who gave it to you for a new "
        "one.",
        "es": "Este enlace fue retirado. Pida uno nuevo a la persona que se lo dio.",
        "fr": "Ce lien a été retiré. Demandez-en un nouveau à la personne qui vous l'a donné.",
        "ar": "تم سحب هذا الرابط. يُرجى طلب رابط جديد من الشخص الذي أعطاك إياه.",
    },
    "closed_title": {
        "en": "This survey is closed",
        "es": "Esta encuesta está cerrada",
        "fr": "Ce questionnaire est fermé",
        "ar": "هذا الاستبيان مغلق",
    },
    "closed_body": {
        "en": "This survey closed on {date}. Thank you for your interest.",
        "es": "Esta encuesta se cerró el {date}. Gracias por su interés.",
        "fr": "Ce questionnaire a fermé le {date}. Merci de votre intérêt.",
        "ar": "أُغلق هذا الاستبيان في {date}. شكرًا لاهتمامك.",
    },
    "not_open_title": {
        "en": "This survey is not open yet",
        "es": "Esta encuesta aún no está abierta",
        "fr": "Ce questionnaire n'est pas encore ouvert",
        "ar": "هذا الاستبيان لم يُفتح بعد",
    },
    "not_open_body": {
        "en": "This survey opens on {date}. Please come back then: your link will work.",
        "es": "Esta encuesta se abre el {date}. Vuelva ese día: su enlace funcionará.",
        "fr": "Ce questionnaire ouvre le {date}. Revenez à cette date\u00a0: votre lien "
        "fonctionnera.",
        "ar": "يُفتح هذا الاستبيان في {date}. يُرجى العودة حينها، وسيعمل رابطك.",
    },
    "busy_title": {
        "en": "Please try again",
        "es": "Inténtelo de nuevo",
        "fr": "Merci de réessayer",
        "ar": "يُرجى المحاولة مرة أخرى",
    },
    "busy_body": {
        "en": "Something went wrong on our side. Your saved answers are safe. Please try again "
        "in a minute.",
        "es": "Algo falló de nuestro lado. Sus respuestas guardadas están a salvo. Inténtelo de "
        "nuevo en un minuto.",
        "fr": "Un problème est survenu de notre côté. Vos réponses enregistrées sont en "
        "sécurité. Réessayez dans une minute.",
        "ar": "حدث خطأ من جهتنا. إجاباتك المحفوظة في أمان. يُرجى المحاولة بعد دقيقة.",
    },
    "expired_title": {
        "en": "Please send that page again",
        "es": "Envíe esa página de nuevo",
        "fr": "Merci de renvoyer cette page",
        "ar": "يُرجى إرسال تلك الصفحة مرة أخرى",
    },
    "expired_body": {
        "en": "The page was open for too long, so its last answers were not received. Your "
        "earlier answers are safe. Open the page again and send it once more.",
        "es": "La página estuvo abierta demasiado tiempo y sus últimas respuestas no llegaron. "
        "Sus respuestas anteriores están a salvo. Vuelva a abrir la página y envíela otra vez.",
        "fr": "La page est restée ouverte trop longtemps\u00a0: ses dernières réponses ne sont "
        "pas arrivées. Vos réponses précédentes sont en sécurité. Rouvrez la page et "
        "renvoyez-la.",
        "ar": "بقيت الصفحة مفتوحة مدة طويلة، فلم تصلنا إجاباتها الأخيرة. إجاباتك السابقة في أمان. "
        "افتح الصفحة مرة أخرى وأرسلها من جديد.",
    },
    "expired_again": {
        "en": "Open the page again",
        "es": "Volver a abrir la página",
        "fr": "Rouvrir la page",
        "ar": "افتح الصفحة مرة أخرى",
    },
    "anonymous_note": {
        "en": "This survey is anonymous: we never ask for your name.",
        "es": "Esta encuesta es anónima: nunca le pedimos su nombre.",
        "fr": "Ce questionnaire est anonyme\u00a0: nous ne demandons jamais votre nom.",
        "ar": "هذا الاستبيان مجهول الهوية: لا نسألك عن اسمك أبدًا.",
    },
    "code_title": {
        "en": "Your personal code",
        "es": "Su código personal",
        "fr": "Votre code personnel",
        "ar": "رمزك الشخصي",
    },
    "code_intro": {
        "en": "To connect your answers today with your answers later, without knowing who you "
        "are, please answer four questions. Answer them the same way every time.",
        "es": "Para unir sus respuestas de hoy con las de más adelante sin saber quién es, "
        "responda cuatro preguntas. Respóndalas siempre de la misma manera.",
        "fr": "Pour relier vos réponses d'aujourd'hui à celles de plus tard sans savoir qui vous "
        "êtes, répondez à quatre questions. Répondez-y toujours de la même façon.",
        "ar": "لربط إجاباتك اليوم بإجاباتك لاحقًا دون أن نعرف من أنت، أجب عن أربعة أسئلة. "
        "أجب عنها بالطريقة نفسها في كل مرة.",
    },
    "prompt_mother": {
        "en": "First letter of your mother's first name (or of the person who raised you)",
        "es": "Primera letra del nombre de su madre (o de la persona que le crio)",
        "fr": "Première lettre du prénom de votre mère (ou de la personne qui vous a élevé·e)",
        "ar": "الحرف الأول من اسم والدتك (أو من ربّاك)",
    },
    "prompt_day": {
        "en": "Day of the month you were born (1 to 31)",
        "es": "Día del mes en que nació (del 1 al 31)",
        "fr": "Jour du mois de votre naissance (de 1 à 31)",
        "ar": "يوم الشهر الذي وُلدت فيه (من 1 إلى 31)",
    },
    "prompt_siblings": {
        "en": "How many older brothers and sisters do you have? (0 if none)",
        "es": "¿Cuántos hermanos o hermanas mayores tiene? (0 si no tiene)",
        "fr": "Combien de frères et sœurs plus âgés avez-vous\u00a0? (0 si aucun)",
        "ar": "كم عدد إخوتك وأخواتك الأكبر منك؟ (0 إن لم يكن لديك)",
    },
    "prompt_birthplace": {
        "en": "First letter of the town or city where you were born",
        "es": "Primera letra del pueblo o ciudad donde nació",
        "fr": "Première lettre de la ville ou du village où vous êtes né·e",
        "ar": "الحرف الأول من اسم المدينة أو البلدة التي وُلدت فيها",
    },
    "need_letter": {
        "en": "Please write a letter.",
        "es": "Por favor, escriba una letra.",
        "fr": "Merci d'écrire une lettre.",
        "ar": "يُرجى كتابة حرف.",
    },
    "need_day": {
        "en": "Please write a number from 1 to 31.",
        "es": "Por favor, escriba un número del 1 al 31.",
        "fr": "Merci d'écrire un nombre de 1 à 31.",
        "ar": "يُرجى كتابة رقم من 1 إلى 31.",
    },
    "need_number": {
        "en": "Please write a number (0 if none).",
        "es": "Por favor, escriba un número (0 si no tiene).",
        "fr": "Merci d'écrire un nombre (0 si aucun).",
        "ar": "يُرجى كتابة رقم (0 إن لم يوجد).",
    },
    "group_question": {
        "en": "Which describes you best?",
        "es": "¿Qué le describe mejor?",
        "fr": "Qu'est-ce qui vous décrit le mieux\u00a0?",
        "ar": "أيّ مما يلي يصفك أكثر؟",
    },
    "group_migrant": {
        "en": "I moved here from another country",
        "es": "Llegué aquí desde otro país",
        "fr": "Je suis arrivé·e ici d'un autre pays",
        "ar": "انتقلت إلى هنا من بلد آخر",
    },
    "group_host": {
        "en": "I was born here, or have lived here most of my life",
        "es": "Nací aquí o he vivido aquí casi toda mi vida",
        "fr": "Je suis né·e ici, ou j'y ai vécu presque toute ma vie",
        "ar": "وُلدت هنا، أو عشت هنا معظم حياتي",
    },
    "group_other": {
        "en": "Neither of these",
        "es": "Ninguna de las dos",
        "fr": "Aucune des deux",
        "ar": "لا هذا ولا ذاك",
    },
    "age_question": {
        "en": "Are you younger than {age}?",
        "es": "¿Tiene menos de {age} años?",
        "fr": "Avez-vous moins de {age} ans\u00a0?",
        "ar": "هل عمرك أقل من {age} سنة؟",
    },
    "yes": {"en": "Yes", "es": "Sí", "fr": "Oui", "ar": "نعم"},
    "no": {"en": "No", "es": "No", "fr": "Non", "ar": "لا"},
    "need_choice": {
        "en": "Please choose one.",
        "es": "Por favor, elija una opción.",
        "fr": "Merci de choisir une réponse.",
        "ar": "يُرجى اختيار واحد.",
    },
    "code_in_use": {
        "en": "Someone has already started this survey with the same code. Please check your "
        "four answers. If it was you on another phone, ask the organizer for help.",
        "es": "Alguien ya empezó esta encuesta con el mismo código. Revise sus cuatro "
        "respuestas. Si fue usted en otro teléfono, pida ayuda a quien organiza.",
        "fr": "Quelqu'un a déjà commencé ce questionnaire avec le même code. Vérifiez vos "
        "quatre réponses. Si c'était vous sur un autre téléphone, demandez de l'aide aux "
        "organisateurs.",
        "ar": "بدأ شخص ما هذا الاستبيان بالرمز نفسه. يُرجى التحقق من إجاباتك الأربع. إذا كنت "
        "أنت من بدأ على هاتف آخر، فاطلب المساعدة من المنظمين.",
    },
    "code_done": {
        "en": "Answers with this code were already received in this survey. Thank you! If this "
        "is not you, please check your four answers.",
        "es": "Ya se recibieron respuestas con este código en esta encuesta. ¡Gracias! Si no "
        "fue usted, revise sus cuatro respuestas.",
        "fr": "Des réponses avec ce code ont déjà été reçues pour ce questionnaire. Merci\u00a0! "
        "Si ce n'était pas vous, vérifiez vos quatre réponses.",
        "ar": "وصلتنا من قبل إجابات بهذا الرمز في هذا الاستبيان. شكرًا لك! إن لم تكن أنت، "
        "فيُرجى التحقق من إجاباتك الأربع.",
    },
    "keep_link": {
        "en": "To continue later, keep this page open or bookmark it.",
        "es": "Para continuar más tarde, deje esta página abierta o guárdela en favoritos.",
        "fr": "Pour continuer plus tard, gardez cette page ouverte ou ajoutez-la aux favoris.",
        "ar": "لتكمل لاحقًا، أبقِ هذه الصفحة مفتوحة أو احفظها في المفضلة.",
    },
    "resume_here": {
        "en": "Continue the survey you started on this phone",
        "es": "Continuar la encuesta que empezó en este teléfono",
        "fr": "Continuer le questionnaire commencé sur ce téléphone",
        "ar": "أكمل الاستبيان الذي بدأته على هذا الهاتف",
    },
    "new_person": {
        "en": "I am someone else: start a new survey",
        "es": "Soy otra persona: empezar una encuesta nueva",
        "fr": "Je suis une autre personne\u00a0: commencer un nouveau questionnaire",
        "ar": "أنا شخص آخر: ابدأ استبيانًا جديدًا",
    },
    "question_n": {
        "en": "Question {n}",
        "es": "Pregunta {n}",
        "fr": "Question {n}",
        "ar": "السؤال {n}",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """The text in `lang` (English if the language is unknown), with placeholders filled."""
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every text in one language, for templates (`T.start`); built once per language, read-only."""
    return MappingProxyType({key: entry.get(lang) or entry["en"] for key, entry in TEXT.items()})


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def pick_language(*candidates: str | None) -> str:
    """The first candidate that is a survey language, else English."""
    for candidate in candidates:
        code = (candidate or "").strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def accept_language(header: str) -> str | None:
    """The browser's most preferred survey language, from an Accept-Language header."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, code.strip().lower()[:2]))
    for _, _, code in sorted(ranked):
        if code in LANGUAGES:
            return code
    return None
