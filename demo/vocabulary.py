"""What the demo applicants are made of: fields, answer options, weights and sentences.

Pure data, no logic. Weights are relative; the generator turns them into cumulative lists.
"""

# The application fields the generator fills, as named in the column map.
FIELDS = (
    "navn",
    "email",
    "telefon",
    "adresse",
    "postnummer",
    "fødselsår",
    "køn",
    "profiler",
    "motivation",
    "navn_må_offentliggøres",
    "vil_høre_om_resultatet",
)
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk")
EMAIL_DOMAIN_WEIGHTS = (45, 20, 12, 12, 11)
# Postcodes near Gentofte where legitimate non-resident applicants (e.g. a club's coach) live.
OUTSIDE_POSTCODES = ("2800", "2100", "2200", "2400", "2830", "2840", "2000", "2730")
EDUCATION = (
    "Grundskole",
    "Gymnasial uddannelse",
    "Erhvervsuddannelse",
    "Kort videregående",
    "Mellemlang videregående",
    "Lang videregående",
)
EDUCATION_ADULT_WEIGHTS = (10, 11, 24, 7, 26, 22)
# Answer options for categories that are not targets themselves (or have extra options).
OTHER_GROUPS = {"bydel": ("Ordrup og Charlottenlund", "Skovshoved og Klampenborg")}
EMPLOYMENT = ("I arbejde", "Under uddannelse", "Ledig", "Pensionist", "Andet")
EMPLOYMENT_ADULT_WEIGHTS = (80, 6, 5, 4, 5)
MIN_AGE, MAX_AGE = 15, 85

HOUSEHOLD_SHARE = 0.10
UPDATES_SHARE = 0.60  # applicants who want to hear what becomes of the recommendations
OUTSIDE_SHARE = 0.05
# Relative weight of each age 15–85 among applicants: few teenagers, most 35–75.
AGE_WEIGHTS = [
    (19, 5),
    (24, 6),
    (34, 10),
    (44, 15),
    (54, 18),
    (64, 18),
    (74, 17),
    (85, 7),
]
GENDERS = (("kvinde", 52), ("mand", 45), ("andet", 1.5), ("ønsker ikke at oplyse", 1.5))
MOBILE_PREFIXES = [
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "93",
]
FLOORS = ("st.", "1.", "2.", "3.", "4.")
SIDES = ("th.", "tv.", "mf.")
JOBS = (
    "sygeplejerske",
    "ingeniør",
    "lærer",
    "pædagog",
    "tømrer",
    "revisor",
    "arkitekt",
    "it-konsulent",
    "butiksleder",
    "socialrådgiver",
    "elektriker",
    "projektleder",
    "læge",
    "fysioterapeut",
    "kontorassistent",
    "selvstændig erhvervsdrivende",
    "jurist",
    "økonom",
)

# --- sentences of a motivation ---------------------------------------------------------------

SELF_TEEN = (
    "Jeg er {age} år og går på gymnasiet her i kommunen.",
    "Jeg er {age} år og sidder i elevrådet på min skole.",
    "Jeg går i tiende klasse og har et fritidsjob i weekenden.",
    "Jeg er ung og synes, at vi unge for sjældent bliver spurgt.",
)
SELF_YOUNG = (
    "Jeg er {age} år og læser på universitetet.",
    "Jeg er i gang med en erhvervsuddannelse og har et job ved siden af.",
    "Jeg er {age} år og har lige fået mit første fuldtidsjob.",
    "Jeg er ung og synes, at vi unge for sjældent bliver spurgt.",
)
SELF_ADULT = (
    "Jeg arbejder som {job} og bor her med min familie.",
    "Jeg er {job} og har to børn, der går i den lokale skole.",
    "Jeg har boet i kommunen i {years} år.",
    "Til daglig arbejder jeg som {job}.",
    "Jeg er {age} år og arbejder som {job}.",
    "Jeg er frivillig i en lokal forening og kender mange i området.",
)
SELF_SENIOR = (
    "Jeg er pensioneret {job} og har god tid til at engagere mig.",
    "Jeg har boet i kommunen i {years} år og kender området godt.",
    "Som pensionist er jeg aktiv i flere foreninger.",
    "Jeg er {age} år, har børn og børnebørn i kommunen og følger med i det lokale.",
)
SELF_OUTSIDE = (
    "Jeg bor ikke selv i kommunen, men jeg arbejder og er aktiv i en forening her.",
    "Jeg bor lige uden for kommunen, men min forening har hjemme her.",
)
INTEREST_TASK = (
    "Jeg vil gerne være med til at {task}.",
    "Jeg vil især gerne bidrage til at {task}.",
    "Jeg vil gerne hjælpe med at {task}.",
)
INTEREST_TOPIC = (
    "Jeg interesserer mig meget for {topic} og har mange idéer.",
    "{Topic} betyder meget for mig og min familie.",
    "Jeg håber at kunne bruge mine erfaringer i arbejdet med {topic}.",
    "Det er vigtigt for mig, at arbejdet med {topic} tager udgangspunkt i borgernes hverdag.",
    "Jeg har fulgt debatten om {topic} og vil gerne gøre en forskel.",
)
CLOSERS = (
    "Jeg er god til at lytte og til at samarbejde med folk, der er uenige med mig.",
    "Jeg har tid til at deltage i alle møderne.",
    "Jeg glæder mig til at høre fra jer.",
    "Jeg har erfaring fra bestyrelsesarbejde og er vant til at arbejde i grupper.",
    "Jeg vil gerne bidrage med et blik for dem, der sjældent selv melder sig.",
    "Tak for muligheden for at være med.",
    "Jeg har ikke prøvet noget lignende før, men jeg er nysgerrig og vil gerne lære.",
    "Mit netværk i lokalområdet vil jeg gerne bruge til at inddrage flere.",
)
# Words that must not end a task phrase cut from the mandate (see motivation.task_phrase).
SUBORDINATORS = {"hvordan", "hvilke", "hvor", "hvad", "der", "som", "fordi", "så"}
PREPOSITIONS = {"til", "på", "om", "med", "for", "at", "af", "i", "og", "ved", "mellem"}
