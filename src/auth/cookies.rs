//! The short-lived cookies that bind a flow to the browser that started it: a
//! sign-in mail's code, a provider's answer, a passkey's challenge each count
//! only where the cookie's key is (its SHA-256 is kept with the flow).
//!
//! HttpOnly, SameSite=Lax, `Path=/`. Behind https they are `__Host-` cookies
//! (Secure, no Domain): a page on a sibling subdomain can neither set nor
//! overwrite them, so nobody can plant their own flow's key in your browser.
//! Strings only: the server and the app's server functions both set them.

#[cfg(feature = "ssr")]
pub use anonymous_first::two_factor::{trusted_cookie, trusted_key};

/// One flow's cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowCookie(&'static str);

/// A sign-in mail's code works only where this is.
pub const SIGN_IN: FlowCookie = FlowCookie("paws_sign_in");
/// A provider's answer counts only where this is.
pub const OPENID: FlowCookie = FlowCookie("paws_oidc");
/// A passkey prompt answers only where this is.
pub const PASSKEY: FlowCookie = FlowCookie("paws_passkey");
/// A sign-in waiting for its two-step code finishes only where this is.
pub const TWO_STEP: FlowCookie = FlowCookie("paws_two_step");
/// A no-JavaScript form's error shows only where this vouches for it.
pub const FORM_ERROR: FlowCookie = FlowCookie("paws_form_error");

impl FlowCookie {
    /// The cookie's name on a site served over https or not.
    pub fn name(self, https: bool) -> String {
        match https {
            true => format!("__Host-{}", self.0),
            false => self.0.to_owned(),
        }
    }

    /// A `Set-Cookie` value holding `key` for `max_age_secs`.
    pub fn set(self, https: bool, key: &str, max_age_secs: i64) -> String {
        let secure = if https { "; Secure" } else { "" };
        format!(
            "{}={key}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
            self.name(https)
        )
    }

    /// A `Set-Cookie` value that removes it.
    pub fn clear(self, https: bool) -> String {
        self.set(https, "", 0)
    }

    /// Its value among `Cookie` header values, if the browser sent it.
    pub fn read<'a>(self, https: bool, headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let prefix = format!("{}=", self.name(https));
        headers
            .into_iter()
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(&prefix).map(str::to_owned))
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::{OPENID, SIGN_IN};

    #[test]
    fn host_prefixed_behind_https() {
        let set = OPENID.set(true, "abc", 600);
        assert_eq!(
            set,
            "__Host-paws_oidc=abc; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            SIGN_IN.set(false, "k", 60),
            "paws_sign_in=k; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            OPENID.read(true, ["a=1; __Host-paws_oidc=abc"]),
            Some("abc".into())
        );
        // Over https the plain name (settable from a subdomain) is not read.
        assert_eq!(OPENID.read(true, ["paws_oidc=planted"]), None);
        assert_eq!(SIGN_IN.read(false, ["paws_sign_in="]), None);
    }
}
