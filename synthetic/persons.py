"""The synthetic population of Leicester, Leicestershire and Rutland, and who is who.

Every person is an index into one big, virtual population laid out in blocks by home
district, sex and year of birth (sizes from ONS mid-2022 and a rough age pyramid). A
person's name, date of birth, ethnicity and postcode district are a pure function of
the run's seed and that index (a counter-based hash), so the population is never held
in memory, even at `--scale 20`: writers ask for "a woman aged 31 living in Charnwood"
and get an index whose attributes are always the same.

Within each block the last few per cent are reserved for the planted cohort (the SNA's
young high-harm suspects, `plan_cohort`): no writer picks them at random, so every
record a cohort member has is one this module planned, and the truth knows it exactly.

Records carry keyed-hash tokens of the true name and date of birth, with the errors real
systems make (a misspelt surname, a wrong day of birth, a forename variant; police also
send some records untokenised). True identities go only to the truth folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np

from synthetic.common import CsvOut, FileStyle, token

# ---------------------------------------------------------------------------------------
# Geography and population (ONS mid-2022, dbt_project/seeds/ref_population.csv)
# ---------------------------------------------------------------------------------------

# District order is fixed: arrays indexed by district use it.
DISTRICTS: tuple[str, ...] = (
    "E06000016", "E07000130", "E07000132", "E07000129", "E07000134",
    "E07000133", "E06000017", "E07000131", "E07000135",
)
DISTRICT_NAMES: tuple[str, ...] = (
    "Leicester", "Charnwood", "Hinckley and Bosworth", "Blaby", "North West Leicestershire",
    "Melton", "Rutland", "Harborough", "Oadby and Wigston",
)
DISTRICT_POPULATION: tuple[int, ...] = (
    373_399, 184_748, 114_298, 104_182, 107_672, 52_433, 41_151, 100_481, 58_341,
)
LEICESTER, RUTLAND = 0, 6
# Upper-tier council of each district (Leicester and Rutland are unitary).
DISTRICT_LA: tuple[str, ...] = tuple(
    d if d in ("E06000016", "E06000017") else "E10000018" for d in DISTRICTS
)
# Outward codes of home addresses by district (the main ones; LE2 and LE8/LE9 straddle).
POSTCODE_DISTRICTS: tuple[tuple[str, ...], ...] = (
    ("LE1", "LE2", "LE3", "LE4", "LE5"),
    ("LE11", "LE12", "LE7"),
    ("LE10", "LE9", "CV13"),
    ("LE19", "LE8", "LE9"),
    ("LE67", "LE65", "DE74", "DE12"),
    ("LE13", "LE14"),
    ("LE15",),
    ("LE16", "LE17", "LE8"),
    ("LE18", "LE2"),
)

FIRST_BIRTH_YEAR = 1915
LAST_BIRTH_YEAR = 2025
BIRTH_YEARS = np.arange(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
POPULATION_YEAR = 2022
# Share of each block kept back for the planted cohort (never picked at random).
COHORT_RESERVE = 0.05

SEX_CODES = ("M", "F")


def _age_pyramid() -> np.ndarray:
    """Relative size of each single year of age 0..110 (a smoothed England profile with
    Leicester's student bulge at 18-24)."""
    ages = np.arange(111, dtype=float)
    w = np.interp(
        ages,
        [0, 17, 18, 24, 25, 45, 55, 64, 70, 80, 90, 100, 110],
        [1.10, 1.20, 1.45, 1.45, 1.35, 1.30, 1.35, 1.20, 1.00, 0.70, 0.25, 0.02, 0.0],
    )
    return w / w.sum()


# ---------------------------------------------------------------------------------------
# Names. Broad name pools by ethnic group so a Leicester population reads like one.
# ---------------------------------------------------------------------------------------
_SURNAMES: dict[str, tuple[str, ...]] = {
    "british": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
        "Hall", "Wood", "Jackson", "Clarke", "Harris", "Lewis", "Hill", "Cooper", "Ward",
        "Turner", "Moore", "Parker", "Baker", "Harrison", "Morris", "Edwards", "Watson",
        "Bennett", "Shaw", "Marshall", "Holmes", "Mills", "Hughes", "Cook", "Allen",
        "Kelly", "Knight", "Simpson", "Chapman", "Palmer", "Ellis", "Spencer", "Webb",
        "Dixon", "Gibson", "Hunt", "Pearson", "Atkinson", "Sutton", "Briggs", "Toon",
        "Lineker", "Gamble", "Bramley", "Orton", "Pochin", "Bosworth", "Hinckley",
        "Burton", "Dawson", "Fox", "Grant", "Hayes", "Lloyd", "Mason", "Newton", "Owen",
        "Pratt", "Read", "Stevens", "Tucker", "Vaughan", "Warren", "Young", "Murphy",
        "O'Brien", "Kennedy", "Doyle", "Byrne", "McCarthy", "Gallagher", "Walsh",
    ),
    "eastern_european": (
        "Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski", "Zielinski",
        "Popescu", "Ionescu", "Petrov", "Horvath", "Kazlauskas", "Ozols", "Novak",
    ),
    "indian": (
        "Patel", "Mistry", "Parmar", "Chauhan", "Solanki", "Lad", "Modi", "Shah", "Sharma",
        "Singh", "Kaur", "Gill", "Sandhu", "Dhillon", "Bhatt", "Joshi", "Pandya", "Desai",
        "Mehta", "Rana", "Vaghela", "Makwana", "Gohil", "Tailor", "Kotecha", "Thakrar",
        "Popat", "Ruparelia", "Majithia", "Chudasama",
    ),
    "pakistani": (
        "Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Akhtar", "Mahmood", "Rashid", "Aslam",
        "Butt", "Malik", "Qureshi", "Raza", "Shah", "Anwar",
    ),
    "bangladeshi": ("Miah", "Begum", "Uddin", "Rahman", "Islam", "Hoque", "Chowdhury", "Ahmed"),
    "chinese": ("Wang", "Li", "Chen", "Zhang", "Liu", "Yang", "Huang", "Wong", "Lee", "Lam"),
    "other_asian": ("Perera", "Fernando", "Gurung", "Nguyen", "Tran", "Silva", "Rai", "Thapa"),
    "caribbean": (
        "Campbell", "Brown", "Williams", "Thompson", "Francis", "Grant", "Reid", "Stewart",
        "Clarke", "Henry", "Lewis", "Bailey", "Richards", "Morgan", "Gordon",
    ),
    "african": (
        "Mohamed", "Abdi", "Osman", "Okafor", "Mensah", "Adeyemi", "Okoro", "Boateng",
        "Nwosu", "Ibrahim", "Hassan", "Warsame", "Farah", "Asante", "Owusu", "Adebayo",
    ),
    "arab": ("Haddad", "Saleh", "Nasser", "Mansour", "Khalil", "Hamdan", "Aziz", "Yousef"),
}
_FORENAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (male, female)
    "british": (
        ("Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Thomas", "James",
         "William", "Joshua", "Daniel", "Samuel", "Joseph", "Liam", "Connor", "Callum",
         "Kyle", "Ryan", "Lewis", "Mark", "Paul", "David", "Andrew", "Stephen", "Michael",
         "Richard", "Christopher", "Matthew", "Robert", "Peter", "John", "Alan", "Gary",
         "Dean", "Lee", "Jamie", "Reece", "Tyler", "Alfie", "Leo", "Archie", "Mason",
         "Jayden", "Kieran", "Brandon", "Aaron", "Ben", "Luke", "Nathan"),
        ("Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Chloe",
         "Jessica", "Ellie", "Mia", "Lucy", "Hannah", "Charlotte", "Megan", "Emma",
         "Sarah", "Laura", "Rebecca", "Claire", "Nicola", "Michelle", "Karen", "Julie",
         "Susan", "Helen", "Joanne", "Lisa", "Kelly", "Stacey", "Jade", "Leah", "Amy",
         "Katie", "Holly", "Paige", "Courtney", "Shannon", "Demi", "Ruby", "Poppy",
         "Freya", "Evie", "Daisy", "Katherine", "Elizabeth", "Margaret", "Jean", "Ann"),
    ),
    "eastern_european": (
        ("Jakub", "Kacper", "Piotr", "Tomasz", "Andrei", "Mihai", "Lukas", "Marek", "Pawel"),
        ("Zuzanna", "Julia", "Anna", "Maria", "Ioana", "Elena", "Agnieszka", "Katarzyna"),
    ),
    "indian": (
        ("Raj", "Amit", "Sanjay", "Vijay", "Nikhil", "Rohan", "Arjun", "Jay", "Kiran",
         "Harpreet", "Gurpreet", "Manpreet", "Dev", "Ravi", "Anil", "Sunil", "Hitesh",
         "Jignesh", "Nilesh", "Dhruv", "Aarav", "Vivaan", "Krish", "Yash"),
        ("Priya", "Anjali", "Pooja", "Neha", "Sita", "Asha", "Meera", "Nisha", "Hema",
         "Jaspreet", "Simran", "Harleen", "Kajal", "Bhavna", "Hetal", "Krupa", "Riya",
         "Diya", "Anaya", "Saanvi", "Mira", "Tara", "Leela", "Rekha"),
    ),
    "pakistani": (
        ("Mohammed", "Muhammad", "Ahmed", "Ali", "Imran", "Bilal", "Hamza", "Usman", "Zain",
         "Adam", "Ibrahim", "Yusuf", "Tariq", "Asif", "Faisal"),
        ("Aisha", "Fatima", "Maryam", "Zainab", "Ayesha", "Sana", "Hina", "Amina",
         "Nadia", "Sadia", "Iqra", "Hafsa", "Khadija", "Noor", "Samina"),
    ),
    "bangladeshi": (
        ("Mohammed", "Abdul", "Rahim", "Karim", "Shahid", "Rafiq", "Jamal", "Sabbir"),
        ("Fatema", "Nasima", "Rokeya", "Shirin", "Taslima", "Rumana", "Sumaiya", "Tahmina"),
    ),
    "chinese": (
        ("Wei", "Jun", "Hao", "Ming", "Jian", "Lei", "Kevin", "Jason"),
        ("Mei", "Xin", "Yan", "Ling", "Hui", "Jing", "Grace", "Vivian"),
    ),
    "other_asian": (
        ("Nuwan", "Kasun", "Bishal", "Anh", "Minh", "Suresh", "Prakash", "Dinesh"),
        ("Nadeesha", "Dilani", "Sunita", "Linh", "Thao", "Kamala", "Anusha", "Maya"),
    ),
    "caribbean": (
        ("Marcus", "Jermaine", "Tyrone", "Andre", "Leon", "Dwayne", "Jordan", "Kai",
         "Tyreece", "Malachi", "Isaiah", "Elijah"),
        ("Shanice", "Keisha", "Tanisha", "Aaliyah", "Nia", "Jada", "Chantelle", "Simone",
         "Tiana", "Kezia", "Imani", "Marcia"),
    ),
    "african": (
        ("Abdirahman", "Mohamed", "Ahmed", "Chinedu", "Kwame", "Kofi", "Emeka", "Tunde",
         "Samuel", "Daniel", "Yusuf", "Abdullahi", "Oluwaseun", "David"),
        ("Amina", "Hodan", "Fartun", "Ngozi", "Ama", "Abena", "Chioma", "Folake", "Blessing",
         "Grace", "Mercy", "Sahra", "Ifeoma", "Esther"),
    ),
    "arab": (
        ("Omar", "Khaled", "Youssef", "Hassan", "Karim", "Sami", "Nabil", "Tariq"),
        ("Layla", "Yasmin", "Rania", "Salma", "Huda", "Dina", "Leila", "Nour"),
    ),
}

