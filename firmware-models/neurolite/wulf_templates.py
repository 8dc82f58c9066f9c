"""Wulf's own intents as hassil templates (#5): memory, status, voice, open questions, small talk, and
out-of-domain negatives (intent `unknown`). Each line is one template (the unit the splits hold out).

Lists named with a leading underscore fill text but are not labelled slots; {fact} and {topic} are.
"""
from __future__ import annotations

import itertools

from hassil.parse_expression import parse_sentence

TEMPLATES = {
    "fr": {
        "WulfRemember": [
            "(souviens-toi|souviens toi|rappelle-toi) que {fact}",
            "retiens (que|bien que) {fact}",
            "(note|prends note|mémorise) que {fact}",
            "n'oublie pas que {fact}",
            "je (veux|voudrais) que tu retiennes que {fact}",
            "garde en mémoire que {fact}",
            "(enregistre|sauvegarde) (ça|ceci|cette info) : {fact}",
            "(pour info|pour ton information|à savoir) {fact}, retiens-le",
            "mets dans ta mémoire que {fact}",
            "il faut que tu saches que {fact}",
        ],
        "WulfRecall": [
            "qu'est-ce que tu sais (sur|à propos de|de) {topic}",
            "(rappelle-moi|redis-moi) {topic}",
            "tu te souviens (de|du) {topic}",
            "que sais-tu (sur|de) {topic}",
            "(c'était quoi|c'est quoi déjà) {topic}",
            "qu'est-ce que je t'ai dit (sur|à propos de) {topic}",
            "(cherche|retrouve) dans ta mémoire {topic}",
            "tu as retenu quoi (sur|pour) {topic}",
            "(où|où est-ce que) j'ai (mis|rangé|laissé) {topic}",
            "tu sais où j'ai (mis|rangé|laissé) {topic}",
            "qu'est-ce que j'ai dit (sur|à propos de|au sujet de) {topic}",
        ],
        "WulfStatus": [
            "(quel est ton|donne-moi ton|affiche ton) (état|statut|status)",
            "(état|statut) du système",
            "tu (fonctionnes|marches) bien",
            "(combien de|quelle) mémoire (il te reste|tu utilises|as-tu)",
            "(est-ce que tu es|tu es) (en ligne|connecté|opérationnel)",
            "(fais|lance) un diagnostic",
            "depuis combien de temps tu (tournes|es allumé)",
            "quelle est ta (version|température processeur|charge)",
            "(rapport|bilan) (système|d'état)",
        ],
        "WulfClearMemory": [
            "(oublie|efface) tout",
            "(efface|vide|réinitialise|supprime) ta mémoire",
            "oublie tout ce que je t'ai dit",
            "(fais|fait) table rase",
            "(supprime|efface) (tous tes souvenirs|toutes tes notes|l'historique)",
            "remets ta mémoire à zéro",
            "je veux que tu oublies tout",
            "(vide|nettoie) (tes souvenirs|ton historique)",
        ],
        "WulfVoiceOn": [
            "(active|allume|remets) ta voix",
            "(parle|réponds)-moi à voix haute",
            "(passe|mets-toi) en mode vocal",
            "(tu peux|je veux que tu) (parler|parles) maintenant",
            "(réactive|rallume) (la|ta) (voix|parole)",
            "réponds (à voix haute|oralement|avec ta voix)",
            "(désactive|arrête) le mode silencieux",
            "je veux t'entendre",
        ],
        "WulfVoiceOff": [
            "(coupe|désactive|éteins) ta voix",
            # not "tais-toi", "chut", "silence": HA's fr HassNevermind owns those.
            "(plus un mot|ne dis plus rien à voix haute|ferme-la)",
            "arrête de parler",
            "(passe|mets-toi) en mode (silencieux|texte|muet)",
            "ne (parle|réponds) plus à voix haute",
            "réponds (par écrit|en silence|sans parler)",
            "(active|mets) le mode silencieux",
            "je ne veux plus (t'entendre|entendre ta voix)",
        ],
        "WulfAsk": [
            "qui a (inventé|découvert|écrit|peint|fondé) {_thing}",
            "pourquoi {_why}",
            "(comment|comment est-ce qu'on) (faire|fait|fabrique|prépare) {_howto}",
            "(c'est quoi|qu'est-ce que c'est|qu'est-ce que) {_concept}",
            "explique-moi {_concept}",
            "combien (de temps faut-il pour|d'habitants a|mesure) {_count}",
            "quelle est la (capitale|population|monnaie|langue) (de|du|des) {_country}",
            "(donne-moi|dis-moi) (la définition de|ce que signifie) {_concept}",
            "quelle est la différence entre {_concept} et {_concept}",
            "(quand|en quelle année) (a eu lieu|a été créé|a commencé) {_event}",
        ],
        "WulfChat": [
            "(bonjour|salut|coucou|hello|bonsoir)[ wulf]",
            "(comment (ça va|vas-tu|tu vas)|ça va|la forme)",
            "(merci|merci beaucoup|merci bien|super merci|c'est gentil)",
            "(raconte-moi|dis-moi|tu connais) une (blague|histoire drôle)",
            "(bonne nuit|à demain|au revoir|à plus|bonne soirée)",
            "(tu es|t'es) (génial|sympa|drôle|nul|bête|marrant)",
            "(je m'ennuie|je suis (fatigué|triste|content))",
            "(qui es-tu|comment tu t'appelles|tu es qui)",
            "(je t'aime|tu m'aimes|on est amis)",
            "(quoi de neuf|quoi de beau|ça roule)",
        ],
        "unknown": [
            "(réserve|achète|trouve) (un billet|un vol|un train|une place) pour {_city}",
            "(envoie|écris) un (mail|email|message|sms) à {_person}",
            "(appelle|téléphone à) {_person}",
            "(commande|livre-moi) (une pizza|des sushis|un burger|un taxi|un uber)",
            "{_person} (est parti|est allé|a mangé|a acheté) {_misc}",
            "(le chat|mon voisin|le facteur|la voiture) (dort|est|était|a été) {_misc}",
            "(installe|désinstalle|mets à jour) (l'application|le jeu|le logiciel) {_app}",
            "(traduis|traduit) {_misc} en (anglais|espagnol|allemand)",
            "(ouvre|lance) (youtube|netflix|spotify|le navigateur|facebook) sur mon téléphone",
            "(paie|vire|rembourse) (la facture|le loyer|cinquante euros) à {_person}",
            "j'ai (perdu|cassé|oublié|trouvé) {_misc} (hier|ce matin|au travail)",
            "(blabla|azerty|test test|un deux un deux|hmm|bref)",
        ],
    },
    "en": {
        "WulfRemember": [
            "remember (that|this:) {fact}",
            "(don't|do not) forget (that|this:) {fact}",
            "(note|make a note|take note) that {fact}",
            "(please |)keep in mind that {fact}",
            "i want you to remember that {fact}",
            "(save|store|memorize) (this|that|the fact): {fact}",
            "(fyi|for your information|just so you know) {fact}, remember it",
            "put in your memory that {fact}",
            "you should know that {fact}",
        ],
        "WulfRecall": [
            "what do you (know|remember) about {topic}",
            "(remind me|tell me again) (about |)({topic})",
            "do you remember {topic}",
            "what did i (tell|say to) you about {topic}",
            "(what was|what's) {topic} again",
            "(search|look up|check) your memory for {topic}",
            "what have you (got|stored|noted) (on|about|for) {topic}",
            "where did i (put|leave|store) {topic}",
            "do you know where i (put|left|stored) {topic}",
            "what did i say (about|regarding|on) {topic}",
            "recall {topic}",
        ],
        "WulfStatus": [
            "(what's|what is|show me|give me) your (status|state)",
            "system (status|state|report)",
            "are you (working|running) (ok|fine|properly)",
            "how much memory (do you have left|are you using)",
            "are you (online|connected|up)",
            "(run|do) a (diagnostic|self test|health check)",
            "(how long have you been|what's your) (running|up|uptime)",
            "what (version are you|is your cpu temperature|is your load)",
            "(health|status) report",
        ],
        "WulfClearMemory": [
            "(forget|erase) everything",
            "(clear|wipe|reset|delete) your memory",
            "forget everything i (told|said to) you",
            "(start|begin) (fresh|from scratch) and forget everything",
            "(delete|erase) (all your memories|all your notes|the history)",
            "reset your memory to zero",
            "i want you to forget everything",
            "(clean|wipe) (your memories|your history)",
        ],
        "WulfVoiceOn": [
            "(turn on|enable|activate) your voice",
            "(talk|speak|answer) (to me |)out loud",
            "(switch to|go to|enable) voice mode",
            "you can (talk|speak) (now|again)",
            "(re-enable|unmute) your (voice|speech)",
            "(answer|reply) (with your voice|out loud|aloud)",
            "(turn off|disable|leave) (silent|quiet) mode",
            "i want to hear you",
        ],
        "WulfVoiceOff": [
            "(turn off|disable|mute) your voice",
            "(shut up|hush|be quiet|quiet)",
            "stop (talking|speaking)",
            "(switch to|go to|enable) (silent|text|quiet) mode",
            "(don't|do not) (talk|speak) out loud (anymore|any more)",
            "(answer|reply) (in text|silently|without talking)",
            "(turn on|enable|activate) (silent|quiet) mode",
            "i don't want to hear (you|your voice) anymore",
        ],
        "WulfAsk": [
            "who (invented|discovered|wrote|painted|founded) {_thing}",
            "why {_why}",
            "how (do you|do i|can i|to) (make|build|cook|fix) {_howto}",
            "what (is|are|'s) {_concept}",
            "explain {_concept} (to me|)",
            "how (long does it take to|many people live in|tall is) {_count}",
            "what is the (capital|population|currency|language) of {_country}",
            "(give me the definition of|tell me what) {_concept} (means|)",
            "what is the difference between {_concept} and {_concept}",
            "(when|in what year) (did|was) {_event} (happen|start|created|)",
        ],
        "WulfChat": [
            "(hello|hi|hey|good morning|good evening)( wulf|)",
            "(how are you|how's it going|how are you doing|you good)",
            "(thanks|thank you|thanks a lot|cheers|that's kind)",
            "(tell me|do you know) a (joke|funny story)",
            "(good night|see you tomorrow|goodbye|bye|see you later)",
            "you are (great|nice|funny|useless|dumb|awesome)",
            "(i'm bored|i am (tired|sad|happy))",
            "(who are you|what's your name|what are you)",
            "(i love you|do you love me|are we friends)",
            "(what's up|what's new|sup)",
        ],
        "unknown": [
            "(book|buy|find) (a ticket|a flight|a train|a seat) to {_city}",
            "(send|write) (an email|a message|a text) to {_person}",
            "(call|phone|ring) {_person}",
            "(order|get me) (a pizza|some sushi|a burger|a taxi|an uber)",
            "{_person} (left|went to|ate|bought) {_misc}",
            "(the cat|my neighbor|the mailman|the car) (is|was|sleeps|has been) {_misc}",
            "(install|uninstall|update) (the app|the game|the software) {_app}",
            "translate {_misc} (into|to) (spanish|german|french)",
            "(open|launch) (youtube|netflix|spotify|the browser|facebook) on my phone",
            "(pay|send|refund) (the bill|the rent|fifty dollars) to {_person}",
            "i (lost|broke|forgot|found) {_misc} (yesterday|this morning|at work)",
            "(blah blah|qwerty|testing testing|one two one two|hmm|anyway)",
        ],
    },
}

