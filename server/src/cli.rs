//! Command-line handling. No arguments starts the server; `--help` documents
//! every setting.

use crate::settings::vars;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Start the web server.
    Serve,
    /// Print usage.
    Help,
    /// Print the version.
    Version,
    /// An operator task run against the database (see [`crate::ops`]).
    Ops(crate::ops::Task),
    /// One reaper pass; `true` only counts what it would delete.
    Reap(bool),
    /// Import the dog-friendly venues of an OpenStreetMap extract.
    ImportOsm {
        /// The `.osm.pbf` file.
        path: String,
        /// The city of elements without `addr:city`.
        city: Option<String>,
    },
}

/// Parses `std::env::args()` (without the program name).
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["-h" | "--help" | "help", ..] => Ok(Command::Help),
        ["-V" | "--version"] => Ok(Command::Version),
        ["reap"] => Ok(Command::Reap(false)),
        ["reap", "--dry-run"] => Ok(Command::Reap(true)),
        ["import-osm", path] => Ok(Command::ImportOsm {
            path: path.to_string(),
            city: None,
        }),
        ["import-osm", path, "--city", city] | ["import-osm", "--city", city, path] => {
            Ok(Command::ImportOsm {
                path: path.to_string(),
                city: Some(city.trim().to_string()).filter(|c| !c.is_empty()),
            })
        }
        ["import-osm", ..] => Err("usage: server import-osm FILE.osm.pbf [--city NAME]".to_owned()),
        ["admin", "grant", email] => Ok(Command::Ops(crate::ops::Task::Grant(email.to_string()))),
        ["admin", "revoke", email] => Ok(Command::Ops(crate::ops::Task::Revoke(email.to_string()))),
        ["admin", "list"] => Ok(Command::Ops(crate::ops::Task::ListAdmins)),
        ["claims", "list"] => Ok(Command::Ops(crate::ops::Task::ListClaims)),
        ["claims", "retry", "--all"] => Ok(Command::Ops(crate::ops::Task::RetryAll)),
        ["claims", "retry", id] => id
            .parse()
            .map(|id| Command::Ops(crate::ops::Task::Retry(id)))
            .map_err(|_| format!("claims retry needs a failure id or --all, not {id:?}")),
        ["admin" | "claims", ..] => Err(
            "usage: server admin grant|revoke <email> | admin list | claims list | claims retry <id>|--all"
                .to_owned(),
        ),
        [other, ..] => Err(format!("unknown argument {other:?}; try --help")),
    }
}

/// The `--help` text.
pub fn usage() -> String {
    let mut out = String::from(
        "Paws Inside web server\n\nUSAGE:\n    server [serve]     start the server (default)\n    server --help      this text\n    server --version   print the version\n    server admin grant <email> | admin revoke <email> | admin list\n                       manage admins (the only way to make one)\n    server claims list | claims retry <id> | claims retry --all\n                       failed guest merges and their retry\n    server reap [--dry-run]\n                       delete idle empty guests, expired sessions and tokens, orphan files\n    server import-osm FILE.osm.pbf [--city NAME]\n                       import the venues of an OpenStreetMap extract tagged dog=yes|leashed|unleashed|designated\n                       (--city: the city of places without addr:city)\n\nSETTINGS (environment variables):\n",
    );
    for var in vars::ALL {
        out.push_str(&format!(
            "    {:<26} {}\n    {:<26} default: {}\n",
            var.name,
            var.help,
            "",
            var.default_text()
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
        assert_eq!(
            parse(&args(&["import-osm", "x.osm.pbf", "--city", "Helsinki"])),
            Ok(Command::ImportOsm {
                path: "x.osm.pbf".into(),
                city: Some("Helsinki".into())
            })
        );
        assert!(parse(&args(&["import-osm"])).is_err());
        assert_eq!(
            parse(&args(&["admin", "grant", "a@b.co"])),
            Ok(Command::Ops(crate::ops::Task::Grant("a@b.co".into())))
        );
        assert_eq!(
            parse(&args(&["claims", "retry", "7"])),
            Ok(Command::Ops(crate::ops::Task::Retry(7)))
        );
        assert_eq!(
            parse(&args(&["claims", "retry", "--all"])),
            Ok(Command::Ops(crate::ops::Task::RetryAll))
        );
        assert!(parse(&args(&["claims", "retry", "x"])).is_err());
        assert!(parse(&args(&["admin", "grant"])).is_err());
        assert_eq!(parse(&args(&["reap", "--dry-run"])), Ok(Command::Reap(true)));
        assert!(usage().contains("DATABASE_URL"));
    }
}