# 2021 Census categories with the shares the SNA reports for victims (003, SNA:
# White 76.6%, Asian 16.0%, Black 5.9%, Other incl. Mixed 1.5%), each with a name pool.
ETHNICITIES: tuple[tuple[str, float, str], ...] = (
    ("W1", 69.0, "british"), ("W2", 1.4, "british"), ("W3", 0.2, "british"),
    ("W4", 6.0, "eastern_european"),
    ("A1", 10.6, "indian"), ("A2", 2.2, "pakistani"), ("A3", 0.8, "bangladeshi"),
    ("A4", 0.6, "chinese"), ("A5", 1.8, "other_asian"),
    ("B1", 2.2, "caribbean"), ("B2", 3.3, "african"), ("B3", 0.4, "african"),
    ("M1", 0.5, "british"), ("M2", 0.2, "african"), ("M3", 0.3, "indian"),
    ("M4", 0.2, "british"), ("O1", 0.2, "arab"), ("O2", 0.1, "other_asian"),
)
ETHNICITY_CODES: tuple[str, ...] = tuple(e[0] for e in ETHNICITIES)
_ETH_CDF = np.cumsum([e[1] for e in ETHNICITIES]) / sum(e[1] for e in ETHNICITIES)
_POOLS: tuple[str, ...] = tuple(_SURNAMES)
_ETH_POOL = np.array([_POOLS.index(e[2]) for e in ETHNICITIES])

