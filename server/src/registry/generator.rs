//! The deterministic synthetic registry: every citizen and company is a pure function of
//! (seed, index), so generation can be chunked or parallelised and reproduces byte for byte.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::demo;
use super::names::{self, Generation, COMPANY_BRANDS, COMPANY_TRADES, SURNAMES};
use super::places::{self, day_number, splitmix64, TownshipInfo, TOWNSHIPS};

/// Generated citizens get ids from here on; ids below are reserved for fixed rows (demo, tests).
pub const FIRST_GENERATED_CITIZEN_ID: i64 = 1000;

/// The most citizens (or companies) one seed can produce: the 7 free digits of an ID number,
/// less the numbers reserved for the demo rows.
pub fn max_generated() -> u64 {
    SERIAL_SPACE
        - RESERVED_CITIZEN_SERIALS
            .len()
            .max(RESERVED_COMPANY_SERIALS.len()) as u64
}

/// The registry is generated as it stands on this day: no card is issued after it.
const AS_OF: &str = "2025-12-31";
/// `created_at` of every generated row: 2026-01-01 00:00 Asia/Taipei, in unix seconds.
pub const GENERATED_AT: i64 = 1_767_196_800;
/// No ID cards existed before the first issue in Taiwan (民國36年).
const FIRST_CARDS: &str = "1947-06-01";
/// The nationwide replacement (全面換發) of 民國94年.
const NATIONWIDE_RENEWAL_YEAR: i32 = 2005;
/// Business IDs assigned from this day on may use the divisible-by-5 rule.
const BUSINESS_ID_MOD5_FROM: &str = "2023-04-01";

const SERIAL_SPACE: u64 = 10_000_000;

/// 初發 / 補發 / 換發 (領補換類別).
pub const APPLY_FIRST: i64 = 1;
pub const APPLY_REISSUE: i64 = 2;
pub const APPLY_RENEWAL: i64 = 3;

/// One row of `citizens`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    pub id: i64,
    pub national_id: String,
    pub name: String,
    /// `M` or `F`.
    pub sex: &'static str,
    pub birth_date: String,
    pub county: &'static str,
    pub township: &'static str,
    pub village: String,
    pub neighborhood: i64,
    pub street_address: String,
    pub household_office_code: String,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub adoptive_father_name: Option<String>,
    pub adoptive_mother_name: Option<String>,
    pub under_guardianship: bool,
    /// `active` or `voided`.
    pub id_status: &'static str,
    pub nationality_registered: bool,
    pub created_at: i64,
}

/// One row of `id_card_issuances` (its id is assigned by the database).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issuance {
    pub citizen_id: i64,
    pub issue_date: String,
    pub apply_code: i64,
    pub issue_site_id: &'static str,
    pub is_current: bool,
}

/// One row of `companies` (商工登記).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Company {
    pub business_id: String,
    pub name: String,
    pub status: &'static str,
    pub representative: String,
    pub address: String,
    pub registered_on: String,
}

/// Citizens and their card histories for a range of indexes.
#[derive(Debug, Default)]
pub struct CitizenBatch {
    pub citizens: Vec<Citizen>,
    pub issuances: Vec<Issuance>,
}

