//! Closed sets of variants kept as a string key in the database and URLs,
//! each with a label: venue categories and dog policies, dog sizes, token
//! purposes. One macro, so every such enum parses, prints and lists alike.

/// Declares a closed set of string-backed variants with a stored key and a label.
macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[doc = $label] $variant),+ }

        impl $name {
            /// Every variant, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key stored in the database and used in URLs.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }

            /// Human-readable label.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Parses a stored key; unknown keys give `None`.
            pub fn parse(key: &str) -> Option<Self> {
                match key { $($key => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use keyed_enum;