# Flat name tables (index -> text) so attributes are small integer arrays.
SURNAMES: tuple[str, ...] = tuple(s for pool in _POOLS for s in _SURNAMES[pool])
_SURNAME_START = np.cumsum([0] + [len(_SURNAMES[p]) for p in _POOLS])
FORENAMES: tuple[str, ...] = tuple(
    f for pool in _POOLS for sex in (0, 1) for f in _FORENAMES[pool][sex]
)
_FORENAME_START = np.zeros((len(_POOLS), 2), dtype=np.int64)
_FORENAME_LEN = np.zeros((len(_POOLS), 2), dtype=np.int64)
_pos = 0
for _i, _pool in enumerate(_POOLS):
    for _s in (0, 1):
        _FORENAME_START[_i, _s] = _pos
        _FORENAME_LEN[_i, _s] = len(_FORENAMES[_pool][_s])
        _pos += len(_FORENAMES[_pool][_s])

# Forename variants a keying clerk writes (a different token, the same person).
FORENAME_VARIANTS: dict[str, str] = {
    "Mohammed": "Mohammad", "Muhammad": "Mohammed", "Katherine": "Catherine",
    "Elizabeth": "Elisabeth", "Stephen": "Steven", "Christopher": "Chris", "Daniel": "Dan",
    "Joshua": "Josh", "Samuel": "Sam", "Matthew": "Matt", "Michael": "Mike",
    "William": "Will", "Thomas": "Tom", "Jessica": "Jess", "Rebecca": "Becky",
    "Nicola": "Nicky", "Joanne": "Jo", "Jamie": "Jaime", "Aisha": "Ayesha",
    "Fatima": "Fatema", "Abdirahman": "Abdi", "Yusuf": "Yousef", "Zainab": "Zaynab",
    "Harpreet": "Harprit", "Gurpreet": "Gurprit", "Sophie": "Sophia", "Leah": "Lea",
}

