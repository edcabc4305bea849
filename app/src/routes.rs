//! Every page but the home page is its own lazily loaded WASM chunk: the first
//! visit downloads the directory, not the account, admin or sign-in code.
//! Every WASM build must therefore run with `--split` (`./dev`, `./test` and
//! the benchmarks do): unsplit, the module imports a placeholder and cannot
//! load. The server renders these routes like any other.

use crate::{account, admin, auth, pets, suggestions, venues};
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// Declares a route whose view (the page component) is split into its own chunk.
macro_rules! lazy_page {
    ($($route:ident => $page:path),* $(,)?) => {$(
        #[doc = concat!("Lazily loaded route of `", stringify!($page), "`.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    Venue => venues::VenuePage,
    Dogs => pets::MyDogs,
    NewDog => pets::NewDog,
    Dog => pets::DogPage,
    EditDog => pets::EditDog,
    DeleteDog => pets::DeleteDog,
    Suggest => suggestions::SuggestPage,
    Suggestions => suggestions::MySuggestions,
    SignIn => auth::SignInPage,
    Confirm => auth::ConfirmPage,
    SignUp => auth::SignUpPage,
    ForgotPassword => auth::ForgotPasswordPage,
    Verify => auth::VerifyPage,
    Reset => auth::ResetPage,
    Account => account::AccountPage,
    Admin => admin::AdminPage,
    AdminVenue => admin::VenueEditPage,
}