/// Makes rows from a seed. Cheap to clone; every method takes `&self`.
#[derive(Clone)]
pub struct Generator {
    key: [u8; 32],
    citizen_serials: Permutation,
    company_serials: Permutation,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let key = ChaCha8Rng::seed_from_u64(seed).get_seed();
        Self {
            key,
            citizen_serials: Permutation::new(splitmix64(seed ^ 0x1D), &RESERVED_CITIZEN_SERIALS),
            company_serials: Permutation::new(splitmix64(seed ^ 0xB1), &RESERVED_COMPANY_SERIALS),
        }
    }

    /// The random stream of one row: independent of every other row.
    fn rng(&self, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(stream);
        rng
    }

    /// Citizens `range` (indexes from 0) with their ID-card issuances.
    pub fn citizens(&self, range: Range<u64>) -> CitizenBatch {
        let mut batch = CitizenBatch {
            citizens: Vec::with_capacity((range.end - range.start) as usize),
            issuances: Vec::with_capacity((range.end - range.start) as usize * 5 / 2),
        };
        for index in range {
            let citizen = self.citizen(index, &mut batch.issuances);
            batch.citizens.push(citizen);
        }
        batch
    }

    /// Citizen `index`; its issuances, oldest first, are appended to `issuances`.
    pub fn citizen(&self, index: u64, issuances: &mut Vec<Issuance>) -> Citizen {
        let t = &*TABLES;
        let mut rng = self.rng(index);
        let id = FIRST_GENERATED_CITIZEN_ID + index as i64;

        let birth_year = 1930 + t.birth_years.sample(&mut rng) as i32;
        let birth = NaiveDate::from_ymd_opt(birth_year, 1, 1).expect("valid year")
            + chrono::Days::new(rng.gen_range(0..365));
        let birth_day = birth.num_days_from_ce();
        let age = t.as_of.years_since(birth).unwrap_or(0);
        let male_per_mille = match age {
            ..60 => 500,
            60..80 => 470,
            _ => 420,
        };
        let male = rng.gen_range(0..1000) < male_per_mille;

        let township = &TOWNSHIPS[t.townships.sample(&mut rng)];
        // Most people were first registered where they live; some moved there since.
        let letter = if rng.gen_bool(0.9) {
            township.letter_on(birth_day)
        } else {
            TOWNSHIPS[t.townships.sample(&mut rng)].letter_on(birth_day)
        };
        let serial = self.citizen_serials.apply(index);
        let national_id = national_id_with_checksum(letter, if male { 1 } else { 2 }, serial);

        let family = Family::draw(&mut rng, t, birth_year);
        let given = given_name(&mut rng, male, Generation::of_birth_year(birth_year));
        let name = format!("{}{}", family.child_surname, given);

        let (village, neighborhoods) =
            &township.villages[rng.gen_range(0..township.villages.len())];
        let neighborhood = rng.gen_range(1..=*neighborhoods) as i64;
        let street_address = street_address(&mut rng, t, township);

        let guardianship_per_mille = match age {
            ..20 => 0,
            20..75 => 3,
            _ => 18,
        };
        let under_guardianship = rng.gen_range(0..1000) < guardianship_per_mille;
        let id_status = if rng.gen_range(0..1000) < 3 {
            "voided"
        } else {
            "active"
        };
        let nationality_registered = rng.gen_range(0..1000) >= 5;

        card_history(&mut rng, t, id, birth_day, age, township, issuances);

        Citizen {
            id,
            national_id,
            name,
            sex: if male { "M" } else { "F" },
            birth_date: format_day(birth_day),
            county: township.county().name,
            township: township.name,
            village: village.clone(),
            neighborhood,
            street_address,
            household_office_code: township.code.clone(),
            father_name: family.father,
            mother_name: family.mother,
            adoptive_father_name: family.adoptive_father,
            adoptive_mother_name: family.adoptive_mother,
            under_guardianship,
            id_status,
            nationality_registered,
            created_at: GENERATED_AT,
        }
    }

    /// Companies `range` (indexes from 0).
    pub fn companies(&self, range: Range<u64>) -> Vec<Company> {
        range.map(|index| self.company(index)).collect()
    }

    /// Company `index`.
    pub fn company(&self, index: u64) -> Company {
        let t = &*TABLES;
        let mut rng = self.rng((1 << 63) | index);

        let year_band = t.company_years.sample(&mut rng);
        let (from, to) = COMPANY_YEAR_BANDS[year_band].0;
        let start = NaiveDate::from_ymd_opt(from, 1, 1)
            .expect("valid year")
            .num_days_from_ce();
        let end = NaiveDate::from_ymd_opt(to, 12, 31)
            .expect("valid year")
            .num_days_from_ce()
            .min(t.as_of_day);
        let registered_day = rng.gen_range(start..=end);

        let (form, is_company) = COMPANY_FORMS[t.company_forms.sample(&mut rng)];
        let brand = COMPANY_BRANDS[rng.gen_range(0..COMPANY_BRANDS.len())];
        let trade = COMPANY_TRADES[rng.gen_range(0..COMPANY_TRADES.len())];
        let roll = rng.gen_range(0..100);
        let status = match (is_company, roll) {
            (true, ..78) | (false, ..80) => "核准設立",
            (true, 78..88) => "解散",
            (true, 88..97) => "廢止",
            (false, 80..95) => "歇業",
            _ => "停業",
        };

        let township = &TOWNSHIPS[t.townships.sample(&mut rng)];
        let address = format!(
            "{}{}{}",
            township.county().name,
            township.name,
            street_address(&mut rng, t, township)
        );
        let birth_year = rng.gen_range(1945..=1998);
        let male = rng.gen_bool(0.7);
        let representative = format!(
            "{}{}",
            SURNAMES[t.surnames.sample(&mut rng)].0,
            given_name(&mut rng, male, Generation::of_birth_year(birth_year))
        );

        let modulus = if registered_day >= t.mod5_from { 5 } else { 10 };
        let serial = self.company_serials.apply(index);
        Company {
            business_id: business_id_with_checksum(serial, modulus, rng.gen_bool(0.5)),
            name: format!("{brand}{trade}{form}"),
            status,
            representative,
            address,
            registered_on: format_day(registered_day),
        }
    }
}