# ---------------------------------------------------------------------------------------
# Counter-based hashing: attributes as pure functions of (seed, index, salt)
# ---------------------------------------------------------------------------------------
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 wraps silently in arrays)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def hash_u(seed: int, ids: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) per id, stable for (seed, id, salt)."""
    base = np.uint64((seed * 0x2545F4914F6CDD1D + salt * 0x9E3779B1 + 1) % (1 << 64))
    with np.errstate(over="ignore"):
        x = _mix(np.asarray(ids, dtype=np.uint64) * _GOLD + base)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day arrays from day numbers."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, dd


def age_on(dob_days: np.ndarray, on_days: np.ndarray) -> np.ndarray:
    """Whole years of age on a day (spec: ages are whole years at the event)."""
    by, bm, bd = ymd(dob_days)
    y, m, d = ymd(on_days)
    return y - by - ((m * 100 + d) < (bm * 100 + bd)).astype(np.int64)


# ---------------------------------------------------------------------------------------
# The population
# ---------------------------------------------------------------------------------------
@dataclass
class Population:
    """The virtual population: block sizes and offsets, and attribute functions."""

    seed: int
    scale: float
    sizes: np.ndarray = field(init=False)  # [district, sex, birth year]
    offsets: np.ndarray = field(init=False)  # flat cumulative start of each block
    general: np.ndarray = field(init=False)  # [district, sex, year] size of the pickable part
    size: int = field(init=False)

    def __post_init__(self) -> None:
        pyramid = _age_pyramid()
        ages_2022 = POPULATION_YEAR - BIRTH_YEARS
        frac = pyramid[np.clip(ages_2022, 0, 110)]
        sizes = np.zeros((len(DISTRICTS), 2, len(BIRTH_YEARS)), dtype=np.int64)
        for j, pop in enumerate(DISTRICT_POPULATION):
            for s in (0, 1):
                sizes[j, s] = np.maximum(np.round(pop * self.scale * frac * 0.5), 3)
        self.sizes = sizes
        flat = sizes.ravel()
        self.offsets = np.concatenate([[0], np.cumsum(flat)])
        self.size = int(self.offsets[-1])
        reserve = np.maximum(np.ceil(sizes * COHORT_RESERVE), 1).astype(np.int64)
        self.general = sizes - reserve

    # -- addressing ---------------------------------------------------------------------
    def block_index(self, district: np.ndarray, sex: np.ndarray, birth_year: np.ndarray
                    ) -> np.ndarray:
        yi = np.clip(np.asarray(birth_year) - FIRST_BIRTH_YEAR, 0, len(BIRTH_YEARS) - 1)
        return (np.asarray(district) * 2 + np.asarray(sex)) * len(BIRTH_YEARS) + yi

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(district, sex, birth year, position in block) of each id."""
        ids = np.asarray(ids, dtype=np.int64)
        b = np.searchsorted(self.offsets, ids, side="right") - 1
        ny = len(BIRTH_YEARS)
        return b // (2 * ny), (b // ny) % 2, b % ny + FIRST_BIRTH_YEAR, ids - self.offsets[b]

    # -- picking ------------------------------------------------------------------------
    def pick(self, rng: np.random.Generator, district: np.ndarray, sex: np.ndarray,
             age: np.ndarray, on_days: np.ndarray, gamma: float = 1.0) -> np.ndarray:
        """People of a home district and sex who are `age` or `age - 1` on the day.

        Within a block, `gamma > 1` makes low positions more likely: a few people are
        picked again and again (repeat victims, prolific suspects), as in real data.
        """
        n = len(district)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        year, _, _ = ymd(on_days)
        b = self.block_index(district, sex, year - np.asarray(age))
        gen = self.general.ravel()[b]
        u = rng.random(n) ** gamma
        k = np.minimum((u * gen).astype(np.int64), gen - 1)
        return self.offsets[b] + k

    def reserved(self, district: int, sex: int, birth_year: int) -> np.ndarray:
        """The cohort reserve of one block (ids)."""
        b = int(self.block_index(np.array([district]), np.array([sex]),
                                 np.array([birth_year]))[0])
        lo = self.offsets[b] + self.general.ravel()[b]
        return np.arange(lo, self.offsets[b + 1])

    def block_members(self, district: int, sex: int, birth_year: int) -> np.ndarray:
        b = int(self.block_index(np.array([district]), np.array([sex]),
                                 np.array([birth_year]))[0])
        return np.arange(self.offsets[b], self.offsets[b] + self.general.ravel()[b])

    # -- attributes -----------------------------------------------------------------------
    def dob(self, ids: np.ndarray) -> np.ndarray:
        """Date of birth as a day number."""
        _, _, year, _ = self.locate(ids)
        jan1 = (np.asarray(year - 1970, dtype="int64").astype("datetime64[Y]")
                .astype("datetime64[D]").astype(np.int64))
        ndays = 365 + ((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)))
        return jan1 + (hash_u(self.seed, ids, 1) * ndays).astype(np.int64)

    def sex(self, ids: np.ndarray) -> np.ndarray:
        return self.locate(ids)[1]

    def district(self, ids: np.ndarray) -> np.ndarray:
        return self.locate(ids)[0]

    def ethnicity(self, ids: np.ndarray) -> np.ndarray:
        """Index into ETHNICITY_CODES."""
        return np.searchsorted(_ETH_CDF, hash_u(self.seed, ids, 2), side="right").clip(
            0, len(ETHNICITIES) - 1)

    def surname(self, ids: np.ndarray) -> np.ndarray:
        pool = _ETH_POOL[self.ethnicity(ids)]
        # A few people carry a name from another pool (marriage, heritage).
        swap = hash_u(self.seed, ids, 3) < 0.08
        pool = np.where(swap, 0, pool)
        n = _SURNAME_START[pool + 1] - _SURNAME_START[pool]
        # Skewed draw: common names are common (Smith, Patel).
        u = hash_u(self.seed, ids, 4) ** 1.7
        return _SURNAME_START[pool] + (u * n).astype(np.int64)

    def forename(self, ids: np.ndarray) -> np.ndarray:
        pool = _ETH_POOL[self.ethnicity(ids)]
        sex = self.sex(ids)
        u = hash_u(self.seed, ids, 5) ** 1.3
        return _FORENAME_START[pool, sex] + (u * _FORENAME_LEN[pool, sex]).astype(np.int64)

    def postcode(self, ids: np.ndarray) -> list[str]:
        dist = self.district(ids)
        u = hash_u(self.seed, ids, 6)
        return [POSTCODE_DISTRICTS[d][int(x * len(POSTCODE_DISTRICTS[d]))]
                for d, x in zip(dist.tolist(), u.tolist(), strict=True)]

    def person_ref(self, ids: np.ndarray, alternate: np.ndarray | None = None) -> list[str]:
        """The force's own person number; `alternate` marks a duplicate nominal record
        (the same person entered twice in the force system, a second number)."""
        # Primary numbers fill 0-49,999,999 and second numbers 50,000,000 upwards, so a
        # person's second number is never someone else's first (bijective scrambles).
        ids = np.asarray(ids, dtype=np.int64)
        x = (ids * 48271 + 10_000_019) % 50_000_000
        if alternate is not None:
            x = np.where(alternate, 50_000_000 + (ids * 69621 + 31_337) % 50_000_000, x)
        return [f"P{v:08d}" for v in x.tolist()]

    def child_ref(self, ids: np.ndarray, la_code: str) -> list[str]:
        """Each council's own child number (councils do not share numbers)."""
        mult, add, fmt = {
            "E06000016": (7919, 1_000_003, "LCC{:09d}"),
            "E10000018": (104_729, 20_000_003, "C{:09d}"),
            # Rutland's system writes its references with an en dash (Windows-1252 0x96).
            "E06000017": (15_485_863, 3_000_017, "R\u2013{:09d}"),
        }[la_code]
        x = (np.asarray(ids, dtype=np.int64) * mult + add) % 1_000_000_000
        return [fmt.format(v) for v in x.tolist()]