# Extra fillers: (lists are combined into many values; none of these are labelled slots but fact/topic).
_FACT_PARTS = {
    "fr": (["mon code wifi", "la clé de la cave", "le rendez-vous chez le dentiste", "l'anniversaire de Marie",
            "le mot de passe du garage", "la réunion", "le vaccin du chat", "la voiture", "le colis", "ma mère",
            "le plombier", "les lunettes de Paul", "le loyer", "la poubelle jaune", "mon passeport"],
           ["est {x}", "est prévu {when}", "arrive {when}", "est sous le pot de fleurs", "est dans le tiroir",
            "passe {when}", "coûte 45 euros", "est chez le garagiste", "doit être sortie {when}",
            "est à renouveler {when}", "aime le chocolat noir"]),
    "en": (["my wifi code", "the cellar key", "the dentist appointment", "Mary's birthday", "the garage password",
            "the meeting", "the cat's vaccine", "the car", "the parcel", "my mother", "the plumber",
            "Paul's glasses", "the rent", "the recycling bin", "my passport"],
           ["is {x}", "is scheduled {when}", "arrives {when}", "is under the flower pot", "is in the drawer",
            "comes {when}", "costs 45 dollars", "is at the mechanic", "must go out {when}", "expires {when}",
            "likes dark chocolate"]),
}
_WHEN = {"fr": ["demain", "lundi", "le 12 mars", "jeudi à 15 h", "la semaine prochaine", "ce soir", "en juin"],
         "en": ["tomorrow", "on monday", "on march 12", "thursday at 3 pm", "next week", "tonight", "in june"]}
