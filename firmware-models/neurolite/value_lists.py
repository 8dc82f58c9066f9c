"""Slot value lists for the default NeuroLite data (#5): rooms, devices, groceries, timers, places.

Large and composed (base x qualifier) so the model learns where a span is, not which names exist.
Everything is invented here; nothing is downloaded.
"""
from __future__ import annotations

import itertools
import random

from hassil.numbers import get_rbnf_engine

ROOMS = {
    "fr": ["salon", "cuisine", "chambre", "salle de bain", "salle de bains", "bureau", "garage", "cave",
           "grenier", "entrée", "couloir", "buanderie", "véranda", "terrasse", "jardin", "salle à manger",
           "dressing", "mezzanine", "atelier", "cellier", "salle de jeux", "chambre d'amis", "séjour",
           "toilettes", "wc", "palier", "patio", "balcon", "abri de jardin", "débarras", "bibliothèque",
           "salle de sport", "cabanon", "chambre parentale", "suite parentale", "salle d'eau", "hall",
           "studio", "salle de cinéma", "pièce principale", "coin lecture", "nurserie", "piscine",
           "sous-sol", "cour", "allée", "portail", "loggia", "salle de musique", "cagibi", "lingerie"],
    "en": ["living room", "kitchen", "bedroom", "bathroom", "office", "garage", "basement", "attic",
           "hallway", "entrance", "laundry room", "porch", "patio", "garden", "dining room", "closet",
           "study", "workshop", "pantry", "playroom", "guest room", "lounge", "toilet", "landing",
           "balcony", "shed", "library", "gym", "den", "master bedroom", "nursery", "family room",
           "mudroom", "sunroom", "conservatory", "utility room", "back yard", "front yard", "driveway",
           "home office", "media room", "game room", "kids room", "loft", "foyer", "cellar", "deck",
           "pool house", "wine cellar", "craft room", "music room", "boiler room"],
}
ROOM_QUALIFIERS = {
    "fr": ["", "", "", " du haut", " du bas", " 1", " 2", " 3", " principale", " des enfants", " de Léa",
           " de Tom", " de Chloé", " d'Hugo", " de Mamie", " nord", " sud", " du fond", " côté rue", " bleue"],
    "en": ["", "", "", " upstairs", " downstairs", " 1", " 2", " 3", " east", " west", " north", " south",
           " for guests", " annex", " B", " two"],
}
EN_OWNERS = ["Emma's", "Jack's", "Olivia's", "Noah's", "Sophie's", "the kids'", "grandma's", "Liam's", "Mia's"]

