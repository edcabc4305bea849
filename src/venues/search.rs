//! What a search box's text asks for, read the way people type it: "flat white
//! berlin", "Berlin, Germany", "Weserstraße 12". The text becomes words, each
//! of which must begin a word of the venue's name, street or city (Postgres
//! full-text search, prefix matching, see the `venue_search` migration), and
//! kinds of place: a word that names a kind ("coffee", "flat white", "beer")
//! matches the venue's kind instead of its name. Country names and small
//! filler words are dropped, so the country part of "City, Country" never
//! makes a search fail. The tables below are the whole of it: small, and
//! meant to be read and extended, not guessed from.

use crate::venues::Category;

/// Words and phrases (lowercase, accents folded as [`fold`] does) that name a
/// kind of place. The category keys themselves are here too, so a search can
/// be rewritten as words and kinds and read back the same.
pub const KINDS: &[(&str, Category)] = &[
    ("cafe", Category::Cafe),
    ("cafes", Category::Cafe),
    ("coffee", Category::Cafe),
    ("coffee shop", Category::Cafe),
    ("flat white", Category::Cafe),
    ("espresso", Category::Cafe),
    ("cappuccino", Category::Cafe),
    ("latte", Category::Cafe),
    ("kaffee", Category::Cafe),
    ("tea", Category::Cafe),
    ("brunch", Category::Cafe),
    ("restaurant", Category::Restaurant),
    ("restaurants", Category::Restaurant),
    ("dinner", Category::Restaurant),
    ("lunch", Category::Restaurant),
    ("bar", Category::Bar),
    ("bars", Category::Bar),
    ("pub", Category::Bar),
    ("pubs", Category::Bar),
    ("beer", Category::Bar),
    ("bier", Category::Bar),
    ("wine", Category::Bar),
    ("cocktails", Category::Bar),
    ("kneipe", Category::Bar),
    ("bakery", Category::Bakery),
    ("bakeries", Category::Bakery),
    ("baker", Category::Bakery),
    ("backerei", Category::Bakery),
    ("bread", Category::Bakery),
    ("croissant", Category::Bakery),
    ("shop", Category::Shop),
    ("shops", Category::Shop),
    ("store", Category::Shop),
    ("pet shop", Category::Shop),
    ("hotel", Category::Hotel),
    ("hotels", Category::Hotel),
    ("hostel", Category::Hotel),
    ("bed and breakfast", Category::Hotel),
];

/// Country names people add after a city ("Berlin, Germany"): dropped.
pub const COUNTRIES: &[&str] = &[
    "germany",
    "deutschland",
    "austria",
    "osterreich",
    "switzerland",
    "schweiz",
    "suisse",
    "france",
    "netherlands",
    "nederland",
    "holland",
    "the netherlands",
    "belgium",
    "belgique",
    "denmark",
    "danmark",
    "sweden",
    "sverige",
    "norway",
    "norge",
    "finland",
    "suomi",
    "uk",
    "united kingdom",
    "great britain",
    "england",
    "scotland",
    "wales",
    "ireland",
    "italy",
    "italia",
    "spain",
    "espana",
    "portugal",
    "poland",
    "polska",
    "czechia",
    "czech republic",
    "usa",
    "united states",
    "canada",
];

/// Words that say nothing about which place: dropped.
pub const FILLERS: &[&str] = &[
    "a", "an", "the", "and", "in", "at", "near", "around", "for", "with", "of", "to", "dog", "dogs",
    "friendly", "place", "places", "inside", "allowed", "welcome",
];

/// Most words a search keeps (the box is at most 100 characters anyway).
pub const MAX_WORDS: usize = 8;

/// Longest phrase in the tables, in words.
const LONGEST_PHRASE: usize = 3;

/// A search box's text, understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Lowercase words (accents kept) that the name, street or city must
    /// each have a word beginning with.
    pub words: Vec<String>,
    /// Kinds of place asked for (any of them), in the order first named.
    pub kinds: Vec<Category>,
    /// The text had no letter or digit at all ("%%%"): nothing matches it.
    pub signs_only: bool,
}