_X = {"fr": ["bleu", "4821", "soleil2024", "important", "fini", "au deuxième étage"],
      "en": ["blue", "4821", "sunshine2024", "important", "done", "on the second floor"]}
_EXTRA_FACTS = {
    "fr": ["j'ai garé la voiture au niveau moins deux", "Léo est allergique aux arachides",
           "les clés sont dans l'entrée", "je dois rappeler Sophie", "le code de l'immeuble est 1234B",
           "on mange chez Julie samedi", "la chaudière a été révisée en octobre", "j'ai prêté la perceuse à Marc"],
    "en": ["i parked the car on level minus two", "Leo is allergic to peanuts", "the keys are in the hallway",
           "i need to call Sophie back", "the building code is 1234B", "we're having dinner at Julie's saturday",
           "the boiler was serviced in october", "i lent the drill to Mark"],
}
_LISTS = {
    "fr": {
        "_thing": ["le téléphone", "la pénicilline", "les misérables", "la joconde", "google", "l'imprimerie",
                   "la radio", "le vaccin contre la rage", "l'ampoule", "le vélo"],
        "_why": ["le ciel est bleu", "la mer est salée", "les chats ronronnent", "il fait froid en hiver",
                 "les feuilles tombent", "on a le hoquet", "la lune change de forme"],
        "_howto": ["une pâte à crêpes", "un gâteau au chocolat", "une cabane", "un noeud de cravate",
                   "du pain", "une mayonnaise", "un avion en papier"],
        "_concept": ["la photosynthèse", "un trou noir", "la relativité", "l'inflation", "un algorithme",
                     "la démocratie", "le bitcoin", "une éclipse", "l'ADN", "un volcan"],
        "_count": ["cuire un oeuf", "paris", "la tour eiffel", "aller sur mars", "lyon", "le mont blanc"],
        "_country": ["france", "japon", "brésil", "canada", "italie", "états-unis", "maroc"],
        "_event": ["la révolution française", "la première guerre mondiale", "internet", "les jeux olympiques"],
        "_city": ["paris", "lyon", "marseille", "rome", "londres", "berlin", "madrid", "nice"],
        "_person": ["maman", "papa", "Julie", "Marc", "mon patron", "Sophie", "le médecin", "mamie"],
        "_misc": ["au marché", "une pomme", "sur le toit", "très fatigué", "les clés", "mon parapluie",
                  "bonjour", "la facture", "au cinéma", "malade"],
        "_app": ["whatsapp", "candy crush", "zoom", "tiktok", "firefox", "minecraft"],
    },
    "en": {
        "_thing": ["the telephone", "penicillin", "hamlet", "the mona lisa", "google", "the printing press",
                   "the radio", "the rabies vaccine", "the light bulb", "the bicycle"],
        "_why": ["is the sky blue", "is the sea salty", "do cats purr", "is it cold in winter",
                 "do leaves fall", "do we get hiccups", "does the moon change shape"],
        "_howto": ["pancakes", "a chocolate cake", "a treehouse", "a tie knot", "bread", "mayonnaise",
                   "a paper plane"],
        "_concept": ["photosynthesis", "a black hole", "relativity", "inflation", "an algorithm",
                     "democracy", "bitcoin", "an eclipse", "dna", "a volcano"],
        "_count": ["boil an egg", "london", "the eiffel tower", "get to mars", "new york", "mount everest"],
        "_country": ["france", "japan", "brazil", "canada", "italy", "the united states", "morocco"],
        "_event": ["the french revolution", "world war one", "the internet", "the olympic games"],
        "_city": ["paris", "london", "new york", "rome", "berlin", "madrid", "boston", "chicago"],
        "_person": ["mom", "dad", "Julie", "Mark", "my boss", "Sophie", "the doctor", "grandma"],
        "_misc": ["to the market", "an apple", "on the roof", "very tired", "the keys", "my umbrella",
                  "hello", "the bill", "to the movies", "sick"],
        "_app": ["whatsapp", "candy crush", "zoom", "tiktok", "firefox", "minecraft"],
    },
}