DEVICES = {
    "fr": {
        "light": ["lampe", "lampadaire", "plafonnier", "lustre", "spot", "spots", "applique", "veilleuse",
                  "lumière", "guirlande", "ruban led", "led", "ampoule", "suspension", "lampe de chevet",
                  "lampe de bureau", "néon", "bandeau lumineux", "projecteur", "lanterne", "hue go", "liseuse"],
        "switch": ["prise", "prise connectée", "multiprise", "interrupteur", "cafetière", "bouilloire",
                   "machine à café", "déshumidificateur", "purificateur", "chargeur", "arrosage", "pompe",
                   "fontaine", "sèche-serviettes", "chauffe-eau"],
        "fan": ["ventilateur", "ventilo", "brasseur d'air", "extracteur", "vmc", "ventilateur de plafond"],
        "media_player": ["télé", "télévision", "tv", "enceinte", "sonos", "chaîne hifi", "radio", "chromecast",
                         "barre de son", "home cinéma", "ampli", "lecteur", "apple tv", "freebox", "box"],
        "climate": ["thermostat", "radiateur", "chauffage", "climatisation", "clim", "pompe à chaleur",
                    "poêle", "convecteur", "plancher chauffant"],
        "cover": ["volet", "volets", "store", "stores", "rideau", "rideaux", "porte de garage", "velux",
                  "persienne", "brise-soleil", "portail"],
        "lock": ["porte d'entrée", "serrure", "porte de derrière", "verrou", "porte du garage", "portillon"],
        "todo": ["liste de tâches", "liste du bricolage", "liste des corvées", "liste de noël", "liste des devoirs",
                 "liste des cadeaux", "liste de pharmacie", "liste de vacances", "todo", "liste perso",
                 "liste du jardin", "liste des films", "liste de lecture"],
        "sensor": ["capteur", "détecteur de fumée", "capteur de mouvement", "sonde", "détecteur",
                   "capteur d'humidité", "fenêtre", "porte", "baie vitrée", "boîte aux lettres", "alarme"],
    },
    "en": {
        "light": ["lamp", "floor lamp", "ceiling light", "chandelier", "spotlight", "spotlights", "sconce",
                  "night light", "light", "lights", "string lights", "led strip", "bulb", "pendant",
                  "bedside lamp", "desk lamp", "fairy lights", "reading light", "lantern", "hue go",
                  "accent light", "downlights"],
        "switch": ["plug", "smart plug", "power strip", "switch", "coffee maker", "kettle", "espresso machine",
                   "dehumidifier", "air purifier", "charger", "sprinkler", "pump", "fountain", "towel warmer",
                   "water heater"],
        "fan": ["fan", "ceiling fan", "desk fan", "exhaust fan", "tower fan", "air circulator"],
        "media_player": ["tv", "television", "speaker", "sonos", "stereo", "radio", "chromecast", "soundbar",
                         "home theater", "receiver", "player", "apple tv", "roku", "echo", "record player"],
        "climate": ["thermostat", "heater", "heating", "air conditioner", "ac", "heat pump", "radiator",
                    "stove", "floor heating", "hvac"],
        "cover": ["blinds", "blind", "shade", "shades", "curtain", "curtains", "garage door", "skylight",
                  "shutters", "awning", "gate"],
        "lock": ["front door", "lock", "back door", "deadbolt", "garage door lock", "side gate", "door lock"],
        "todo": ["to do", "chores", "christmas", "homework", "gift", "pharmacy", "vacation", "movies",
                 "reading", "garden", "work", "errands", "packing", "diy", "birthday"],
        "sensor": ["sensor", "smoke detector", "motion sensor", "probe", "detector", "humidity sensor",
                   "window", "door", "sliding door", "mailbox", "alarm", "leak sensor"],
    },
}
DEVICE_QUALIFIERS = {
    "fr": ["", "", "", " du salon", " de la cuisine", " de chevet", " bleue", " principale", " de Paul",
           " de la chambre", " du bureau", " 2", " d'angle", " du couloir", " de la terrasse", " rouge",
           " du haut", " de Sarah", " de l'entrée", " du jardin"],
    "en": ["", "", "", "living room ", "kitchen ", "bedside ", "blue ", "main ", "Paul's ", "bedroom ",
           "office ", "corner ", "hallway ", "porch ", "red ", "upstairs ", "Sarah's ", "front ", "garden "],
}
FLOORS = {
    "fr": ["rez-de-chaussée", "premier étage", "deuxième étage", "étage", "sous-sol", "grenier", "rdc",
           "1er étage", "2e étage", "troisième étage", "combles", "niveau 1", "niveau 2", "rez de jardin"],
    "en": ["ground floor", "first floor", "second floor", "upstairs", "downstairs", "basement", "attic",
           "third floor", "top floor", "main floor", "lower level", "upper level", "level 2", "mezzanine"],
}
GROCERIES = {
    "fr": ["lait", "pain", "beurre", "oeufs", "œufs", "farine", "sucre", "sel", "poivre", "café", "thé",
           "riz", "pâtes", "tomates", "pommes", "bananes", "oranges", "citrons", "carottes", "oignons",
           "ail", "pommes de terre", "salade", "concombre", "courgettes", "poireaux", "champignons",
           "fromage", "yaourts", "crème fraîche", "jambon", "poulet", "steak haché", "saumon", "thon",
           "sardines", "huile d'olive", "vinaigre", "moutarde", "ketchup", "mayonnaise", "confiture",
           "miel", "céréales", "biscuits", "chocolat", "jus d'orange", "eau gazeuse", "bière", "vin rouge",
           "papier toilette", "essuie-tout", "lessive", "liquide vaisselle", "éponges", "dentifrice",
           "shampoing", "savon", "couches", "croquettes pour le chat", "litière", "piles", "ampoules",
           "sacs poubelle", "lentilles", "pois chiches", "haricots verts", "petits pois", "maïs", "brocoli",
           "épinards", "fraises", "framboises", "raisin", "poires", "kiwis", "avocats", "baguette",
           "croissants", "brioche", "mozzarella", "parmesan", "comté", "camembert", "lardons", "saucisses",
           "levure", "cannelle", "vanille", "chips", "olives", "cornichons", "soupe", "compote", "glace",
           "farine de blé", "lait d'avoine", "tofu", "quinoa", "semoule", "noix", "amandes", "bougies",
           "allumettes", "aluminium", "film alimentaire", "coton-tiges", "mouchoirs", "crème solaire"],
    "en": ["milk", "bread", "butter", "eggs", "flour", "sugar", "salt", "pepper", "coffee", "tea", "rice",
           "pasta", "tomatoes", "apples", "bananas", "oranges", "lemons", "carrots", "onions", "garlic",
           "potatoes", "lettuce", "cucumber", "zucchini", "leeks", "mushrooms", "cheese", "yogurt",
           "sour cream", "ham", "chicken", "ground beef", "salmon", "tuna", "sardines", "olive oil",
           "vinegar", "mustard", "ketchup", "mayo", "jam", "honey", "cereal", "cookies", "chocolate",
           "orange juice", "sparkling water", "beer", "red wine", "toilet paper", "paper towels",
           "laundry detergent", "dish soap", "sponges", "toothpaste", "shampoo", "soap", "diapers",
           "cat food", "cat litter", "batteries", "light bulbs", "trash bags", "lentils", "chickpeas",
           "green beans", "peas", "corn", "broccoli", "spinach", "strawberries", "raspberries", "grapes",
           "pears", "kiwis", "avocados", "bagels", "croissants", "muffins", "mozzarella", "parmesan",
           "cheddar", "bacon", "sausages", "yeast", "cinnamon", "vanilla", "chips", "olives", "pickles",
           "soup", "applesauce", "ice cream", "oat milk", "tofu", "quinoa", "couscous", "walnuts",
           "almonds", "candles", "matches", "aluminum foil", "plastic wrap", "cotton swabs", "tissues",
           "sunscreen", "peanut butter", "maple syrup", "tortillas"],
}
QUANTITIES = {"fr": ["", "", "", "", "2 ", "un paquet de ", "une boîte de ", "1 kg de ", "6 ", "un litre de ", "des "],
              "en": ["", "", "", "", "2 ", "a pack of ", "a box of ", "a pound of ", "6 ", "a gallon of ", "some "]}
