//! Call states and modes (TAPI `LINECALLSTATE_*`, `LINEDISCONNECTMODE_*`, drop-semantics §2, §4).

/// The state of a call, named as TAPI names them (lower case in events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// An incoming call is being offered to the application (INVITE received).
    Offering,
    /// The application accepted the offered call (180 sent), not answered yet.
    Accepted,
    /// INVITE sent, nothing back yet.
    Dialing,
    /// 100 Trying received.
    Proceeding,
    /// 180/183 received.
    Ringback,
    /// The dialog is confirmed.
    Connected,
    /// Held.
    OnHold,
    /// A participant of a local conference.
    Conferenced,
    /// Held pending conference.
    OnHoldPendConf,
    /// The remote side ended the call.
    Disconnected,
    /// No activity; terminal.
    Idle,
}

impl CallState {
    /// The event name (`offering`, `connected`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Offering => "offering",
            CallState::Accepted => "accepted",
            CallState::Dialing => "dialing",
            CallState::Proceeding => "proceeding",
            CallState::Ringback => "ringback",
            CallState::Connected => "connected",
            CallState::OnHold => "onhold",
            CallState::Conferenced => "conferenced",
            CallState::OnHoldPendConf => "onholdpendconf",
            CallState::Disconnected => "disconnected",
            CallState::Idle => "idle",
        }
    }
}

impl std::fmt::Display for CallState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The connected mode (TAPI `LINECONNECTEDMODE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectedMode {
    /// This station takes part in the call.
    Active,
    /// The call goes on at other stations of a bridged appearance, not at this one.
    Inactive,
}

/// Why a call was disconnected (TAPI `LINEDISCONNECTMODE_*`), drop-semantics §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum DisconnectMode {
    Normal,
    Busy,
    Reject,
    Blocked,
    BadAddress,
    NumberChanged,
    NoAnswer,
    Unreachable,
    Incompatible,
    QosUnavail,
    OutOfOrder,
    Congestion,
    TempFailure,
    Forwarded,
    Cancelled,
    Pickup,
    Unknown,
}

impl DisconnectMode {
    /// Every mode, for tables and tests.
    pub const ALL: [DisconnectMode; 17] = [
        DisconnectMode::Normal,
        DisconnectMode::Busy,
        DisconnectMode::Reject,
        DisconnectMode::Blocked,
        DisconnectMode::BadAddress,
        DisconnectMode::NumberChanged,
        DisconnectMode::NoAnswer,
        DisconnectMode::Unreachable,
        DisconnectMode::Incompatible,
        DisconnectMode::QosUnavail,
        DisconnectMode::OutOfOrder,
        DisconnectMode::Congestion,
        DisconnectMode::TempFailure,
        DisconnectMode::Forwarded,
        DisconnectMode::Cancelled,
        DisconnectMode::Pickup,
        DisconnectMode::Unknown,
    ];

    /// The event name (`busy`, `badaddress`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectMode::Normal => "normal",
            DisconnectMode::Busy => "busy",
            DisconnectMode::Reject => "reject",
            DisconnectMode::Blocked => "blocked",
            DisconnectMode::BadAddress => "badaddress",
            DisconnectMode::NumberChanged => "numberchanged",
            DisconnectMode::NoAnswer => "noanswer",
            DisconnectMode::Unreachable => "unreachable",
            DisconnectMode::Incompatible => "incompatible",
            DisconnectMode::QosUnavail => "qosunavail",
            DisconnectMode::OutOfOrder => "outoforder",
            DisconnectMode::Congestion => "congestion",
            DisconnectMode::TempFailure => "tempfailure",
            DisconnectMode::Forwarded => "forwarded",
            DisconnectMode::Cancelled => "cancelled",
            DisconnectMode::Pickup => "pickup",
            DisconnectMode::Unknown => "unknown",
        }
    }

    /// Parses an event name back (for `--expect`).
    pub fn from_name(name: &str) -> Option<DisconnectMode> {
        DisconnectMode::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl std::fmt::Display for DisconnectMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `mode` of a `call_state` event: connected mode or disconnect mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// With [`CallState::Connected`].
    Connected(ConnectedMode),
    /// With [`CallState::Disconnected`].
    Disconnected(DisconnectMode),
}

impl Mode {
    /// The event name (`active`, `inactive`, or a disconnect mode name).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Connected(ConnectedMode::Active) => "active",
            Mode::Connected(ConnectedMode::Inactive) => "inactive",
            Mode::Disconnected(m) => m.as_str(),
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
