//! "Sign in with …" providers: `OIDC_PROVIDERS` names them, and each name's
//! `OIDC_<NAME>_*` variables configure it (the `<ID>` rows of [`super::vars`]).

use super::vars::{self, Lookup, Var};
use anyhow::{Context, bail};
use paws_inside::auth::oidc::ProviderConfig;

/// A per-provider variable's value for provider `id`.
fn per_provider(var: &Var, id: &str, get: &impl Lookup) -> Option<String> {
    get(&var
        .name
        .replace("<ID>", &id.to_ascii_uppercase().replace('-', "_")))
}

/// The providers, in `OIDC_PROVIDERS`' order; none when it is unset.
pub(super) fn providers(get: &impl Lookup) -> anyhow::Result<Vec<ProviderConfig>> {
    use vars::*;
    let Some(list) = OIDC_PROVIDERS.get(get) else {
        return Ok(Vec::new());
    };
    let mut providers: Vec<ProviderConfig> = Vec::new();
    for id in list.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        let valid = id.len() <= 32
            && id
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'));
        if !valid {
            bail!("OIDC_PROVIDERS: {id:?} must be 1–32 of a-z, 0-9, _ and -");
        }
        if providers.iter().any(|p| p.id == id) {
            bail!("OIDC_PROVIDERS names {id:?} twice");
        }
        let required = |var: &Var| {
            per_provider(var, id, get)
                .map(|v| v.trim().to_owned())
                .with_context(|| {
                    format!(
                        "{} is not set",
                        var.name.replace("<ID>", &id.to_ascii_uppercase())
                    )
                })
        };
        let issuer = required(&OIDC_ISSUER)?;
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            bail!("the issuer of {id:?} must be an http(s) URL, not {issuer:?}");
        }
        providers.push(ProviderConfig {
            id: id.to_owned(),
            label: per_provider(&OIDC_LABEL, id, get).unwrap_or_else(|| capitalised(id)),
            issuer,
            client_id: required(&OIDC_CLIENT_ID)?,
            client_secret: required(&OIDC_CLIENT_SECRET)?,
            trust_email: match per_provider(&OIDC_TRUST_EMAIL, id, get).as_deref().map(str::trim) {
                None | Some("true") => true,
                Some("false") => false,
                Some(other) => bail!(
                    "OIDC_{}_TRUST_EMAIL must be true or false, not {other:?}",
                    id.to_ascii_uppercase()
                ),
            },
        });
    }
    Ok(providers)
}

fn capitalised(id: &str) -> String {
    let mut chars = id.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::providers;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> anyhow::Result<Vec<paws_inside::auth::oidc::ProviderConfig>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        providers(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn providers_come_from_their_own_variables() {
        assert!(from(&[]).unwrap().is_empty());
        let list = from(&[
            ("OIDC_PROVIDERS", "google, corp-sso"),
            ("OIDC_GOOGLE_ISSUER", "https://accounts.google.com"),
            ("OIDC_GOOGLE_CLIENT_ID", "id"),
            ("OIDC_GOOGLE_CLIENT_SECRET", "secret"),
            ("OIDC_CORP_SSO_ISSUER", "https://sso.example.com/realms/staff"),
            ("OIDC_CORP_SSO_CLIENT_ID", "paws"),
            ("OIDC_CORP_SSO_CLIENT_SECRET", "s"),
            ("OIDC_CORP_SSO_LABEL", "Example Corp"),
            ("OIDC_CORP_SSO_TRUST_EMAIL", "false"),
        ])
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].trust_email, list[1].trust_email), (true, false));
        assert_eq!(
            (list[0].label.as_str(), list[1].label.as_str()),
            ("Google", "Example Corp")
        );
        assert!(!format!("{list:?}").contains("secret"));
        let missing = from(&[("OIDC_PROVIDERS", "google"), ("OIDC_GOOGLE_ISSUER", "https://a")]).unwrap_err();
        assert!(missing.to_string().contains("OIDC_GOOGLE_CLIENT_ID"), "{missing}");
        assert!(from(&[("OIDC_PROVIDERS", "Bad Name")]).is_err());
    }
}
