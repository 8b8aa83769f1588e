//! Bridged appearances (drop-semantics §6): several local stations share one SIP dialog.
//! A drop at one station while others remain only makes that station `connected/inactive`;
//! the drop from the last active station sends the BYE and ends every station.
use crate::call::{BridgeRole, Call};
use crate::model::CallModel;
use crate::{CallError, CallHandle, CallState, ConnectedMode, DropParams, Mode, RequestId, Time};

const ACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Active));
const INACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Inactive));

impl CallModel {
    /// Adds a station to a connected call's appearance: a new handle on the same SIP dialog,
    /// `connected/active`.
    pub fn add_station(&mut self, now: Time, call: CallHandle) -> Result<CallHandle, CallError> {
        let owner = self.bridge_owner(call).ok_or(CallError::InvalCallHandle)?;
        let c = self.calls.get(&owner).ok_or(CallError::InvalCallHandle)?;
        if c.record.state != CallState::Connected || c.conf.is_some() {
            return Err(CallError::InvalCallState);
        }
        let (record, transport, peer) = (c.record.clone(), c.transport, c.peer);
        let station = self.alloc_handle();
        let mut s = Call::new(station, record, transport, peer);
        s.record.state = CallState::Idle;
        s.record.created_at = now;
        s.bridge = Some(BridgeRole::Station { owner });
        self.calls.insert(station, s);
        if let Some(o) = self.calls.get_mut(&owner) {
            match &mut o.bridge {
                Some(BridgeRole::Owner { stations }) => stations.push(station),
                _ => {
                    o.bridge = Some(BridgeRole::Owner {
                        stations: vec![station],
                    })
                }
            }
        }
        self.set_state(now, station, CallState::Connected, ACTIVE);
        Ok(station)
    }

    /// An inactive station joins the call again (`connected/active`).
    pub fn rejoin(&mut self, now: Time, station: CallHandle) -> Result<(), CallError> {
        let c = self.calls.get(&station).ok_or(CallError::InvalCallHandle)?;
        if c.bridge.is_none()
            || c.record.state != CallState::Connected
            || !self.is_inactive(station)
        {
            return Err(CallError::InvalCallState);
        }
        self.set_inactive(station, false);
        self.set_state(now, station, CallState::Connected, ACTIVE);
        Ok(())
    }

    /// Every station of `call`'s appearance (owner first), `call` alone when not bridged.
    pub fn stations(&self, call: CallHandle) -> Vec<CallHandle> {
        let Some(owner) = self.bridge_owner(call) else {
            return Vec::new();
        };
        let mut all = vec![owner];
        if let Some(Some(BridgeRole::Owner { stations })) =
            self.calls.get(&owner).map(|c| &c.bridge)
        {
            all.extend(stations.iter().copied());
        }
        all
    }

    /// Handles a drop at a bridged station; `None` when `call` is not bridged (the caller then
    /// drops the SIP leg as usual).
    pub(crate) fn drop_bridged(
        &mut self,
        now: Time,
        call: CallHandle,
        params: &DropParams,
    ) -> Option<RequestId> {
        self.calls.get(&call)?.bridge.as_ref()?;
        let members = self.stations(call);
        let connected = |m: &CallHandle| {
            self.calls
                .get(m)
                .is_some_and(|c| c.record.state == CallState::Connected)
        };
        let others_active = members
            .iter()
            .filter(|m| **m != call && connected(m) && !self.is_inactive(**m))
            .count();
        let state = self.calls.get(&call)?.record.state;
        let request = self.alloc_request();
        if state != CallState::Connected {
            // A disconnected station is put to rest alone; the owner's record follows the
            // drop table (nothing on the wire for a disconnected leg).
            if call == members[0] {
                self.drop_leg(now, call, params, Some(request));
            } else {
                self.set_state(now, call, CallState::Idle, None);
                self.reply(request, Ok(()));
            }
            return Some(request);
        }
        if others_active > 0 {
            if self.is_inactive(call) {
                // An inactive station that drops leaves the appearance.
                self.set_state(now, call, CallState::Idle, None);
            } else {
                self.set_inactive(call, true);
                self.set_state(now, call, CallState::Connected, INACTIVE);
            }
            self.reply(request, Ok(()));
            return Some(request);
        }
        // The last active station: the owner's leg is dropped (BYE), every station ends.
        let owner = members[0];
        let owner_live = self
            .calls
            .get(&owner)
            .is_some_and(|c| c.record.state != CallState::Idle);
        if owner_live {
            self.drop_leg(now, owner, params, Some(request));
        } else {
            self.reply(request, Ok(()));
        }
        for m in members.into_iter().skip(1) {
            if self
                .calls
                .get(&m)
                .is_some_and(|c| c.record.state != CallState::Idle)
            {
                self.set_state(now, m, CallState::Idle, None);
            }
        }
        Some(request)
    }

    /// Mirrors a remote end of the owner's leg on every other station.
    pub(crate) fn mirror_to_stations(&mut self, now: Time, owner: CallHandle, mode: Option<Mode>) {
        for m in self.stations(owner).into_iter().skip(1) {
            if self
                .calls
                .get(&m)
                .is_some_and(|c| c.record.state != CallState::Idle)
            {
                self.set_state(now, m, CallState::Disconnected, mode);
            }
        }
    }

    fn bridge_owner(&self, call: CallHandle) -> Option<CallHandle> {
        match &self.calls.get(&call)?.bridge {
            Some(BridgeRole::Station { owner }) => Some(*owner),
            _ => Some(call),
        }
    }

    fn is_inactive(&self, call: CallHandle) -> bool {
        self.inactive.contains(&call)
    }

    fn set_inactive(&mut self, call: CallHandle, inactive: bool) {
        if inactive {
            self.inactive.insert(call);
        } else {
            self.inactive.remove(&call);
        }
    }
}