/// The parents of a citizen, and the surname the citizen got from them.
struct Family {
    child_surname: &'static str,
    father: Option<String>,
    mother: Option<String>,
    adoptive_father: Option<String>,
    adoptive_mother: Option<String>,
}

impl Family {
    fn draw(rng: &mut ChaCha8Rng, t: &Tables, birth_year: i32) -> Self {
        let father_surname = SURNAMES[t.surnames.sample(rng)].0;
        let mut mother_surname = SURNAMES[t.surnames.sample(rng)].0;
        if mother_surname == father_surname {
            mother_surname = SURNAMES[t.surnames.sample(rng)].0;
        }
        let father_known = rng.gen_range(0..1000) >= 10;
        let mother_known = rng.gen_range(0..1000) >= 2;
        // Taking the mother's surname has been a free choice since 2007.
        let mothers_share = if birth_year >= 2008 { 5 } else { 2 };
        let mut child_surname = if !father_known || rng.gen_range(0..100) < mothers_share {
            mother_surname
        } else {
            father_surname
        };
        let father = father_known.then(|| {
            let generation = Generation::of_birth_year(birth_year - 29);
            format!("{father_surname}{}", given_name(rng, true, generation))
        });
        let mother = mother_known.then(|| {
            let generation = Generation::of_birth_year(birth_year - 27);
            format!("{mother_surname}{}", given_name(rng, false, generation))
        });

        let (mut adoptive_father, mut adoptive_mother) = (None, None);
        if rng.gen_range(0..1000) < 10 {
            let generation = Generation::of_birth_year(birth_year - 35);
            let surname = SURNAMES[t.surnames.sample(rng)].0;
            let which = rng.gen_range(0..10);
            if which < 9 {
                adoptive_mother = Some(format!(
                    "{}{}",
                    SURNAMES[t.surnames.sample(rng)].0,
                    given_name(rng, false, generation)
                ));
            }
            if which > 1 {
                adoptive_father = Some(format!("{surname}{}", given_name(rng, true, generation)));
                if rng.gen_range(0..10) < 7 {
                    child_surname = surname;
                }
            }
        }
        Self {
            child_surname,
            father,
            mother,
            adoptive_father,
            adoptive_mother,
        }
    }
}

/// A given name: two characters from the generation's pools, now and then one.
fn given_name(rng: &mut ChaCha8Rng, male: bool, generation: Generation) -> String {
    let pool = names::given_name_pool(male, generation);
    let second = pool.second[rng.gen_range(0..pool.second.len())];
    if rng.gen_range(0..100) < 2 {
        return second.to_string();
    }
    let mut first = pool.first[rng.gen_range(0..pool.first.len())];
    if first == second {
        first = pool.first[rng.gen_range(0..pool.first.len())];
    }
    let mut name = String::with_capacity(6);
    name.push(first);
    name.push(second);
    name
}

