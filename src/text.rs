//! Text that people and other sources give us, shown to everyone.

/// Characters that show nothing or reorder what follows: controls, zero-width
/// and direction marks, line separators, private use.
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
        || matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_what_hides() {
        assert!(super::invisible('\u{202E}') && super::invisible('\0') && super::invisible('\n'));
        assert!(!super::invisible('ä') && !super::invisible(' '));
    }
}
