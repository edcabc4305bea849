//! What a person may choose on a page that names the account a link signs
//! in to: which guests come along besides the one the rule brings. Shared by
//! the server and the page (it compiles to wasm).

use serde::{Deserialize, Serialize};

/// The person's choices on the confirm page. In the browser that asked for the
/// link, its guest always comes along; elsewhere nothing moves unless chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimChoice {
    /// Bring the data of the guest that asked for the link.
    pub bring_requester: bool,
    /// Bring this browser's own guest data.
    pub bring_this_browser: bool,
}