/// The part of an address after the township: road, 段, 巷, 弄, 號, 樓.
fn street_address(rng: &mut ChaCha8Rng, t: &Tables, township: &TownshipInfo) -> String {
    use std::fmt::Write;
    const SECTIONS: [&str; 5] = ["一", "二", "三", "四", "五"];
    let urban = !township.name.ends_with('鄉') && !township.name.ends_with('鎮');
    let (road, sectioned) = t.roads[t.road_weights.sample(rng)];
    let mut out = String::with_capacity(48);
    out.push_str(road);
    if sectioned && rng.gen_range(0..100) < 45 {
        let section = [0, 0, 0, 1, 1, 2, 3, 4][rng.gen_range(0..8)];
        out.push_str(SECTIONS[section]);
        out.push('段');
    }
    if rng.gen_range(0..100) < 38 {
        let lane = if rng.gen_bool(0.8) {
            rng.gen_range(1..=120)
        } else {
            rng.gen_range(121..=450)
        };
        let _ = write!(out, "{lane}巷");
        if rng.gen_range(0..100) < 30 {
            let _ = write!(out, "{}弄", rng.gen_range(1..=25));
        }
    }
    let number = if rng.gen_bool(0.75) {
        rng.gen_range(1..=150)
    } else {
        rng.gen_range(151..=600)
    };
    let _ = write!(out, "{number}");
    if rng.gen_range(0..100) < 4 {
        let _ = write!(out, "之{}", rng.gen_range(1..=5));
    }
    out.push('號');
    let with_floor = rng.gen_range(0..100) < if urban { 65 } else { 20 };
    if with_floor {
        let floor = if rng.gen_bool(0.8) {
            rng.gen_range(2..=7)
        } else {
            rng.gen_range(8..=24)
        };
        let _ = write!(out, "{floor}樓");
        if rng.gen_range(0..100) < 10 {
            let _ = write!(out, "之{}", rng.gen_range(1..=6));
        }
    }
    out
}

/// Appends the citizen's card history: 初發 at 14–20 (a few children earlier), the 2005
/// nationwide 換發, random 補發 and personal 換發; the last one is current.
fn card_history(
    rng: &mut ChaCha8Rng,
    t: &Tables,
    citizen_id: i64,
    birth_day: i32,
    age: u32,
    township: &TownshipInfo,
    out: &mut Vec<Issuance>,
) {
    let first_age = [
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 16, 16, 17, 18, 19, 20,
    ][rng.gen_range(0..20)];
    let mut first = birth_day + first_age * 365 + first_age / 4 + rng.gen_range(0..365);
    if first < t.first_cards {
        first = t.first_cards + rng.gen_range(0..1100);
    }
    let child_applies = rng.gen_range(0..100) < 4;
    if first > t.as_of_day {
        if !(child_applies && age >= 2) {
            return;
        }
        first = rng.gen_range(birth_day + 366..=t.as_of_day);
    }

    let mut events: Vec<(i32, i64)> = vec![(first, APPLY_FIRST)];
    if first < t.renewal_start {
        events.push((t.renewal_start + rng.gen_range(0..365), APPLY_RENEWAL));
    }
    let later = first + 1..=t.as_of_day;
    if rng.gen_range(0..100) < 15 && !later.is_empty() {
        let count = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.gen_range(0..10)];
        for _ in 0..count {
            events.push((rng.gen_range(later.clone()), APPLY_REISSUE));
        }
    }
    if rng.gen_range(0..100) < 8 && !later.is_empty() {
        events.push((rng.gen_range(later), APPLY_RENEWAL));
    }
    events.sort_unstable();
    // One card a day at most: a same-day second event moves to the next day, or is dropped
    // if that would be after the registry's date.
    for i in 1..events.len() {
        if events[i].0 <= events[i - 1].0 {
            events[i].0 = events[i - 1].0 + 1;
        }
    }
    events.retain(|&(day, _)| day <= t.as_of_day);

    let last = events.len() - 1;
    for (i, (day, apply_code)) in events.into_iter().enumerate() {
        let place = if rng.gen_range(0..100) < 92 {
            township
        } else {
            &TOWNSHIPS[t.townships.sample(rng)]
        };
        out.push(Issuance {
            citizen_id,
            issue_date: format_day(day),
            apply_code,
            issue_site_id: place.issue_site_on(day),
            is_current: i == last,
        });
    }
}