def _facts(lang: str) -> list[str]:
    subjects, predicates = _FACT_PARTS[lang]
    out = list(_EXTRA_FACTS[lang])
    for s, p in itertools.product(subjects, predicates):
        for w, x in zip(_WHEN[lang], _X[lang] + _X[lang][:1]):
            out.append(f"{s} {p.format(when=w, x=x)}")
    return sorted(set(out))


def _topics(lang: str) -> list[str]:
    subjects = _FACT_PARTS[lang][0]
    extra = {"fr": ["mes clés", "la voiture", "le code de l'immeuble", "la perceuse", "l'allergie de Léo",
                    "le dîner de samedi", "la chaudière", "mes lunettes", "le parking"],
             "en": ["my keys", "the car", "the building code", "the drill", "Leo's allergy", "saturday's dinner",
                    "the boiler", "my glasses", "the parking spot"]}[lang]
    return sorted(set(subjects + extra))


LISTS = {lang: {**_LISTS[lang], "fact": _facts(lang), "topic": _topics(lang)} for lang in TEMPLATES}
RULES: dict = {lang: {} for lang in TEMPLATES}


def values(lang: str, list_name: str) -> list[str] | None:
    return LISTS[lang].get(list_name)


def parse(text: str):
    return parse_sentence(text)
