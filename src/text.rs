//! Text that people and other sources give us, shown to everyone.
//!
//! Every field a person fills in is read by its [`Field`] into a [`Text`]:
//! trimmed, bounded in characters, and free of what cannot be stored (Postgres
//! refuses NUL in text) or should not be shown. What a field may hold:
//!
//! - Control characters (NUL, escape, …) are refused: no keyboard types them.
//!   Line breaks and tabs are the exception in fields of several lines (a bio,
//!   notes), where a person types them; `\r\n` and lone `\r` (what browsers
//!   send from a text area) become `\n`. A one-line field refuses them: its
//!   input cannot hold them, so they came from a script or a paste gone wrong.
//! - Characters that reorder what follows (direction embeddings, overrides,
//!   isolates) and private-use characters are refused: they can make a name
//!   read as something else, and leak into the page around it.
//! - Zero-width spaces, word joiners, byte-order marks and the direction
//!   marks LRM, RLM and ALM are dropped without a word: they change nothing a
//!   reader sees, and arrive in pasted text (an address copied from a map
//!   carries LRMs) where the person cannot see them to delete them.
//! - Zero-width joiners and non-joiners are kept inside text: they are part
//!   of writing (🐕‍🦺 is two emoji joined; Persian and Indic scripts need them).
//!
//! [`invisible`] is the stricter test for text nobody typed to us (names
//! from OpenStreetMap): anything it finds is a reason to skip the element.

/// Characters that show nothing or reorder what follows (the identity
/// crate's test, which addresses use too).
pub use anonymous_first::text::{invisible, joiner};

/// How one field a person fills in is read: its name in the form's words,
/// its bound and whether it holds lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field at the start of a sentence, as the form names it ("The name").
    pub label: &'static str,
    /// Most characters kept, counted after trimming.
    pub max: usize,
    /// Line breaks and tabs belong in it (a bio, notes).
    pub multiline: bool,
    /// What an empty field says when it must be filled in; `None`: optional.
    pub missing: Option<&'static str>,
}

/// Why typed text was not taken; each says so in a sentence naming the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A required field left empty (the field's own sentence).
    #[error("{0}")]
    Missing(&'static str),
    /// Over the field's bound.
    #[error("{label} can be at most {max} characters.")]
    TooLong {
        /// The field.
        label: &'static str,
        /// Its bound.
        max: usize,
    },
    /// A line break or tab in a one-line field.
    #[error("{label} must be one line of text (no line breaks or tabs).")]
    Lines {
        /// The field.
        label: &'static str,
    },
    /// A control, direction-override or private-use character.
    #[error(
        "{label} contains a hidden character (a control or text-direction code). Please type it again without it."
    )]
    Hidden {
        /// The field.
        label: &'static str,
    },
}

/// Text as a field read it (see the module): the only way to get one is
/// [`Field::read`], so holding one means it was checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `None` for an empty text (an optional field left empty).
    pub fn non_empty(self) -> Option<Text> {
        (!self.0.is_empty()).then_some(self)
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.0
    }
}

