//! The four RFC 3261 §17 transaction machines, one file each.
pub mod client_invite;
pub mod client_non_invite;
pub mod server_invite;
pub mod server_non_invite;