/// `YYYY-MM-DD` of a day counted from the common era.
pub(crate) fn format_day(day: i32) -> String {
    let date = NaiveDate::from_num_days_from_ce_opt(day).expect("generated dates are in range");
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// Living population by 5-year birth cohort (born 1930–2024), in thousands.
const BIRTH_COHORTS: [u32; 19] = [
    150, 300, 500, 800, 1250, 1600, 1720, 1800, 1800, 1850, 1950, 1700, 1550, 1500, 1270, 1060,
    1030, 970, 750,
];

/// Company registrations by period (years inclusive), weighted toward recent ones.
const COMPANY_YEAR_BANDS: [((i32, i32), u32); 7] = [
    ((1960, 1969), 2),
    ((1970, 1979), 4),
    ((1980, 1989), 8),
    ((1990, 1999), 14),
    ((2000, 2009), 20),
    ((2010, 2019), 28),
    ((2020, 2025), 24),
];

/// Legal forms: (suffix, is a company under the Company Act rather than a 商業 business).
const COMPANY_FORMS: [(&str, bool); 5] = [
    ("股份有限公司", true),
    ("有限公司", true),
    ("企業社", false),
    ("商行", false),
    ("工作室", false),
];
const COMPANY_FORM_WEIGHTS: [u32; 5] = [45, 40, 8, 5, 2];

/// Sampling tables built once from the static data.
struct Tables {
    birth_years: WeightedIndex<u32>,
    townships: WeightedIndex<u32>,
    surnames: WeightedIndex<u32>,
    roads: Vec<(&'static str, bool)>,
    road_weights: WeightedIndex<u32>,
    company_years: WeightedIndex<u32>,
    company_forms: WeightedIndex<u32>,
    as_of: NaiveDate,
    as_of_day: i32,
    first_cards: i32,
    renewal_start: i32,
    mod5_from: i32,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let years: Vec<u32> = (0..95).map(|y| BIRTH_COHORTS[y / 5]).collect();
    let (roads, road_weights): (Vec<_>, Vec<_>) = places::roads()
        .map(|(road, weight, sectioned)| ((road, sectioned), weight))
        .unzip();
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("valid date");
    Tables {
        birth_years: WeightedIndex::new(years).expect("weights"),
        townships: WeightedIndex::new(TOWNSHIPS.iter().map(|t| t.weight)).expect("weights"),
        surnames: WeightedIndex::new(SURNAMES.iter().map(|s| s.1)).expect("weights"),
        roads,
        road_weights: WeightedIndex::new(road_weights).expect("weights"),
        company_years: WeightedIndex::new(COMPANY_YEAR_BANDS.iter().map(|b| b.1)).expect("weights"),
        company_forms: WeightedIndex::new(COMPANY_FORM_WEIGHTS).expect("weights"),
        as_of,
        as_of_day: as_of.num_days_from_ce(),
        first_cards: day_number(FIRST_CARDS),
        renewal_start: NaiveDate::from_ymd_opt(NATIONWIDE_RENEWAL_YEAR, 1, 1)
            .expect("valid date")
            .num_days_from_ce(),
        mod5_from: day_number(BUSINESS_ID_MOD5_FROM),
    }
});

/// The 7 free digits of each demo national ID; the generator never produces them.
static RESERVED_CITIZEN_SERIALS: LazyLock<Vec<u64>> =
    LazyLock::new(|| sorted_serials(demo::CITIZENS.iter().map(|c| &c.national_id[2..9])));
/// The first 7 digits of each demo 統一編號.
static RESERVED_COMPANY_SERIALS: LazyLock<Vec<u64>> =
    LazyLock::new(|| sorted_serials(demo::COMPANIES.iter().map(|c| &c.business_id[..7])));

fn sorted_serials<'a>(digits: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut serials: Vec<u64> = digits
        .map(|d| d.parse().expect("demo IDs are digits"))
        .collect();
    serials.sort_unstable();
    serials.dedup();
    serials
}

