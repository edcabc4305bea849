//! Command-line handling. No arguments starts the server; `--help` documents
//! every setting.

use crate::settings::VARIABLES;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Start the web server.
    Serve,
    /// Print usage.
    Help,
    /// Print the version.
    Version,
}

/// Parses `std::env::args()` (without the program name).
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["-h" | "--help" | "help", ..] => Ok(Command::Help),
        ["-V" | "--version"] => Ok(Command::Version),
        [other, ..] => Err(format!("unknown argument {other:?}; try --help")),
    }
}

/// The `--help` text.
pub fn usage() -> String {
    let mut out = String::from(
        "Paws Inside web server\n\nUSAGE:\n    server [serve]     start the server (default)\n    server --help      this text\n    server --version   print the version\n\nSETTINGS (environment variables):\n",
    );
    for (name, default, meaning) in VARIABLES {
        out.push_str(&format!(
            "    {name:<26} {meaning}\n    {:<26} default: {default}\n",
            ""
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse(&args(&[])), Ok(Command::Serve));
        assert_eq!(parse(&args(&["--help"])), Ok(Command::Help));
        assert!(parse(&args(&["--frobnicate"])).is_err());
        assert!(usage().contains("DATABASE_URL"));
    }
}