TIMER_NAMES = {
    "fr": ["pâtes", "oeufs", "pizza", "gâteau", "riz", "lessive", "sieste", "devoirs", "four", "thé",
           "rôti", "méditation", "sport", "poulet", "cuisson", "linge", "bébé", "parking", "pain", "café"],
    "en": ["pasta", "eggs", "pizza", "cake", "rice", "laundry", "nap", "homework", "oven", "tea", "roast",
           "meditation", "workout", "chicken", "cooking", "parking", "bread", "coffee", "cookies", "steak"],
}
TIMER_COMMANDS = {
    "fr": ["éteins la lumière", "allume la télé", "ferme les volets", "éteins le four", "allume le chauffage"],
    "en": ["turn off the lights", "turn on the tv", "close the blinds", "turn off the oven", "start the fan"],
}
ZONES = {
    "fr": ["maison", "travail", "bureau", "école", "salle de sport", "gare", "chez mamie", "magasin"],
    "en": ["home", "work", "office", "school", "the gym", "the station", "grandma's", "the store"],
}


def _rooms(lang: str) -> list[str]:
    out = [r + q for r, q in itertools.product(ROOMS[lang], ROOM_QUALIFIERS[lang])]
    if lang == "en":
        out += [f"{o} {r}" for o, r in itertools.product(EN_OWNERS, ["room", "bedroom", "office", "bathroom", "playroom"])]
    return sorted(set(out))


def _devices(lang: str, domain: str | None) -> list[str]:
    table = DEVICES[lang]
    bases = table.get(domain) if domain in table else [d for k, v in table.items() if k != "todo" for d in v]
    if lang == "fr":
        return sorted({b + q for b, q in itertools.product(bases, DEVICE_QUALIFIERS[lang])})
    return sorted({q + b for b, q in itertools.product(bases, DEVICE_QUALIFIERS[lang])})


_CACHE: dict = {}


def values_for(lang: str, list_name: str, slot: str, domain: str | None) -> list[str] | None:
    """Our values for an HA list reference, or None to use the list HA ships."""
    key = (lang, list_name, slot, domain)
    if key in _CACHE:
        return _CACHE[key]
    if list_name == "area":
        v = _rooms(lang)
    elif list_name == "floor":
        v = FLOORS[lang]
    elif list_name == "name":
        v = _devices(lang, "todo" if domain == "todo" else domain)
    elif list_name == "timer_name":
        v = TIMER_NAMES[lang]
    elif list_name == "timer_command":
        v = TIMER_COMMANDS[lang]
    elif list_name in ("shopping_list_item", "todo_list_item"):
        v = [q + g for q, g in itertools.product(QUANTITIES[lang], GROCERIES[lang])]
    elif list_name == "zone":
        v = ZONES[lang]
    else:
        v = None
    _CACHE[key] = v
    return v


def number_text(lang: str, lst, rng: random.Random) -> str:
    """One number of an HA range list, as digits (mostly) or words."""
    n = rng.randrange(lst.start, lst.stop + 1, lst.step)
    if lst.words and rng.random() < 0.2 and n <= 100:
        return get_rbnf_engine(lang).format_number(n).text
    return str(n)


WRAPPERS = {
    "fr": ([("", "")] * 6 + [("wulf, ", ""), ("hey wulf ", ""), ("", " stp"), ("", " s'il te plaît"), ("euh ", ""),
           ("dis ", ""), ("", " merci"), ("bon ", ""), ("alors ", ""), ("", " s'il vous plaît"), ("ok wulf ", "")]),
    "en": ([("", "")] * 6 + [("wulf, ", ""), ("hey wulf ", ""), ("", " please"), ("please ", ""), ("um ", ""),
           ("", " thanks"), ("okay ", ""), ("so ", ""), ("", " for me"), ("ok wulf ", ""), ("yo ", "")]),
}


def wrapper(lang: str, rng: random.Random) -> tuple[str, str]:
    pre, post = rng.choice(WRAPPERS[lang])
    return pre, post