# ---------------------------------------------------------------------------------------
# Tokens, with the errors real systems make
# ---------------------------------------------------------------------------------------
TOKEN_ERRORS = ("none", "surname", "forename", "dob", "blank")
NONE, SURNAME_ERR, FORENAME_ERR, DOB_ERR, BLANK = range(5)


@cache
def _token_cached(text: str) -> str:
    return token(text)


@cache
def _dob_token(day: int) -> str:
    return token(day_date(day).isoformat())


def misspell(name: str, u: float) -> str:
    """A plausible keying error: a dropped, doubled or swapped letter."""
    if len(name) < 3:
        return name + "e"
    i = 1 + int(u * 7919) % (len(name) - 2)
    kind = int(u * 104_729) % 3
    if kind == 0:
        out = name[:i] + name[i + 1:]
    elif kind == 1:
        out = name[:i] + name[i] + name[i:]
    else:
        out = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return out if out.upper() != name.upper() else name + "s"


def forename_variant(name: str) -> str:
    return FORENAME_VARIANTS.get(name, name[:-1] if len(name) > 3 else name + "e")


def wrong_dob(dob_day: int, u: float) -> int:
    """A wrong day of birth: day and month swapped when possible, else a day or two out."""
    d = day_date(dob_day)
    if d.day <= 12 and d.day != d.month and u < 0.4:
        return day_number(date(d.year, d.day, d.month))
    shift = (1 + int(u * 1000) % 3) * (1 if u * 10 % 1 < 0.5 else -1)
    return dob_day + shift


def draw_token_errors(rng: np.random.Generator, n: int, *, blank_rate: float = 0.0,
                      surname: float = 0.02, dob: float = 0.015, forename: float = 0.006
                      ) -> np.ndarray:
    """One error kind per record (index into TOKEN_ERRORS)."""
    u = rng.random(n)
    out = np.zeros(n, dtype=np.int8)
    edges = np.cumsum([surname, forename, dob, blank_rate])
    out[u < edges[3]] = BLANK
    out[u < edges[2]] = DOB_ERR
    out[u < edges[1]] = FORENAME_ERR
    out[u < edges[0]] = SURNAME_ERR
    return out


def tokens_for(pop: Population, ids: np.ndarray, errors: np.ndarray, wobble: np.ndarray
               ) -> tuple[list[str], list[str], list[str]]:
    """tok_surname, tok_forename, tok_dob per record (blank strings when untokenised);
    `wobble` (uniform per record, drawn up front) shapes each record's error."""
    ids = np.asarray(ids, dtype=np.int64)
    sn = pop.surname(ids).tolist()
    fn = pop.forename(ids).tolist()
    dob = pop.dob(ids).tolist()
    wobble = np.asarray(wobble).tolist()
    ts, tf, td = [], [], []
    for s, f, d, e, u in zip(sn, fn, dob, errors.tolist(), wobble, strict=True):
        if e == BLANK:
            ts.append("")
            tf.append("")
            td.append("")
            continue
        ts.append(_token_cached(misspell(SURNAMES[s], u) if e == SURNAME_ERR else SURNAMES[s]))
        tf.append(_token_cached(forename_variant(FORENAMES[f]) if e == FORENAME_ERR
                                else FORENAMES[f]))
        td.append(_dob_token(wrong_dob(d, u) if e == DOB_ERR else d))
    return ts, tf, td


# ---------------------------------------------------------------------------------------
# The truth: every person record written, and the persons behind them
# ---------------------------------------------------------------------------------------
PERSON_RECORD_HEADER = (
    "source", "record_ref", "person_id", "token_error", "file_name", "in_warehouse",
)
PERSONS_HEADER = (
    "person_id", "surname", "forename", "dob", "sex", "ethnicity", "postcode_district",
)


