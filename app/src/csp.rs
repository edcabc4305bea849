//! The Content-Security-Policy of every page: scripts only from our origin or
//! carrying this response's nonce (Leptos puts it on its inline hydration
//! scripts), WebAssembly allowed, images from us and the tile server, no
//! framing, no plugins, forms only to us.

/// The policy for a page rendered with `nonce`, with map tiles from
/// `tile_url`; `form_targets` are origins a form's answer may redirect to
/// (the "Sign in with …" providers: browsers apply `form-action` to redirects).
pub fn policy(nonce: &str, tile_url: &str, form_targets: &[String]) -> String {
    let tiles = tile_origin(tile_url).map(|o| format!(" {o}")).unwrap_or_default();
    let forms: String = form_targets.iter().map(|o| format!(" {o}")).collect();
    // `cargo leptos watch` reloads the page over a websocket on another port.
    let dev_reload = if cfg!(debug_assertions) {
        " ws://127.0.0.1:* ws://localhost:*"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:{tiles}; connect-src 'self'{dev_reload}; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'{forms}; frame-ancestors 'none'"
    )
}

/// `https://{s}.tile.example/{z}/{x}/{y}.png` → `https://*.tile.example`; `None`
/// for relative templates (already covered by `'self'`).
fn tile_origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    let host = rest.split('/').next()?;
    let host = host.replace("{s}", "*");
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:*".contains(c));
    ok.then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tiles_and_nonce() {
        let p = super::policy("abc", "https://{s}.tile.example.org/{z}/{x}/{y}.png", &[]);
        assert!(p.contains("'nonce-abc'") && p.contains("img-src 'self' data: https://*.tile.example.org;"));
        assert!(p.contains("frame-ancestors 'none'") && !p.contains("unsafe-inline"));
        let with_provider = super::policy("n", "/tiles/{z}/{x}/{y}.png", &["https://id.example".into()]);
        assert!(with_provider.contains("img-src 'self' data:;"));
        assert!(
            with_provider.contains("form-action 'self' https://id.example;"),
            "{with_provider}"
        );
        assert_eq!(
            super::tile_origin("http://127.0.0.1:9/{z}/{x}/{y}.png").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(super::tile_origin("https://evil.example;script-src */x"), None);
    }
}