/// A keyed bijection from `0..SERIAL_SPACE - reserved` onto `0..SERIAL_SPACE` minus the
/// reserved serials: a 24-bit Feistel network, cycle-walked into range, then shifted past the
/// reserved values. Distinct indexes give distinct serials, so IDs are unique by construction.
#[derive(Clone)]
struct Permutation {
    keys: [u64; 4],
    reserved: &'static [u64],
}

impl Permutation {
    fn new(key: u64, reserved: &'static LazyLock<Vec<u64>>) -> Self {
        let mut state = key;
        let keys = [(); 4].map(|_| {
            state = splitmix64(state);
            state
        });
        Self {
            keys,
            reserved: reserved.as_slice(),
        }
    }

    fn apply(&self, index: u64) -> u64 {
        let domain = SERIAL_SPACE - self.reserved.len() as u64;
        assert!(index < domain, "index {index} beyond the ID space");
        let mut x = self.feistel(index);
        while x >= domain {
            x = self.feistel(x);
        }
        for &r in self.reserved {
            if x >= r {
                x += 1;
            }
        }
        x
    }

    fn feistel(&self, x: u64) -> u64 {
        let (mut left, mut right) = (x >> 12, x & 0xFFF);
        for key in self.keys {
            let mixed = (splitmix64(right ^ key) & 0xFFF) ^ left;
            left = right;
            right = mixed;
        }
        (left << 12) | right
    }
}

/// The two-digit code of an ID-number letter (A=10 … Z=33, with the historical exceptions).
fn letter_code(letter: char) -> Option<u32> {
    const CODES: [u32; 26] = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32,
        30, 31, 33,
    ];
    letter
        .is_ascii_uppercase()
        .then(|| CODES[(letter as u8 - b'A') as usize])
}

/// A national ID number with its check digit.
// Local until app::domain::NationalId::with_checksum lands; then that replaces it.
fn national_id_with_checksum(letter: char, sex_digit: u32, serial: u64) -> String {
    let code = letter_code(letter).expect("county letters are A–Z");
    let body = format!("{sex_digit}{serial:07}");
    let mut sum = code / 10 + (code % 10) * 9;
    for (digit, weight) in body.bytes().zip([8, 7, 6, 5, 4, 3, 2, 1]) {
        sum += u32::from(digit - b'0') * weight;
    }
    format!("{letter}{body}{}", (10 - sum % 10) % 10)
}

/// Whether `id` is a well-formed national ID number with a valid check digit.
#[cfg(test)]
pub(crate) fn national_id_is_valid(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 10 || !bytes[1..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(code) = letter_code(bytes[0] as char) else {
        return false;
    };
    if !matches!(bytes[1], b'1' | b'2') {
        return false;
    }
    let mut sum = code / 10 + (code % 10) * 9;
    for (digit, weight) in bytes[1..].iter().zip([8, 7, 6, 5, 4, 3, 2, 1, 1]) {
        sum += u32::from(digit - b'0') * weight;
    }
    sum.is_multiple_of(10)
}

/// The weighted digit sum of the first 7 digits of a 統一編號 (7th digit 7 counts 28 → 1).
fn business_partial_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .zip([1, 2, 1, 2, 1, 2, 4])
        .map(|(d, w)| {
            let p = u32::from(*d) * w;
            let s = p / 10 + p % 10;
            s / 10 + s % 10
        })
        .sum()
}

/// A 統一編號: 7 serial digits and a last digit making the weighted sum divisible by
/// `modulus` (10, or 5 for numbers assigned under the extended rule); `upper` picks the
/// second of the two valid digits when the modulus is 5.
// Local until app::domain::BusinessId::with_checksum lands; then that replaces it.
fn business_id_with_checksum(serial: u64, modulus: u32, upper: bool) -> String {
    let body = format!("{serial:07}");
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    let sum = business_partial_sum(&digits);
    let mut last = (10 - sum % 10) % 10;
    if modulus == 5 && upper {
        last = (last + 5) % 10;
    }
    format!("{body}{last}")
}