class PersonRegistry:
    """Streams `person_records.csv` and remembers (as a bitmap over the population) who
    appeared, so `persons.csv` lists exactly the people behind the landing files."""

    def __init__(self, pop: Population, truth: Path):
        self.pop = pop
        self.truth = truth
        self.used = np.zeros(pop.size, dtype=bool)
        self._out = CsvOut(truth / "person_records.csv", PERSON_RECORD_HEADER, FileStyle())
        self.records = 0

    def record(self, source: str, refs: Sequence[str], ids: np.ndarray, errors: np.ndarray,
               file_name: str, in_warehouse: np.ndarray | None = None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        self.used[ids] = True
        inw = (np.ones(len(ids), dtype=bool) if in_warehouse is None
               else np.asarray(in_warehouse, dtype=bool))
        for ref, pid, e, w in zip(refs, ids.tolist(), errors.tolist(), inw.tolist(),
                                  strict=True):
            self._out.write((source, ref, pid, TOKEN_ERRORS[e], file_name, "Y" if w else "N"))
        self.records += len(ids)

    def close(self) -> int:
        """Finish person_records.csv and write persons.csv; returns persons written."""
        self._out.close()
        ids_all = np.flatnonzero(self.used)
        n = 0
        with CsvOut(self.truth / "persons.csv", PERSONS_HEADER, FileStyle()) as out:
            for lo in range(0, len(ids_all), 200_000):
                ids = ids_all[lo:lo + 200_000]
                sn, fn = self.pop.surname(ids), self.pop.forename(ids)
                dob, sex = self.pop.dob(ids), self.pop.sex(ids)
                eth, pc = self.pop.ethnicity(ids), self.pop.postcode(ids)
                for i, pid in enumerate(ids.tolist()):
                    out.write((pid, SURNAMES[sn[i]], FORENAMES[fn[i]],
                               day_date(int(dob[i])).isoformat(), SEX_CODES[sex[i]],
                               ETHNICITY_CODES[eth[i]], pc[i]))
                n += len(ids)
        return n


# ---------------------------------------------------------------------------------------
# The planted cohort (003, SNA "Risk & Protective Factors"; DESIGN.md cohort definition)
# ---------------------------------------------------------------------------------------
FACTORS: tuple[str, ...] = (
    "looked_after", "child_protection_plan", "persistent_absence", "suspension",
    "permanent_exclusion", "earlier_victimisation", "earlier_offending", "earlier_custody",
)
# How common each factor is among the cohort (their sum is about the SNA's 4.8).
FACTOR_WEIGHT: dict[str, float] = {
    "looked_after": 0.35, "child_protection_plan": 0.45, "persistent_absence": 0.85,
    "suspension": 0.75, "permanent_exclusion": 0.25, "earlier_victimisation": 0.75,
    "earlier_offending": 0.9, "earlier_custody": 0.6,
}
COHORT_PER_QUARTER = 113  # SNA: n = 113 young high-harm suspects in its window
TARGET_FACTORS_ALL = 4.8
TARGET_FACTORS_MURDER = 5.1
# Where the cohort lives: mostly the city (SNA: West and East Leicester, Charnwood,
# Hinckley & Blaby), by district index.
COHORT_DISTRICT_WEIGHT = np.array([0.60, 0.10, 0.07, 0.05, 0.07, 0.03, 0.015, 0.03, 0.035])
# Target age at the index offence (actual age is this or one less: 13-24).
COHORT_AGE = {14: 5, 15: 9, 16: 12, 17: 13, 18: 12, 19: 11, 20: 10, 21: 9, 22: 7,
              23: 6, 24: 6}


@dataclass
class CohortCrime:
    """One planned high-harm crime with cohort suspects."""

    code: str
    offence_day: int
    offence_minute: int
    district: int
    members: list[int]  # indexes into CohortPlan.members
    homicide_event: int = -1  # index of the planned homicide it is, or -1
    crime_ref: str = ""


@dataclass
class CohortMember:
    person_id: int
    district: int
    index_day: int
    crime: int  # index into CohortPlan.crimes
    murder_attempted: bool
    factors: dict[str, int] = field(default_factory=dict)  # factor -> planned day


@dataclass
class CohortPlan:
    members: list[CohortMember] = field(default_factory=list)
    crimes: list[CohortCrime] = field(default_factory=list)

    def crimes_in(self, lo_day: int, hi_day: int) -> list[int]:
        return [i for i, c in enumerate(self.crimes) if lo_day <= c.offence_day < hi_day]

    def factor_events(self, factor: str, lo_day: int, hi_day: int) -> list[tuple[int, int]]:
        """(member index, planned day) of one factor's records in [lo, hi)."""
        return [(i, m.factors[factor]) for i, m in enumerate(self.members)
                if factor in m.factors and lo_day <= m.factors[factor] < hi_day]


def _school_years(first_ay_start: int, end_day: int) -> list[tuple[int, int]]:
    """(1 September, 31 August) day numbers of academic years from the first file's on."""
    out = []
    d = day_date(first_ay_start)
    while day_number(d) <= end_day:
        out.append((day_number(d), day_number(date(d.year + 1, 8, 31))))
        d = date(d.year + 1, 9, 1)
    return out


def first_academic_year_start(data_start: int) -> int:
    d = day_date(data_start)
    return day_number(date(d.year - (1 if d.month < 9 else 0), 9, 1))


def plan_cohort(pop: Population, rng: np.random.Generator, quarters: Sequence[tuple[int, int]],
                data_start: int, data_end: int, homicides: Sequence[tuple[int, str, int, bool]],
                avoid: dict[str, tuple[int, int]] | None = None) -> CohortPlan:
    """Plan the cohort: who, their index crime, and dated records of each factor.

    `quarters` are (first day, last day) of each generated quarter; `homicides` the
    planned homicide events (day, code, district, has_young_suspect). `avoid` maps a
    factor to a day range whose file is rejected at defects > 0 (so no planted record
    is lost with it). Factors are planted only where the data can hold them: a record
    strictly before the index date and inside the generated files, at an age the record
    allows (looked after / plan under 18, school records at school age).
    """
    plan = CohortPlan()
    ages = np.array(list(COHORT_AGE))
    age_p = np.array(list(COHORT_AGE.values()), dtype=float)
    age_p /= age_p.sum()
    dist_p = COHORT_DISTRICT_WEIGHT / COHORT_DISTRICT_WEIGHT.sum()
    cursors: dict[int, list] = {}
    cum_expected = 0.0
    cum_made = 0
    for lo, hi in quarters:
        cum_expected += COHORT_PER_QUARTER * pop.scale * (hi - lo + 1) / 91.25
        target = round(cum_expected) - cum_made
        # Homicides with young suspects in this quarter come first (their day is fixed).
        specs: list[tuple[int, str, int, int, int]] = []  # day, code, district, homicide#, size
        for h, (hday, hcode, hdist, young) in enumerate(homicides):
            if young and lo <= hday <= hi:
                specs.append((hday, hcode, hdist, h, 1))
        left = target - len(specs)
        while left > 0:
            size = min(left, int(rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05])))
            code = str(rng.choice(["5D", "5E", "2"], p=[0.86, 0.08, 0.06]))
            specs.append((int(rng.integers(lo, hi + 1)), code,
                          int(rng.choice(len(DISTRICTS), p=dist_p)), -1, size))
            left -= size
        specs.sort(key=lambda c: (c[0], c[1], c[2]))
        made = 0
        for day, code, dist, h, size in specs:
            crime = CohortCrime(code, day, _youth_minute(rng), dist, [], h)
            for _ in range(size):
                sex = 0 if rng.random() < 0.88 else 1
                age = int(rng.choice(ages, p=age_p))
                year = day_date(day).year
                pid = _take_reserved(pop, rng, dist, sex, year - age, year, cursors)
                if pid < 0:
                    continue
                crime.members.append(len(plan.members))
                plan.members.append(CohortMember(
                    pid, dist, day, len(plan.crimes), code in MURDER_ATTEMPTED_CODES))
                made += 1
            if crime.members:
                plan.crimes.append(crime)
        cum_made += made
    _plant_factors(pop, rng, plan, data_start, data_end, avoid or {})
    return plan


