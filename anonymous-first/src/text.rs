//! Characters that must not reach an identity: what reads as nothing or
//! reorders what follows would let two addresses that look alike differ.

/// Characters that show nothing or reorder what follows: controls, zero-width
/// and direction marks, line separators, private use.
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
        || matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..)
}

/// Zero-width non-joiner and joiner: invisible, yet part of writing (joined
/// emoji such as 🐕‍🦺, Persian and Indic names), so a name people type
/// keeps them inside it.
pub fn joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_and_reordering_characters_are_invisible() {
        for c in ['\u{200B}', '\u{202E}', '\u{FEFF}', '\u{E000}', '\n', '\u{7}'] {
            assert!(super::invisible(c), "{c:?}");
        }
        for c in ['a', 'é', 'ß', '-', ' '] {
            assert!(!super::invisible(c), "{c:?}");
        }
    }
}
