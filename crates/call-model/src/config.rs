//! Configuration of the call model.
pub use dialog_layer::TimerConfig;

/// How the call model behaves. Defaults follow drop-semantics.md.
#[derive(Debug, Clone)]
pub struct Config {
    /// RFC 3261 timer values (T1, T2, T4).
    pub timers: TimerConfig,
    /// Seed of the RNG that makes branches, tags and Call-IDs.
    pub seed: u64,
    /// User part of our From and Contact URIs.
    pub local_user: String,
    /// Value of the `User-Agent` / `Server` headers.
    pub user_agent: String,
    /// Longest UUI accepted on a drop, in octets (`useruserinfotoobig` above it).
    pub uui_limit: usize,
    /// Final response sent when an offered call is dropped (603 by default).
    pub decline_code: u16,
    /// Q.850 cause on BYE and CANCEL drops (16).
    pub drop_cause: u16,
    /// Q.850 cause on a decline (21).
    pub decline_cause: u16,
    /// Digest credentials for 401/407 challenges to our INVITEs.
    pub credentials: Option<crate::Credentials>,
    /// Outbound proxy: a pre-loaded route set for every call (`<sip:proxy;lr>`), §8.1.2.
    pub outbound_route: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timers: TimerConfig::default(),
            seed: 0,
            local_user: "sipdrop".into(),
            user_agent: concat!("sipdrop/", env!("CARGO_PKG_VERSION")).into(),
            uui_limit: 128,
            decline_code: 603,
            drop_cause: 16,
            decline_cause: 21,
            credentials: None,
            outbound_route: Vec::new(),
        }
    }
}