MURDER_ATTEMPTED_CODES = frozenset({"1", "4.1", "4.10", "4.2", "2"})
HIGH_HARM_CODES = frozenset({"1", "4.1", "4.10", "4.2", "2", "5D", "5E"})


def _youth_minute(rng: np.random.Generator) -> int:
    """Minute of day for young people's violence: peaks 15:00-15:59 (SNA)."""
    hour = rng.choice(24, p=YOUTH_HOURS)
    return int(hour) * 60 + int(rng.integers(0, 60))


def _take_reserved(pop: Population, rng: np.random.Generator, district: int, sex: int,
                   birth_year: int, index_year: int, cursors: dict[int, list]) -> int:
    """A not-yet-used person from the cohort reserve: the block asked for, else a
    neighbouring birth year (still aged 12-24 at the index offence), else any district.
    Each block's reserve is used in a random order kept by a cursor."""
    years = [birth_year + dy for dy in (0, 1, -1, 2, -2)
             if 13 <= index_year - (birth_year + dy) <= 24]
    for dist in (district, *range(len(DISTRICTS))):
        for by in years:
            b = int(pop.block_index(np.array([dist]), np.array([sex]), np.array([by]))[0])
            if b not in cursors:
                cursors[b] = [rng.permutation(pop.reserved(dist, sex, by)), 0]
            perm, pos = cursors[b]
            if pos < len(perm):
                cursors[b][1] = pos + 1
                return int(perm[pos])
    return -1


Windows = list[tuple[int, int]]


def _cut(windows: Windows, a: int, b: int) -> Windows:
    """Windows less the day range [a, b]."""
    out: Windows = []
    for lo, hi in windows:
        if hi < a or lo > b:
            out.append((lo, hi))
            continue
        if lo < a:
            out.append((lo, a - 1))
        if hi > b:
            out.append((b + 1, hi))
    return out


def _birthday(bday: date, age: int) -> int:
    try:
        return day_number(bday.replace(year=bday.year + age))
    except ValueError:  # born 29 February
        return day_number(date(bday.year + age, 3, 1))


def _feasible(dob: int, index_day: int, data_start: int, data_end: int,
              years: list[tuple[int, int]]) -> dict[str, Windows]:
    """Day windows in which each factor's record can be planted for one member."""
    f: dict[str, Windows] = {}
    bday = day_date(dob)
    # Police records: from the start of the data to the end of the month before the
    # index month (records are planted into a month's crimes and custody).
    month_start = day_number(day_date(index_day).replace(day=1))
    if month_start - data_start >= 20:
        f["earlier_victimisation"] = [(data_start, month_start - 1)]
    lo10 = max(data_start, _birthday(bday, 10))  # age of criminal responsibility
    if month_start - lo10 >= 20:
        f["earlier_offending"] = [(lo10, month_start - 1)]
        f["earlier_custody"] = [(lo10, month_start - 1)]
    # Social care: a start inside the generated quarters, under 18, before the index.
    hi_child = min(index_day - 1, _birthday(bday, 18) - 1)
    if hi_child - data_start >= 14:
        f["looked_after"] = [(data_start, hi_child)]
        f["child_protection_plan"] = [(data_start, hi_child)]
    # School: academic years with files, at school age (5-15 on 1 September).
    absence: Windows = []
    exclusion: Windows = []
    for ay_lo, ay_hi in years:
        age_sep = int(age_on(np.array([dob]), np.array([ay_lo]))[0])
        if not 5 <= age_sep <= 15:
            continue
        if ay_hi < index_day:
            absence.append((ay_hi, ay_hi))  # counts from the year's end, 31 August
        last = min(index_day - 1, ay_hi - 42, data_end)  # term ends late July
        if last - ay_lo >= 20:
            exclusion.append((ay_lo, last))
    if absence:
        f["persistent_absence"] = absence
    if exclusion:
        f["suspension"] = exclusion
        f["permanent_exclusion"] = list(exclusion)
    return f


