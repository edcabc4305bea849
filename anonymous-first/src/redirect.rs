//! Where to send someone after signing in: only ever a path on this site.

/// Returns `raw` if it is a same-site relative path (`/playlists`, `/tracks/x?y=1`),
/// else `/`. Rejects protocol-relative (`//host`), backslash tricks (`/\host`,
/// which browsers read as `//host`), absolute URLs, `javascript:` and anything
/// with control characters or whitespace.
pub fn safe_next(raw: Option<&str>) -> String {
    let Some(path) = raw.map(str::trim) else {
        return "/".to_owned();
    };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 512
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        // Percent-encoded slashes or backslashes right after the first `/` can be
        // decoded into `//` by some proxies.
        && !path.get(1..4).is_some_and(|p| p.eq_ignore_ascii_case("%2f") || p.eq_ignore_ascii_case("%5c"));
    if ok { path.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn keeps_own_paths() {
        for ok in [
            "/",
            "/playlists",
            "/tracks/song-x?album=Blue#play",
            "/playlists/new",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn rejects_open_redirects() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "evil.example",
            "/%2f%2fevil.example",
            "/%5cevil.example",
            "/\tevil",
            "/\nLocation: x",
            " //evil.example",
            "data:text/html,hi",
            "",
            "./playlists",
            "/ /evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(600)))), "/");
    }
}