impl Search {
    /// Reads `text`: words of letters and digits (anything else separates
    /// them), kinds and countries and fillers taken out, the longest phrase
    /// first; words of one character are left out.
    pub fn read(text: &str) -> Self {
        let words: Vec<String> = text
            .split(|c: char| !(c.is_alphabetic() || c.is_ascii_digit()))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let mut out = Self {
            signs_only: words.is_empty() && !text.trim().is_empty(),
            ..Self::default()
        };
        let mut i = 0;
        'words: while i < words.len() {
            for len in (1..=LONGEST_PHRASE.min(words.len() - i)).rev() {
                let phrase = folded[i..i + len].join(" ");
                if let Some((_, kind)) = KINDS.iter().find(|(k, _)| *k == phrase) {
                    if !out.kinds.contains(kind) {
                        out.kinds.push(*kind);
                    }
                    i += len;
                    continue 'words;
                }
                if COUNTRIES.contains(&phrase.as_str()) || (len == 1 && FILLERS.contains(&phrase.as_str())) {
                    i += len;
                    continue 'words;
                }
            }
            // One letter or digit would be the prefix of a good part of all
            // words (a slow index read for little): it is left out.
            let long_enough = words[i].chars().nth(1).is_some();
            if long_enough && out.words.len() < MAX_WORDS && !out.words.contains(&words[i]) {
                out.words.push(words[i].clone());
            }
            i += 1;
        }
        out
    }

    /// Whether nothing was understood (the text was only fillers, countries
    /// or one-letter words): the search is then left out. Signs alone are
    /// not left out: they match nothing ([`Search::signs_only`]).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.kinds.is_empty() && !self.signs_only
    }

    /// The Postgres `to_tsquery('simple', …)` text: every word as a prefix,
    /// all required. Words are letters and digits only, so no operator of the
    /// query syntax can come from the person. `None` without words.
    pub fn tsquery(&self) -> Option<String> {
        (!self.words.is_empty()).then(|| {
            self.words
                .iter()
                .map(|w| format!("{}:*", fold(w)))
                .collect::<Vec<_>>()
                .join(" & ")
        })
    }

    /// The search as text that reads back the same ([`Search::read`]):
    /// the words, then each kind's key.
    pub fn to_text(&self) -> String {
        if self.signs_only {
            return "%".to_owned();
        }
        let kinds = self.kinds.iter().map(|k| k.as_str().to_owned());
        self.words
            .iter()
            .cloned()
            .chain(kinds)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A place as typed in the city field without the country people add:
/// "Berlin, Germany" and "Berlin Germany" are "Berlin".
pub fn city_part(typed: &str) -> String {
    let first = typed.split(',').next().unwrap_or(typed);
    let words: Vec<&str> = first.split_whitespace().collect();
    for len in [2, 1] {
        if words.len() > len {
            let (city, tail) = words.split_at(words.len() - len);
            if COUNTRIES.contains(&fold(&tail.join(" ").to_lowercase()).as_str()) {
                return city.join(" ");
            }
        }
    }
    words.join(" ")
}

/// Accents folded from lowercase Latin letters, as the `paws_fold` function of
/// the `venue_search` migration does (the two must agree).
pub const FOLD_FROM: &str = "áàâäãåéèêëíìîïóòôöõøúùûüýÿçñ";
/// What each of [`FOLD_FROM`]'s letters becomes.
pub const FOLD_TO: &str = "aaaaaaeeeeiiiioooooouuuuyycn";

/// `word` with its accents folded ("café" → "cafe").
pub fn fold(word: &str) -> String {
    word.chars()
        .map(|c| {
            FOLD_FROM
                .chars()
                .position(|f| f == c)
                .and_then(|i| FOLD_TO.chars().nth(i))
                .unwrap_or(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<String>, Vec<Category>, Search) {
        let s = Search::read(text);
        (s.words.clone(), s.kinds.clone(), s)
    }

    #[test]
    fn kinds_match_the_kind_and_countries_drop() {
        let (words, kinds, _) = read("flat white berlin");
        assert_eq!((words, kinds), (vec!["berlin".to_owned()], vec![Category::Cafe]));
        let (words, kinds, s) = read("Berlin, Germany");
        assert_eq!((words, kinds), (vec!["berlin".to_owned()], vec![]));
        assert_eq!(s.tsquery().as_deref(), Some("berlin:*"));
        let (words, kinds, _) = read("Beer in Amsterdam, The Netherlands");
        assert_eq!(
            (words, kinds),
            (vec!["amsterdam".to_owned()], vec![Category::Bar])
        );
        let (_, kinds, _) = read("Café & Bäckerei");
        assert_eq!(kinds, vec![Category::Cafe, Category::Bakery]);
    }

    #[test]
    fn streets_keep_their_words_and_junk_says_nothing() {
        let s = Search::read("Weserstraße 12");
        assert_eq!(s.tsquery().as_deref(), Some("weserstraße:* & 12:*"));
        let junk = Search::read("'; DROP TABLE venues; -- :* & | !");
        assert_eq!(junk.tsquery().as_deref(), Some("drop:* & table:* & venues:*"));
        assert!(Search::read("!!! ??? Germany").is_empty());
        let signs = Search::read("%%%");
        assert!(!signs.is_empty() && signs.signs_only);
        assert_eq!(Search::read(&signs.to_text()), signs);
        assert_eq!(Search::read(&"word ".repeat(50)).words.len(), 1, "once each");
        assert_eq!(Search::read("Kastanienallee 5 x").words, vec!["kastanienallee"]);
        let many: String = (0..20).map(|i| format!("w{i} ")).collect();
        assert_eq!(Search::read(&many).words.len(), MAX_WORDS);
    }

    #[test]
    fn the_city_field_drops_the_country() {
        assert_eq!(city_part("Berlin, Germany"), "Berlin");
        assert_eq!(city_part("berlin germany"), "berlin");
        assert_eq!(city_part("Frankfurt am Main United Kingdom"), "Frankfurt am Main");
        assert_eq!(city_part("Germany"), "Germany", "a country alone stays");
        assert_eq!(city_part("Den Haag"), "Den Haag");
    }

    #[test]
    fn reads_back_and_folds_like_the_database() {
        let s = Search::read("espresso Crème Kastanienallee");
        assert_eq!(Search::read(&s.to_text()), s);
        assert_eq!(s.tsquery().as_deref(), Some("creme:* & kastanienallee:*"));
        assert_eq!(FOLD_FROM.chars().count(), FOLD_TO.chars().count());
        for (phrase, kind) in KINDS {
            assert_eq!(Search::read(phrase).kinds, vec![*kind], "{phrase}");
        }
    }
}