/// Whether `id` is a valid 統一編號 under the divisible-by-5 rule (which accepts every
/// divisible-by-10 number), counting 28 as 1 or 0 when the 7th digit is 7.
#[cfg(test)]
pub(crate) fn business_id_is_valid(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digits: Vec<u8> = bytes.iter().map(|b| b - b'0').collect();
    let sum = business_partial_sum(&digits[..7]) + u32::from(digits[7]);
    sum.is_multiple_of(5) || (digits[6] == 7 && (sum - 1).is_multiple_of(5))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn f1_generator_is_deterministic() {
        let a = Generator::new(42);
        let b = Generator::new(42);
        let first = a.citizens(0..500);
        let second = b.citizens(0..500);
        assert_eq!(first.citizens, second.citizens);
        assert_eq!(first.issuances, second.issuances);
        assert_eq!(a.companies(0..200), b.companies(0..200));

        // A row depends on (seed, index) only, not on how the range was chunked.
        let mut issuances = Vec::new();
        assert_eq!(a.citizen(321, &mut issuances), first.citizens[321]);
        assert_eq!(a.company(77), a.companies(0..200)[77]);

        let other = Generator::new(43).citizens(0..500);
        assert_ne!(first.citizens, other.citizens);
    }

    #[test]
    fn f1_generated_national_ids_are_unique_and_valid() {
        let generator = Generator::new(7);
        let batch = generator.citizens(0..100_000);
        let mut seen = HashSet::new();
        for citizen in &batch.citizens {
            assert!(
                national_id_is_valid(&citizen.national_id),
                "{}",
                citizen.national_id
            );
            assert!(
                seen.insert(citizen.national_id.clone()),
                "duplicate {}",
                citizen.national_id
            );
            let sex_digit = if citizen.sex == "M" { b'1' } else { b'2' };
            assert_eq!(citizen.national_id.as_bytes()[1], sex_digit);
        }
        for demo in demo::CITIZENS {
            assert!(
                !seen.contains(demo.national_id),
                "{} generated",
                demo.national_id
            );
        }
    }

    #[test]
    fn f1_permutation_is_a_bijection_avoiding_reserved_serials() {
        let reserved: &'static LazyLock<Vec<u64>> = &RESERVED_CITIZEN_SERIALS;
        let permutation = Permutation::new(99, reserved);
        let domain = SERIAL_SPACE - reserved.len() as u64;
        let mut hit = vec![false; SERIAL_SPACE as usize];
        for index in 0..domain {
            let serial = permutation.apply(index) as usize;
            assert!(!hit[serial], "serial {serial} twice");
            hit[serial] = true;
        }
        for &r in reserved.iter() {
            assert!(!hit[r as usize], "reserved serial {r} produced");
        }
    }

    #[test]
    fn f1_national_id_checksum() {
        assert!(national_id_is_valid("A123456789"));
        assert!(!national_id_is_valid("A123456788"));
        assert!(!national_id_is_valid("A323456789"));
        assert_eq!(national_id_with_checksum('A', 1, 2_345_678), "A123456789");
        for letter in 'A'..='Z' {
            let id = national_id_with_checksum(letter, 2, 1_234_567);
            assert!(national_id_is_valid(&id), "{id}");
        }
    }

    #[test]
    fn f1_business_ids_pass_checksum() {
        assert!(business_id_is_valid("24941832"));
        assert!(
            business_id_is_valid("10458575"),
            "7th digit 7, 28 counted as 1"
        );
        assert!(
            business_id_is_valid("10458574"),
            "7th digit 7, 28 counted as 0"
        );
        assert!(!business_id_is_valid("24941833"));
        let generator = Generator::new(3);
        let mut seen = HashSet::new();
        for company in generator.companies(0..50_000) {
            assert!(
                business_id_is_valid(&company.business_id),
                "{}",
                company.business_id
            );
            if company.registered_on.as_str() < BUSINESS_ID_MOD5_FROM {
                let digits: Vec<u8> = company.business_id.bytes().map(|b| b - b'0').collect();
                let sum = business_partial_sum(&digits[..7]) + u32::from(digits[7]);
                assert_eq!(sum % 10, 0, "older numbers follow the divisible-by-10 rule");
            }
            assert!(seen.insert(company.business_id));
        }
        for demo in demo::COMPANIES {
            assert!(business_id_is_valid(demo.business_id));
            assert!(!seen.contains(demo.business_id));
        }
    }

    #[test]
    fn f1_card_histories_are_consistent() {
        let batch = Generator::new(11).citizens(0..20_000);
        let mut by_citizen: std::collections::HashMap<i64, Vec<&Issuance>> = Default::default();
        for issuance in &batch.issuances {
            by_citizen
                .entry(issuance.citizen_id)
                .or_default()
                .push(issuance);
        }
        let mut without_card_under_14 = 0;
        let mut under_14 = 0;
        for citizen in &batch.citizens {
            let history = by_citizen
                .get(&citizen.id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let young = citizen.birth_date.as_str() > "2011-12-31";
            if young {
                under_14 += 1;
                without_card_under_14 += usize::from(history.is_empty());
            }
            if history.is_empty() {
                continue;
            }
            assert_eq!(history[0].apply_code, APPLY_FIRST);
            assert_eq!(history.iter().filter(|i| i.is_current).count(), 1);
            assert!(history.last().unwrap().is_current);
            assert!(history
                .windows(2)
                .all(|w| w[0].issue_date < w[1].issue_date));
            assert!(history[0].issue_date > citizen.birth_date);
            if history[0].issue_date.as_str() < "2005-01-01" {
                assert!(history
                    .iter()
                    .any(|i| i.apply_code == APPLY_RENEWAL && i.issue_date.starts_with("2005")));
            }
        }
        assert!(
            without_card_under_14 * 100 > under_14 * 90,
            "children mostly have no card"
        );
    }

    #[test]
    fn f1_issue_sites_are_codes_the_verification_api_knows() {
        // The 27 發證地點 of the verification API (app::domain::IssueSiteId's table).
        const SITES: [&str; 27] = [
            "63000", "65000", "64000", "66000", "67000", "68000", "10001", "10002", "10003",
            "10004", "10005", "10006", "10007", "10008", "10009", "10010", "10011", "10012",
            "10013", "10014", "10015", "10016", "10017", "10018", "10020", "09007", "09020",
        ];
        let batch = Generator::new(13).citizens(0..30_000);
        let mut used = HashSet::new();
        for issuance in &batch.issuances {
            assert!(
                SITES.contains(&issuance.issue_site_id),
                "{}",
                issuance.issue_site_id
            );
            used.insert(issuance.issue_site_id);
        }
        assert_eq!(
            used.len(),
            SITES.len(),
            "every place, past and present, appears"
        );
        for citizen in demo::CITIZENS {
            assert!(citizen.issuances.iter().all(|i| SITES.contains(&i.2)));
        }
    }

    #[test]
    fn f1_generated_people_look_real() {
        let batch = Generator::new(5).citizens(0..50_000);
        let chen = batch
            .citizens
            .iter()
            .filter(|c| c.name.starts_with('陳'))
            .count();
        assert!((4_500..6_700).contains(&chen), "陳 is about 11%: {chen}");
        let taipei = batch
            .citizens
            .iter()
            .filter(|c| c.county == "臺北市")
            .count();
        assert!(
            (4_500..6_500).contains(&taipei),
            "臺北市 is about 11%: {taipei}"
        );
        let same_surname = batch
            .citizens
            .iter()
            .filter(|c| {
                c.father_name
                    .as_deref()
                    .is_some_and(|f| f.chars().next() == c.name.chars().next())
            })
            .count();
        assert!(same_surname * 100 > batch.citizens.len() * 90);
        assert!(batch.citizens.iter().all(
            |c| c.birth_date.as_str() >= "1930-01-01" && c.birth_date.as_str() <= "2024-12-31"
        ));
        assert!(batch.citizens.iter().any(|c| c.under_guardianship));
        assert!(batch.citizens.iter().any(|c| c.id_status == "voided"));
        assert!(batch.citizens.iter().any(|c| !c.nationality_registered));
        assert!(batch
            .citizens
            .iter()
            .any(|c| c.adoptive_father_name.is_some()));
    }
}