/// Marks that change nothing a reader sees: zero-width space, LRM, RLM, ALM,
/// word joiner, invisible operators, byte-order mark.
fn silent(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

impl Field {
    /// A one-line field of at most `max` characters that may be left empty.
    pub const fn line(label: &'static str, max: usize) -> Self {
        Self {
            label,
            max,
            multiline: false,
            missing: None,
        }
    }

    /// A field of several lines (a bio, notes) of at most `max` characters.
    pub const fn lines(label: &'static str, max: usize) -> Self {
        Self {
            multiline: true,
            ..Self::line(label, max)
        }
    }

    /// The same field, to be filled in: `message` is what an empty one says.
    pub const fn required(self, message: &'static str) -> Self {
        Self {
            missing: Some(message),
            ..self
        }
    }

    /// Reads what a person typed into this field (see the module for what it
    /// keeps, drops and refuses).
    pub fn read(&self, raw: &str) -> Result<Text, TextError> {
        let label = self.label;
        let mut out = String::with_capacity(raw.len().min(4 * self.max + 4));
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' | '\n' | '\u{2028}' | '\u{2029}' | '\t' if !self.multiline => {
                    return Err(TextError::Lines { label });
                }
                '\r' => {
                    chars.next_if_eq(&'\n');
                    out.push('\n');
                }
                '\u{2028}' | '\u{2029}' => out.push('\n'),
                '\n' | '\t' => out.push(c),
                c if silent(c) => {}
                c if joiner(c) => out.push(c),
                c if invisible(c) => return Err(TextError::Hidden { label }),
                c => out.push(c),
            }
        }
        let kept = out.trim_matches(|c: char| c.is_whitespace() || joiner(c));
        if kept.is_empty() {
            return match self.missing {
                Some(message) => Err(TextError::Missing(message)),
                None => Ok(Text::default()),
            };
        }
        if kept.chars().count() > self.max {
            return Err(TextError::TooLong { label, max: self.max });
        }
        Ok(Text(kept.to_owned()))
    }

    /// [`Field::read`], `None` for a field left empty.
    pub fn read_optional(&self, raw: &str) -> Result<Option<Text>, TextError> {
        self.read(raw).map(Text::non_empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Field = Field::line("The name", 5).required("Please tell us the name.");
    const BIO: Field = Field::lines("The bio", 40);

    #[test]
    fn finds_what_hides() {
        assert!(super::invisible('\u{202E}') && super::invisible('\0') && super::invisible('\n'));
        assert!(!super::invisible('ä') && !super::invisible(' '));
    }

    #[test]
    fn trims_and_keeps_what_a_person_typed() {
        assert_eq!(NAME.read("  Rex ").unwrap().as_str(), "Rex");
        assert_eq!(NAME.read("Zoë").unwrap().as_str(), "Zoë");
        assert_eq!(
            BIO.read("Good dog.\r\nLoves\ttreats.\rThe end. \n")
                .unwrap()
                .as_str(),
            "Good dog.\nLoves\ttreats.\nThe end."
        );
        let service_dog = "🐕\u{200D}🦺";
        assert_eq!(
            NAME.read(service_dog).unwrap().as_str(),
            service_dog,
            "joined emoji stay"
        );
    }

    #[test]
    fn refuses_controls_and_reordering() {
        let hidden = TextError::Hidden { label: "The name" };
        for raw in [
            "Re\0x",
            "Rex\u{1B}",
            "\u{202E}xeR",
            "Rex\u{2066}",
            "\u{E000}",
            "a\u{7F}",
        ] {
            assert_eq!(NAME.read(raw), Err(hidden.clone()), "{raw:?}");
        }
        assert_eq!(BIO.read("Rex\0"), Err(TextError::Hidden { label: "The bio" }));
        assert!(
            hidden
                .to_string()
                .starts_with("The name contains a hidden character")
        );
    }

    #[test]
    fn one_line_fields_refuse_lines_and_tabs() {
        for raw in ["Re\nx", "Rex\r", "R\tx", "a\u{2028}b"] {
            assert_eq!(
                NAME.read(raw),
                Err(TextError::Lines { label: "The name" }),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn drops_marks_nobody_sees() {
        assert_eq!(NAME.read("\u{200E}Rex\u{200B}\u{FEFF}").unwrap().as_str(), "Rex");
        assert_eq!(
            NAME.read("\u{200B} \u{200D}"),
            Err(TextError::Missing("Please tell us the name.")),
            "only invisible is empty"
        );
    }

    #[test]
    fn bounds_in_characters_and_requires() {
        assert_eq!(
            NAME.read("ééééé").unwrap().as_str(),
            "ééééé",
            "characters, not bytes"
        );
        let long = NAME.read("Rexxxx").unwrap_err();
        assert_eq!(long.to_string(), "The name can be at most 5 characters.");
        assert_eq!(
            NAME.read("   ").unwrap_err().to_string(),
            "Please tell us the name."
        );
        assert_eq!(BIO.read(" ").unwrap(), Text::default());
        assert_eq!(BIO.read_optional("\n").unwrap(), None);
        assert_eq!(BIO.read_optional("x").unwrap().unwrap().as_str(), "x");
    }
}
