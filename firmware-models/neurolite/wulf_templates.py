"""Wulf's own intents as hassil templates (#5): memory, status, voice, open questions, small talk, and
out-of-domain negatives (intent `unknown`). Each line is one template (the unit the splits hold out).

Lists named with a leading underscore fill text but are not labelled slots; {fact} and {topic} are.
"""
from __future__ import annotations

import itertools

from hassil.parse_expression import parse_sentence

# Templates are combinations of shared expansion rules (<rule>), as Home Assistant writes its own: a
# template held out of training is a new combination of phrasings the model has seen in other templates.
RULE_TEXT = {
    "fr": {
        "retiens": "(souviens-toi|souviens toi|rappelle-toi|retiens|note|prends note|mémorise|garde en mémoire|n'oublie pas)",
        "sais": "(qu'est-ce que tu sais|que sais-tu|tu te souviens|qu'est-ce que tu as retenu|qu'est-ce que je t'ai dit|rappelle-moi ce que tu sais)",
        "sur": "(sur|à propos de|de|au sujet de|concernant)",
        "memoire": "(ta mémoire|tes souvenirs|tes notes|ton historique)",
        "efface": "(efface|vide|réinitialise|supprime|nettoie|remets à zéro)",
        "oublie_tout": "(oublie tout|efface tout|fais table rase)",
        "etat": "(ton état|ton statut|l'état du système|le statut du système|ton diagnostic)",
        "donne": "(donne-moi|affiche|montre-moi|quel est|dis-moi)",
        "ta_voix": "(ta voix|la voix|la parole|le mode vocal)",
        "mode_silence": "(le mode silencieux|le mode muet|le mode texte)",
        "active": "(active|allume|remets|réactive|rallume|mets)",
        "coupe": "(coupe|désactive|éteins|arrête|stoppe|enlève)",
        "a_voix_haute": "(à voix haute|oralement|avec ta voix|tout haut)",
        "par_ecrit": "(par écrit|en silence|sans parler|en texte)",
        "reponds": "(parle|réponds|parle-moi|réponds-moi)",
        "qui_quoi": "(qui a inventé|qui a découvert|qui a écrit|qui a fondé|c'est quoi|qu'est-ce que c'est|explique-moi|pourquoi|comment marche|comment fonctionne)",
        "salut": "(bonjour|salut|coucou|hello|bonsoir|hey)",
        "ca_va": "(comment ça va|ça va|comment vas-tu|tu vas bien|la forme)",
        "merci": "(merci|merci beaucoup|super merci|c'est gentil|t'es sympa)",
        "blague": "(raconte-moi une blague|dis-moi une blague|une histoire drôle|fais-moi rire)",
        "bye": "(bonne nuit|à demain|au revoir|à plus|bonne soirée)",
        "hors_action": "(réserve un vol pour|achète un billet pour|commande un taxi pour|trouve un hôtel à|envoie un mail à|appelle|écris un sms à|paie le loyer à)",
    },
    "en": {
        "retiens": "(remember|note|make a note|take note|memorize|keep in mind|don't forget|do not forget)",
        "sais": "(what do you know|what do you remember|do you remember anything|what did i tell you|what have you noted|tell me what you know)",
        "sur": "(about|on|regarding|concerning)",
        "memoire": "(your memory|your memories|your notes|your history)",
        "efface": "(clear|wipe|reset|delete|erase|empty)",
        "oublie_tout": "(forget everything|erase everything|start from scratch)",
        "etat": "(your status|your state|the system status|your diagnostics|your health)",
        "donne": "(give me|show me|what's|what is|tell me)",
        "ta_voix": "(your voice|voice mode|speech|talking)",
        "mode_silence": "(silent mode|quiet mode|mute mode|text mode)",
        "active": "(turn on|enable|activate|switch on|start)",
        "coupe": "(turn off|disable|deactivate|switch off|stop|mute)",
        "a_voix_haute": "(out loud|aloud|with your voice|by voice)",
        "par_ecrit": "(in text|silently|without talking|in writing)",
        "reponds": "(talk|speak|answer|reply)",
        "qui_quoi": "(who invented|who discovered|who wrote|who founded|what is|what are|explain|why|how does|how do)",
        "salut": "(hello|hi|hey|good morning|good evening|howdy)",
        "ca_va": "(how are you|how's it going|you good|how are you doing|how do you feel)",
        "merci": "(thanks|thank you|thanks a lot|cheers|that's kind)",
        "blague": "(tell me a joke|say something funny|a funny story|make me laugh)",
        "bye": "(good night|see you tomorrow|goodbye|bye|see you later)",
        "hors_action": "(book a flight to|buy a ticket to|call a taxi to|find a hotel in|send an email to|call|text|pay the rent to)",
    },
}