def _weekday_within(day: int, windows: Windows) -> int:
    """A school day: a weekend day moves to the Friday before (or Monday after) if that
    stays inside the window it was drawn from."""
    wd = (day + 3) % 7  # Monday = 0
    if wd < 5:
        return day
    for cand in (day - (wd - 4), day + (7 - wd)):
        if any(lo <= cand <= hi for lo, hi in windows):
            return cand
    return day


def _draw_day(rng: np.random.Generator, windows: Windows) -> int:
    """A day in the windows, likelier near their end (recent history)."""
    sizes = np.array([hi - lo + 1 for lo, hi in windows], dtype=float)
    w = int(rng.choice(len(windows), p=sizes / sizes.sum())) if len(windows) > 1 else 0
    lo, hi = windows[w]
    return int(hi - (hi - lo) * rng.random() ** 1.5)


def _plant_factors(pop: Population, rng: np.random.Generator, plan: CohortPlan,
                   data_start: int, data_end: int, avoid: dict[str, tuple[int, int]]) -> None:
    """Choose each member's factors and date one record for each.

    A member's count is drawn around the SNA's average (4.8; 5.1 for murder and
    attempted murder) and limited to the factors the data can hold for them; the
    shortfall is then topped up across members who can take more, so the cohort's
    average lands on the SNA's figure where the data allow it.
    """
    if not plan.members:
        return
    dobs = pop.dob(np.array([m.person_id for m in plan.members])).tolist()
    years = _school_years(first_academic_year_start(data_start), data_end)
    feasible: list[dict[str, Windows]] = []
    for m, dob in zip(plan.members, dobs, strict=True):
        f = _feasible(dob, m.index_day, data_start, data_end, years)
        for factor, (a, b) in avoid.items():
            if factor in f:
                f[factor] = _cut(f[factor], a, b)
                if not f[factor]:
                    del f[factor]
        feasible.append(f)

    def choose(members: list[int], target: float) -> None:
        chosen: dict[int, list[str]] = {}
        for i in members:
            names = [k for k in FACTORS if k in feasible[i]]
            want = int(np.clip(round(rng.normal(target, 1.4)), 1, 8))
            k = min(want, len(names))
            w = np.array([FACTOR_WEIGHT[n] for n in names])
            chosen[i] = ([str(x) for x in rng.choice(names, size=k, replace=False,
                                                     p=w / w.sum())] if k else [])
        goal = round(target * len(members))
        have = sum(len(v) for v in chosen.values())
        order = list(members)
        rng.shuffle(order)
        # Top up (or trim) one factor at a time until the average is the target.
        for step in range(40 * len(members)):
            if have == goal:
                break
            i = order[step % len(order)]
            spare = [k for k in FACTORS if k in feasible[i] and k not in chosen[i]]
            if have < goal and spare:
                w = np.array([FACTOR_WEIGHT[n] for n in spare])
                chosen[i].append(spare[int(rng.choice(len(spare), p=w / w.sum()))])
                have += 1
            elif have > goal and len(chosen[i]) > 1:
                chosen[i].pop(int(rng.integers(0, len(chosen[i]))))
                have -= 1
        for i in members:
            m = plan.members[i]
            for k in sorted(chosen[i], key=FACTORS.index):
                day = _draw_day(rng, feasible[i][k])
                if k in ("suspension", "permanent_exclusion"):
                    day = _weekday_within(day, feasible[i][k])
                m.factors[k] = day

    murder = [i for i, m in enumerate(plan.members) if m.murder_attempted]
    others = [i for i, m in enumerate(plan.members) if not m.murder_attempted]
    choose(murder, TARGET_FACTORS_MURDER)
    # The whole cohort averages 4.8, murder and attempted murder included.
    rest = ((TARGET_FACTORS_ALL * len(plan.members) - TARGET_FACTORS_MURDER * len(murder))
            / max(len(others), 1))
    choose(others, rest)


# Hour-of-day profiles (003, SNA "Timings"): serious violence rises from the afternoon
# to late evening; a fifth falls in the night-time economy (22:00-04:59); young
# people's peaks at 15:00-15:59, the end of the school day.
ADULT_HOURS = np.array([3.7, 3.0, 2.5, 1.8, 1.3, 0.8, 1.1, 1.8, 2.6, 3.2, 3.7, 4.2,
                        4.7, 4.8, 5.0, 5.4, 5.7, 6.0, 6.1, 6.0, 5.8, 5.4, 5.3, 4.7])
ADULT_HOURS = ADULT_HOURS / ADULT_HOURS.sum()
YOUTH_HOURS = np.array([1.5, 1.0, 0.7, 0.4, 0.3, 0.3, 0.5, 1.2, 2.6, 2.8, 3.0, 3.3,
                        4.2, 4.6, 5.6, 10.5, 8.3, 7.5, 7.0, 6.4, 5.6, 4.6, 3.4, 2.2])
YOUTH_HOURS = YOUTH_HOURS / YOUTH_HOURS.sum()
