//! The page behind each route (server-rendered; islands hydrate inside them).

pub use crate::account::AccountPage as Account;
pub use crate::admin::{AdminPage as Admin, VenueEditPage as AdminVenue};
pub use crate::auth::{
    ConfirmPage as Confirm, ForgotPasswordPage as ForgotPassword, ResetPage as Reset,
    SignInPage as SignIn, SignUpPage as SignUp, VerifyPage as Verify,
};
pub use crate::pets::{
    DeleteDog, DogPage as Dog, EditDog, MyDogs as Dogs, NewDog,
};
pub use crate::suggestions::{MySuggestions as Suggestions, SuggestPage as Suggest};
pub use crate::venues::VenuePage as Venue;