TEMPLATES = {
    "fr": {
        "WulfRemember": [
            "<retiens> que {fact}", "<retiens> bien que {fact}", "wulf <retiens> que {fact}",
            "{fact}, <retiens>-le", "je veux que tu retiennes que {fact}", "<retiens> ceci : {fact}",
            "pour info {fact}, <retiens> ça", "mets dans <memoire> que {fact}",
        ],
        "WulfRecall": [
            "<sais> <sur> {topic}", "wulf <sais> <sur> {topic}", "<sais> <sur> {topic} dans <memoire>",
            "cherche {topic} dans <memoire>", "(rappelle-moi|redis-moi) {topic}", "dis-moi <sur> {topic} ce que tu sais",
            "<sais> déjà <sur> {topic}", "(où|où est-ce que) j'ai (mis|rangé|laissé) {topic}",
        ],
        "WulfStatus": [
            "<donne> <etat>", "<etat>", "<donne> <etat> s'il te plaît", "wulf <donne> <etat>",
            "(fais|lance) un diagnostic et <donne> <etat>", "tu (fonctionnes|marches) bien, <donne> <etat>",
            "(combien de mémoire (il te reste|tu utilises)|depuis combien de temps tu tournes)", "<etat> (maintenant|actuel)",
        ],
        "WulfClearMemory": [
            "<oublie_tout>", "<efface> <memoire>", "<oublie_tout> et <efface> <memoire>", "wulf <efface> <memoire>",
            "je veux que tu <oublie_tout>", "<efface> (toute|tout) <memoire>", "<oublie_tout> ce que je t'ai dit",
            "(il faut|tu dois) <efface> <memoire>",
        ],
        "WulfVoiceOn": [
            "<active> <ta_voix>", "<reponds> <a_voix_haute>", "<coupe> <mode_silence>",
            "(tu peux|je veux que tu) <reponds> <a_voix_haute>", "<active> <ta_voix> et <reponds> <a_voix_haute>",
            "<coupe> <mode_silence> et <active> <ta_voix>", "wulf <active> <ta_voix>", "je veux t'entendre <a_voix_haute>",
        ],
        "WulfVoiceOff": [
            "<coupe> <ta_voix>", "<reponds> <par_ecrit>", "<active> <mode_silence>",
            "(tu peux|je veux que tu) <reponds> <par_ecrit>", "<coupe> <ta_voix> et <reponds> <par_ecrit>",
            "<active> <mode_silence> et <coupe> <ta_voix>", "wulf <coupe> <ta_voix>", "ne <reponds> plus <a_voix_haute>",
        ],
        "WulfAsk": [
            "<qui_quoi> {_thing}", "<qui_quoi> {_concept}", "wulf <qui_quoi> {_concept}", "dis-moi <qui_quoi> {_thing}",
            "quelle est la (capitale|population|monnaie|langue) (de|du|des) {_country}", "<qui_quoi> {_why}",
            "j'aimerais savoir <qui_quoi> {_concept}", "quelle est la différence entre {_concept} et {_concept}",
        ],
        "WulfChat": [
            "<salut>", "<salut> wulf", "<ca_va>", "<salut>, <ca_va>", "<merci>", "<merci> wulf", "<blague>",
            "<bye>", "<merci>, <bye>", "<salut> <blague>", "(qui es-tu|comment tu t'appelles|tu es qui)",
        ],
        "unknown": [
            "<hors_action> {_city}", "<hors_action> {_person}", "wulf <hors_action> {_person}",
            "{_person} (est parti|est allé|a mangé|a acheté) {_misc}", "(le chat|mon voisin|le facteur) (dort|est|était) {_misc}",
            "(installe|mets à jour) (l'application|le jeu) {_app}", "j'ai (perdu|cassé|trouvé) {_misc} (hier|ce matin)",
            "(blabla|azerty|test test|un deux un deux|hmm|bref)", "peux-tu <hors_action> {_city}",
        ],
    },
    "en": {
        "WulfRemember": [
            "<retiens> that {fact}", "please <retiens> that {fact}", "wulf <retiens> that {fact}",
            "{fact}, <retiens> it", "i want you to <retiens> that {fact}", "<retiens> this: {fact}",
            "fyi {fact}, <retiens> that", "put in <memoire> that {fact}",
        ],
        "WulfRecall": [
            "<sais> <sur> {topic}", "wulf <sais> <sur> {topic}", "<sais> <sur> {topic} in <memoire>",
            "search <memoire> for {topic}", "(remind me about|tell me again about) {topic}", "tell me <sur> {topic} what you know",
            "<sais> already <sur> {topic}", "where did i (put|leave|store) {topic}",
        ],
        "WulfStatus": [
            "<donne> <etat>", "<etat>", "<donne> <etat> please", "wulf <donne> <etat>",
            "run a diagnostic and <donne> <etat>", "are you working fine, <donne> <etat>",
            "(how much memory (do you have left|are you using)|how long have you been running)", "<etat> (now|report)",
        ],
        "WulfClearMemory": [
            "<oublie_tout>", "<efface> <memoire>", "<oublie_tout> and <efface> <memoire>", "wulf <efface> <memoire>",
            "i want you to <oublie_tout>", "<efface> all of <memoire>", "<oublie_tout> i told you",
            "you (must|should) <efface> <memoire>",
        ],
        "WulfVoiceOn": [
            "<active> <ta_voix>", "<reponds> <a_voix_haute>", "<coupe> <mode_silence>",
            "(you can|i want you to) <reponds> <a_voix_haute>", "<active> <ta_voix> and <reponds> <a_voix_haute>",
            "<coupe> <mode_silence> and <active> <ta_voix>", "wulf <active> <ta_voix>", "i want to hear you <a_voix_haute>",
        ],
        "WulfVoiceOff": [
            "<coupe> <ta_voix>", "<reponds> <par_ecrit>", "<active> <mode_silence>",
            "(you can|i want you to) <reponds> <par_ecrit>", "<coupe> <ta_voix> and <reponds> <par_ecrit>",
            "<active> <mode_silence> and <coupe> <ta_voix>", "wulf <coupe> <ta_voix>", "don't <reponds> <a_voix_haute> anymore",
        ],
        "WulfAsk": [
            "<qui_quoi> {_thing}", "<qui_quoi> {_concept}", "wulf <qui_quoi> {_concept}", "tell me <qui_quoi> {_thing}",
            "what is the (capital|population|currency|language) of {_country}", "<qui_quoi> {_why}",
            "i'd like to know <qui_quoi> {_concept}", "what is the difference between {_concept} and {_concept}",
        ],
        "WulfChat": [
            "<salut>", "<salut> wulf", "<ca_va>", "<salut>, <ca_va>", "<merci>", "<merci> wulf", "<blague>",
            "<bye>", "<merci>, <bye>", "<salut> <blague>", "(who are you|what's your name|what are you)",
        ],
        "unknown": [
            "<hors_action> {_city}", "<hors_action> {_person}", "wulf <hors_action> {_person}",
            "{_person} (left|went to|ate|bought) {_misc}", "(the cat|my neighbor|the mailman) (is|was|sleeps) {_misc}",
            "(install|update) (the app|the game) {_app}", "i (lost|broke|found) {_misc} (yesterday|this morning)",
            "(blah blah|qwerty|testing testing|one two one two|hmm|anyway)", "can you <hors_action> {_city}",
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
RULES = {lang: {k: parse_sentence(v) for k, v in RULE_TEXT[lang].items()} for lang in TEMPLATES}


def values(lang: str, list_name: str) -> list[str] | None:
    return LISTS[lang].get(list_name)


def parse(text: str):
    return parse_sentence(text)
